// The raw packet header of an sFlow flow sample (flow record 0:1): the first bytes of
// the sampled frame. Parses Ethernet with up to two 802.1Q/802.1ad tags, IPv4 or IPv6
// (skipping IPv6 extension headers), then TCP/UDP/SCTP ports, TCP flags or ICMP type and
// code. A header cut short yields fewer fields, never an error: every load is behind a
// `fits` check against the end of the captured header.
import { be16, be32, fits, u8at } from '../shared/reader'
import {
  F_BYTES,
  F_DST_ADDR,
  F_DST_MAC,
  F_DST_PORT,
  F_ICMP_CODE,
  F_ICMP_TYPE,
  F_IP_VERSION,
  F_PROTO,
  F_SRC_ADDR,
  F_SRC_MAC,
  F_SRC_PORT,
  F_TCP_FLAGS,
  F_TOS,
  F_VLAN,
} from '../generated/record'
import { putIPv4, putIPv6 } from '../output/record'

// sFlow header_protocol values we parse.
const HP_ETHERNET: u32 = 1
const HP_IPV4: u32 = 11
const HP_IPV6: u32 = 12

const ETH_IPV4: u32 = 0x0800
const ETH_IPV6: u32 = 0x86dd
const MAX_VLAN_TAGS: i32 = 2
const MAX_IPV6_EXTENSIONS: i32 = 8

/**
 * Fill `rec` from the sampled header at [p, end). The layer-3 byte count comes from the IP
 * header; when the header stops before it (or the packet is not IP) it is the frame length
 * minus the layer-2 header and the bytes the agent stripped (FCS and the like).
 */
export function parseRawHeader(
  rec: usize,
  protocol: u32,
  frameLength: u32,
  stripped: u32,
  p: usize,
  end: usize,
): void {
  if (protocol == HP_IPV4) {
    parseIPv4(rec, p, end, l3Fallback(frameLength, 0, stripped))
    return
  }
  if (protocol == HP_IPV6) {
    parseIPv6(rec, p, end, l3Fallback(frameLength, 0, stripped))
    return
  }
  if (protocol != HP_ETHERNET) {
    // Token ring, PPP, 802.11 ...: the link header size is unknown here.
    store<u64>(rec + F_BYTES, <u64>l3Fallback(frameLength, 0, stripped))
    return
  }
  let l2: u32 = 14
  if (!fits(p, 14, end)) {
    store<u64>(rec + F_BYTES, <u64>l3Fallback(frameLength, l2, stripped))
    return
  }
  store<u64>(rec + F_DST_MAC, mac48(p))
  store<u64>(rec + F_SRC_MAC, mac48(p + 6))
  let etherType = be16(p + 12)
  for (let i: i32 = 0; i < MAX_VLAN_TAGS && isVlanTag(etherType); i++) {
    const tag = p + <usize>l2
    l2 += 4
    if (i == 0 && fits(tag, 2, end)) store<u16>(rec + F_VLAN, <u16>(be16(tag) & 0xfff))
    if (!fits(tag, 4, end)) break
    etherType = be16(tag + 2)
  }
  const fallback = l3Fallback(frameLength, l2, stripped)
  const l3 = p + <usize>l2
  if (etherType == ETH_IPV4) parseIPv4(rec, l3, end, fallback)
  else if (etherType == ETH_IPV6) parseIPv6(rec, l3, end, fallback)
  else store<u64>(rec + F_BYTES, <u64>fallback)
}

function isVlanTag(t: u32): bool {
  return t == 0x8100 || t == 0x88a8 || t == 0x9100
}

function mac48(p: usize): u64 {
  return ((<u64>be16(p)) << 32) | (<u64>be32(p + 2))
}

function l3Fallback(frameLength: u32, l2: u32, stripped: u32): u32 {
  const cut = <u64>l2 + <u64>stripped
  return <u64>frameLength > cut ? <u32>(<u64>frameLength - cut) : 0
}

function parseIPv4(rec: usize, q: usize, end: usize, fallback: u32): void {
  if (!fits(q, 20, end) || u8at(q) >> 4 != 4) {
    store<u64>(rec + F_BYTES, <u64>fallback)
    return
  }
  const ihl = (u8at(q) & 0xf) << 2
  const total = be16(q + 2)
  const proto = u8at(q + 9)
  // A zero total length shows up on segmentation-offloaded packets: trust the frame.
  store<u64>(rec + F_BYTES, <u64>(total != 0 ? total : fallback))
  store<u8>(rec + F_TOS, <u8>u8at(q + 1))
  store<u8>(rec + F_PROTO, <u8>proto)
  store<u8>(rec + F_IP_VERSION, 4)
  putIPv4(rec, F_SRC_ADDR, q + 12)
  putIPv4(rec, F_DST_ADDR, q + 16)
  if ((be16(q + 6) & 0x1fff) != 0 || ihl < 20) return // later fragment: no L4 header
  parseL4(rec, proto, q + <usize>ihl, end)
}

function parseIPv6(rec: usize, q: usize, end: usize, fallback: u32): void {
  if (!fits(q, 40, end) || u8at(q) >> 4 != 6) {
    store<u64>(rec + F_BYTES, <u64>fallback)
    return
  }
  const payload = be16(q + 4)
  // Payload length 0 means a jumbogram (or offload): trust the frame.
  store<u64>(rec + F_BYTES, <u64>(payload != 0 ? 40 + payload : fallback))
  store<u8>(rec + F_TOS, <u8>((be32(q) >> 20) & 0xff))
  store<u8>(rec + F_IP_VERSION, 6)
  putIPv6(rec, F_SRC_ADDR, q + 8)
  putIPv6(rec, F_DST_ADDR, q + 24)
  let next = u8at(q + 6)
  let l4 = q + 40
  for (let i: i32 = 0; i < MAX_IPV6_EXTENSIONS; i++) {
    if (next != 0 && next != 43 && next != 44 && next != 51 && next != 60) break
    if (!fits(l4, 8, end)) {
      store<u8>(rec + F_PROTO, <u8>next)
      return
    }
    const following = u8at(l4)
    if (next == 44) {
      // Fragment header: only the first fragment carries the L4 header.
      if ((be16(l4 + 2) & 0xfff8) != 0) {
        store<u8>(rec + F_PROTO, <u8>following)
        return
      }
      l4 += 8
    } else if (next == 51) {
      l4 += <usize>((u8at(l4 + 1) + 2) << 2) // AH counts 4-byte words
    } else {
      l4 += <usize>((u8at(l4 + 1) + 1) << 3)
    }
    next = following
  }
  store<u8>(rec + F_PROTO, <u8>next)
  parseL4(rec, next, l4, end)
}

function parseL4(rec: usize, proto: u32, l4: usize, end: usize): void {
  if (proto == 1 || proto == 58) {
    if (!fits(l4, 2, end)) return
    store<u8>(rec + F_ICMP_TYPE, <u8>u8at(l4))
    store<u8>(rec + F_ICMP_CODE, <u8>u8at(l4 + 1))
    return
  }
  if (proto != 6 && proto != 17 && proto != 132 && proto != 136) return
  if (!fits(l4, 4, end)) return
  store<u16>(rec + F_SRC_PORT, <u16>be16(l4))
  store<u16>(rec + F_DST_PORT, <u16>be16(l4 + 2))
  // TCP control bits as IPFIX tcpControlBits: the 12 bits after the data offset.
  if (proto == 6 && fits(l4, 14, end)) store<u16>(rec + F_TCP_FLAGS, <u16>(be16(l4 + 12) & 0x0fff))
}
