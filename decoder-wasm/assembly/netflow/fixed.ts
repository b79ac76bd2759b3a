// NetFlow v1, v5, v6 and v7: a fixed header followed by `count` fixed-size records.
// The four versions share the first 36 bytes of the record; they differ in header
// size, record size, where the flags/protocol/ToS bytes sit and which extra fields exist.
import { be16, be32, fits, u8at } from '../shared/reader'
import { dgIndex, effectiveRate, fillCommon, uptimeToUnixMs } from '../shared/datagram'
import { RATE_REFUSED, refuseFlow } from '../shared/sampling-cap'
import { nextRecord } from '../output/records'
import {
  F_BYTES,
  F_DST_ADDR,
  F_DST_AS,
  F_DST_MASK,
  F_DST_PORT,
  F_FLOW_END,
  F_FLOW_START,
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
  F_SRC_MASK,
  F_SRC_PORT,
  F_TCP_FLAGS,
  F_TOS,
  F_ICMP_TYPE,
  F_ICMP_CODE,
} from '../generated/record'
import { applySampling, putIPv4 } from '../output/record'
import { BAD_COUNT, OK, TOO_MANY_RECORDS, TRUNCATED_HEADER } from '../generated/status'

export class FixedLayout {
  constructor(
    public flowType: u8,
    public headerSize: u32,
    public recordSize: u32,
    public maxCount: u32,
    public flagsAt: u32,
    public protoAt: u32,
    public tosAt: u32,
    public hasAS: bool,
    public hasSequence: bool,
    public hasEngine: bool,
    public hasSampling: bool,
  ) {}
}

export function decodeFixed(p: usize, end: usize, l: FixedLayout): u16 {
  if (!fits(p, l.headerSize, end)) return TRUNCATED_HEADER
  const count = be16(p + 2)
  const sysUptime = be32(p + 4)
  const exportMs: u64 = <u64>be32(p + 8) * 1000 + <u64>(be32(p + 12) / 1000000)
  if (count == 0 || count > l.maxCount) return BAD_COUNT
  const body = p + l.headerSize
  if (!fits(body, <usize>count * l.recordSize, end)) return BAD_COUNT
  const sequence: u32 = l.hasSequence ? be32(p + 16) : 0
  const domain: u32 = l.hasEngine ? (u8at(p + 20) << 8) | u8at(p + 21) : 0
  // v5: top 2 bits sampling mode, low 14 bits the interval; 0 means unsampled.
  const announced: u32 = l.hasSampling ? be16(p + 22) & 0x3fff : 0
  const rate = effectiveRate(announced)
  if (rate == RATE_REFUSED) {
    for (let i: u32 = 0; i < count; i++) refuseFlow(dgIndex)
    return OK
  }

  for (let i: u32 = 0; i < count; i++) {
    const r = body + <usize>i * l.recordSize
    const rec = nextRecord()
    if (rec == 0) return TOO_MANY_RECORDS
    fillCommon(rec, l.flowType)
    putIPv4(rec, F_SRC_ADDR, r)
    putIPv4(rec, F_DST_ADDR, r + 4)
    putIPv4(rec, F_NEXT_HOP, r + 8)
    store<u32>(rec + F_IN_IF, be16(r + 12))
    store<u32>(rec + F_OUT_IF, be16(r + 14))
    store<u64>(rec + F_PACKETS, <u64>be32(r + 16))
    store<u64>(rec + F_BYTES, <u64>be32(r + 20))
    store<u64>(rec + F_FLOW_START, uptimeToUnixMs(exportMs, sysUptime, be32(r + 24)))
    store<u64>(rec + F_FLOW_END, uptimeToUnixMs(exportMs, sysUptime, be32(r + 28)))
    const proto = u8at(r + l.protoAt)
    const dport = be16(r + 34)
    store<u16>(rec + F_SRC_PORT, <u16>be16(r + 32))
    store<u16>(rec + F_DST_PORT, <u16>dport)
    store<u8>(rec + F_TCP_FLAGS, <u8>u8at(r + l.flagsAt))
    store<u8>(rec + F_PROTO, <u8>proto)
    store<u8>(rec + F_TOS, <u8>u8at(r + l.tosAt))
    store<u8>(rec + F_IP_VERSION, 4)
    if (proto == 1) {
      // ICMP type and code ride in the destination port (type * 256 + code).
      store<u8>(rec + F_ICMP_TYPE, <u8>(dport >> 8))
      store<u8>(rec + F_ICMP_CODE, <u8>(dport & 0xff))
    }
    if (l.hasAS) {
      store<u32>(rec + F_SRC_AS, be16(r + 40))
      store<u32>(rec + F_DST_AS, be16(r + 42))
      store<u8>(rec + F_SRC_MASK, <u8>u8at(r + 44))
      store<u8>(rec + F_DST_MASK, <u8>u8at(r + 45))
    }
    store<u32>(rec + F_SEQUENCE, sequence)
    store<u32>(rec + F_OBSERVATION_DOMAIN, domain)
    applySampling(rec, rate)
  }
  return OK
}
