// sFlow v5 flow samples (sample formats 1 and 3): one flow record per sample, standing
// for `sampling_rate` packets. Flow records decoded (enterprise 0): raw packet header (1),
// sampled Ethernet (2), sampled IPv4 (3) and IPv6 (4) when there is no header, extended
// switch (1001), router (1002) and gateway (1003). Others are skipped by their length.
//
// Times: sFlow carries no flow times, only the agent's uptime, and a sample describes one
// packet seen just before the datagram left: flow start and end are the receive time.
import { be32, fits, u8at } from '../shared/reader'
import { dgIndex, dgRecvMs, effectiveRate, fillCommon, noteSkipped } from '../shared/datagram'
import { RATE_REFUSED, refuseFlow } from '../shared/sampling-cap'
import { nextRecord, outCount, rewindTo } from '../output/records'
import { parseRawHeader } from './packet-header'
import { addressSize, afterPadding, putAddress } from './xdr'
import {
  F_BYTES,
  F_DST_ADDR,
  F_DST_AS,
  F_DST_MAC,
  F_DST_MASK,
  F_DST_PORT,
  F_DST_VLAN,
  F_FLOW_END,
  F_FLOW_START,
  F_ICMP_CODE,
  F_ICMP_TYPE,
  F_IN_IF,
  F_IP_VERSION,
  F_NEXT_HOP,
  F_OBSERVATION_DOMAIN,
  F_OUT_IF,
  F_PACKETS,
  F_PROTO,
  F_SEQUENCE,
  F_SRC_ADDR,
  F_SRC_AS,
  F_SRC_MAC,
  F_SRC_MASK,
  F_SRC_PORT,
  F_SRC_VLAN,
  F_TCP_FLAGS,
  F_TOS,
  F_VLAN,
} from '../generated/record'
import { applySampling, putIPv4, putIPv6 } from '../output/record'
import { FT_SFLOW5 } from '../generated/flows'
import { BAD_COUNT, BAD_SAMPLE, OK, TOO_MANY_RECORDS, TRUNCATED_SAMPLE } from '../generated/status'

const FR_HEADER: u32 = 1
const FR_ETHERNET: u32 = 2
const FR_IPV4: u32 = 3
const FR_IPV6: u32 = 4
const FR_SWITCH: u32 = 1001
const FR_ROUTER: u32 = 1002
const FR_GATEWAY: u32 = 1003

const IF_UNKNOWN: u32 = 0x3fffffff

/** Decode the flow sample body at [p, end) into one flow record. */
export function decodeFlowSample(p: usize, end: usize, expanded: bool): u16 {
  const head: usize = expanded ? 44 : 32
  if (!fits(p, head, end)) return BAD_SAMPLE
  let domain: u32, rate: u32, inIf: u32, outIf: u32, count: u32
  if (expanded) {
    domain = be32(p + 8)
    rate = be32(p + 12)
    inIf = expandedInterface(be32(p + 24), be32(p + 28))
    outIf = expandedInterface(be32(p + 32), be32(p + 36))
    count = be32(p + 40)
  } else {
    domain = be32(p + 4) & 0xffffff // top 8 bits: source id type
    rate = be32(p + 8)
    inIf = compactInterface(be32(p + 20))
    outIf = compactInterface(be32(p + 24))
    count = be32(p + 28)
  }
  const first = p + head
  if (<usize>count > (end - first) >> 3) return BAD_COUNT
  const rec = nextRecord()
  if (rec == 0) return TOO_MANY_RECORDS
  fillCommon(rec, FT_SFLOW5)
  store<u64>(rec + F_FLOW_START, dgRecvMs)
  store<u64>(rec + F_FLOW_END, dgRecvMs)
  store<u64>(rec + F_PACKETS, 1)
  store<u32>(rec + F_SEQUENCE, be32(p))
  store<u32>(rec + F_OBSERVATION_DOMAIN, domain)
  store<u32>(rec + F_IN_IF, inIf)
  store<u32>(rec + F_OUT_IF, outIf)
  const status = decodeFlowRecords(rec, first, end, count)
  if (status != OK) {
    rewindTo(outCount - 1) // drop the half-filled record
    return status
  }
  const applied = effectiveRate(rate)
  if (applied == RATE_REFUSED) {
    rewindTo(outCount - 1)
    refuseFlow(dgIndex)
    return OK
  }
  applySampling(rec, applied)
  return OK
}

/**
 * Interface word of a compact flow sample: top 2 bits a format, 30 bits a value. Only a
 * known single ifIndex is kept; discarded (1), multiple (2) and unknown become 0.
 */
function compactInterface(v: u32): u32 {
  const value = v & IF_UNKNOWN
  return v >> 30 == 0 && value != IF_UNKNOWN ? value : 0
}

function expandedInterface(format: u32, value: u32): u32 {
  return format == 0 && value != IF_UNKNOWN && value != 0xffffffff ? value : 0
}

function decodeFlowRecords(rec: usize, p: usize, end: usize, count: u32): u16 {
  let q = p
  let hasHeader = false
  let routerHop = false
  for (let i: u32 = 0; i < count; i++) {
    if (!fits(q, 8, end)) return TRUNCATED_SAMPLE
    const format = be32(q)
    const len = <usize>be32(q + 4)
    const body = q + 8
    if (len > end - body) return TRUNCATED_SAMPLE
    const bodyEnd = body + len
    let ok = true
    if (format == FR_HEADER) {
      ok = readHeader(rec, body, bodyEnd)
      hasHeader = true
    } else if (format == FR_IPV4) {
      if (!hasHeader) ok = readSampledIPv4(rec, body, bodyEnd)
    } else if (format == FR_IPV6) {
      if (!hasHeader) ok = readSampledIPv6(rec, body, bodyEnd)
    } else if (format == FR_SWITCH) {
      ok = readSwitch(rec, body, bodyEnd)
    } else if (format == FR_ROUTER) {
      ok = readRouter(rec, body, bodyEnd)
      routerHop = true
    } else if (format == FR_GATEWAY) {
      ok = readGateway(rec, body, bodyEnd, routerHop)
    } else if (format == FR_ETHERNET) {
      if (!hasHeader) ok = readSampledEthernet(rec, body, bodyEnd)
    } else {
      noteSkipped()
    }
    if (!ok) return BAD_SAMPLE
    q = afterPadding(bodyEnd, len, end)
  }
  return OK
}

// header_protocol, frame_length, stripped, header_length, then header_length bytes.
function readHeader(rec: usize, p: usize, end: usize): bool {
  if (!fits(p, 16, end)) return false
  const headerLength = <usize>be32(p + 12)
  const h = p + 16
  if (headerLength > end - h) return false
  parseRawHeader(rec, be32(p), be32(p + 4), be32(p + 8), h, h + headerLength)
  return true
}

// length, protocol, src, dst, src_port, dst_port, tcp_flags, tos (32 bytes).
function readSampledIPv4(rec: usize, p: usize, end: usize): bool {
  if (!fits(p, 32, end)) return false
  store<u64>(rec + F_BYTES, <u64>be32(p))
  putIPv4(rec, F_SRC_ADDR, p + 8)
  putIPv4(rec, F_DST_ADDR, p + 12)
  store<u8>(rec + F_IP_VERSION, 4)
  sampledTail(rec, be32(p + 4), p + 16, be32(p + 28))
  return true
}

// length, protocol, src, dst, src_port, dst_port, tcp_flags, priority (56 bytes).
function readSampledIPv6(rec: usize, p: usize, end: usize): bool {
  if (!fits(p, 56, end)) return false
  store<u64>(rec + F_BYTES, <u64>be32(p))
  putIPv6(rec, F_SRC_ADDR, p + 8)
  putIPv6(rec, F_DST_ADDR, p + 24)
  store<u8>(rec + F_IP_VERSION, 6)
  sampledTail(rec, be32(p + 4), p + 40, be32(p + 52))
  return true
}

/** Protocol, ports (for ICMP the port words carry type and code, as sflowtool reads them), flags, ToS. */
function sampledTail(rec: usize, proto: u32, ports: usize, tos: u32): void {
  store<u8>(rec + F_PROTO, <u8>proto)
  store<u8>(rec + F_TOS, <u8>tos)
  if (proto == 1 || proto == 58) {
    store<u8>(rec + F_ICMP_TYPE, <u8>be32(ports))
    store<u8>(rec + F_ICMP_CODE, <u8>be32(ports + 4))
    return
  }
  store<u16>(rec + F_SRC_PORT, <u16>be32(ports))
  store<u16>(rec + F_DST_PORT, <u16>be32(ports + 4))
  store<u16>(rec + F_TCP_FLAGS, <u16>(be32(ports + 8) & 0x0fff))
}

// length, src_mac (6 bytes padded to 8), dst_mac (8), type (24 bytes).
function readSampledEthernet(rec: usize, p: usize, end: usize): bool {
  if (!fits(p, 24, end)) return false
  store<u64>(rec + F_SRC_MAC, macAt(p + 4))
  store<u64>(rec + F_DST_MAC, macAt(p + 12))
  return true
}

function macAt(p: usize): u64 {
  return ((<u64>((u8at(p) << 8) | u8at(p + 1))) << 32) | (<u64>be32(p + 2))
}

// src_vlan, src_priority, dst_vlan, dst_priority.
function readSwitch(rec: usize, p: usize, end: usize): bool {
  if (!fits(p, 16, end)) return false
  const src = <u16>(be32(p) & 0xfff)
  store<u16>(rec + F_SRC_VLAN, src)
  store<u16>(rec + F_DST_VLAN, <u16>(be32(p + 8) & 0xfff))
  if (load<u16>(rec + F_VLAN) == 0) store<u16>(rec + F_VLAN, src)
  return true
}

// next_hop address, src_mask_len, dst_mask_len.
function readRouter(rec: usize, p: usize, end: usize): bool {
  const a = addressSize(p, end)
  if (a == 0 || !fits(p + a, 8, end)) return false
  putAddress(rec + F_NEXT_HOP, p)
  store<u8>(rec + F_SRC_MASK, <u8>be32(p + a))
  store<u8>(rec + F_DST_MASK, <u8>be32(p + a + 4))
  return true
}

/**
 * next_hop, as (the router's), src_as, src_peer_as, dst_as_path (segments of type, count,
 * ASNs), then communities and local_pref, which are not kept. dst_as is the last AS of the
 * path (the origin); an empty path means the destination is in the router's own AS. The
 * BGP next hop is kept only when no extended router record gave the IGP one.
 */
function readGateway(rec: usize, p: usize, end: usize, routerHop: bool): bool {
  const a = addressSize(p, end)
  if (a == 0) return false
  let q = p + a
  if (!fits(q, 16, end)) return false
  if (!routerHop) putAddress(rec + F_NEXT_HOP, p)
  let dstAs = be32(q)
  const srcAs = be32(q + 4)
  const segments = be32(q + 12)
  q += 16
  for (let s: u32 = 0; s < segments; s++) {
    if (!fits(q, 8, end)) return false
    const n = <usize>be32(q + 4)
    q += 8
    if (n > (end - q) >> 2) return false
    if (n != 0) dstAs = be32(q + ((n - 1) << 2))
    q += n << 2
  }
  store<u32>(rec + F_SRC_AS, srcAs)
  store<u32>(rec + F_DST_AS, dstAs)
  return true
}
