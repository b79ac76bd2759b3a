// Formats records as ClickHouse RowBinary rows into the row region, in the column order
// of TSV_COLUMNS (decoder-wasm/src/tsv-columns.ts) with the types of flowloft.flows:
// DateTime as UInt32 seconds, DateTime64(3) as Int64 milliseconds, IPv6 as its 16 bytes
// in network order, Enum8 as its Int8 code, LowCardinality(String) as a String (LEB128
// length, then the bytes), integers little-endian. ClickHouse reads these rows with no
// text parsing: on enriched v9 rows into flows with its views, 6.4 us of CPU per row
// against 10.2 for the same rows as TSV (merges included).
import {
  F_BYTES,
  F_DIRECTION,
  F_DST_AS,
  F_DST_MAC,
  F_DST_MASK,
  F_EXPORTER,
  F_FLOW_DIRECTION,
  F_FLOW_END,
  F_FLOW_END_REASON,
  F_FLOW_START,
  F_FLOW_TYPE,
  F_FORWARDING_STATUS,
  F_ICMP_CODE,
  F_ICMP_TYPE,
  F_IN_IF,
  F_NAT_EVENT,
  F_NEXT_HOP,
  F_OBSERVATION_DOMAIN,
  F_PACKETS,
  F_POST_NAT_SRC_ADDR,
  F_POST_NAT_SRC_PORT,
  F_PROTO,
  F_SEQUENCE,
  F_SRC_ADDR,
  F_SRC_AS,
  F_SRC_MAC,
  F_SRC_MASK,
  F_SRC_PORT,
  F_TCP_FLAGS,
  F_TIME_RECEIVED,
  F_TOS,
  F_VLAN,
  REC_SIZE,
  S_DST_AS_NAME,
  S_DST_COUNTRY,
  S_DST_HOST,
  S_EXPORTER_NAME,
  S_IN_IF_NAME,
  S_OUT_IF_NAME,
  S_SRC_AS_NAME,
  S_SRC_COUNTRY,
  S_SRC_HOST,
} from './record'
import { flowMillis } from './flow-times'
import { SID_PROTO, STRING_MAX_BYTES, STRING_OVERRUN, copyBinaryString } from './strings'

// Longest a row can be: 206 bytes of fixed-width columns (rounded up) and ten strings
// (nine from the table, the protocol name) of at most STRING_MAX_BYTES each.
const ROW_MAX: usize = 256 + 10 * STRING_MAX_BYTES

let rbBase: usize = 0
let rbCap: usize = 0
let rbLen: usize = 0

export function initRowBinary(bytes: u32): void {
  rbCap = <usize>bytes
  rbBase = heap.alloc(rbCap)
}

/** Empty the row region (the host has taken its bytes). */
export function rowBinaryClear(): void {
  rbLen = 0
}
export function rowBinaryRegion(): usize {
  return rbBase
}
export function rowBinaryLength(): u32 {
  return <u32>rbLen
}

@inline function copy16(p: usize, from: usize): usize {
  store<u64>(p, load<u64>(from))
  store<u64>(p + 8, load<u64>(from + 8))
  return p + 16
}

@inline function putString(p: usize, rec: usize, slot: usize): usize {
  return copyBinaryString(load<u32>(rec + slot), p)
}

function formatRow(rec: usize, p: usize): usize {
  const received = load<u64>(rec + F_TIME_RECEIVED)
  store<u32>(p, <u32>(received / 1000))
  store<u64>(p + 4, flowMillis(load<u64>(rec + F_FLOW_START), received))
  store<u64>(p + 12, flowMillis(load<u64>(rec + F_FLOW_END), received))
  p = copy16(p + 20, rec + F_EXPORTER)
  p = putString(p, rec, S_EXPORTER_NAME)
  store<u32>(p, load<u32>(rec + F_OBSERVATION_DOMAIN))
  store<u8>(p + 4, load<u8>(rec + F_FLOW_TYPE) & 31)
  // sequence, sampling_rate: adjacent u32s in the record and in the row.
  store<u64>(p + 5, load<u64>(rec + F_SEQUENCE))
  // src_addr, dst_addr, then src_port, dst_port: adjacent in both.
  copy16(p + 13, rec + F_SRC_ADDR)
  copy16(p + 29, rec + F_SRC_ADDR + 16)
  store<u32>(p + 45, load<u32>(rec + F_SRC_PORT))
  const proto = <u32>load<u8>(rec + F_PROTO)
  store<u8>(p + 49, <u8>proto)
  p = copyBinaryString(SID_PROTO + proto, p + 50)
  store<u16>(p, load<u16>(rec + F_TCP_FLAGS))
  store<u8>(p + 2, load<u8>(rec + F_TOS))
  store<u64>(p + 3, load<u64>(rec + F_IN_IF)) // in_if, out_if
  p = putString(p + 11, rec, S_IN_IF_NAME)
  p = putString(p, rec, S_OUT_IF_NAME)
  store<u64>(p, load<u64>(rec + F_SRC_AS)) // src_as, dst_as
  p = putString(p + 8, rec, S_SRC_AS_NAME)
  p = putString(p, rec, S_DST_AS_NAME)
  p = putString(p, rec, S_SRC_COUNTRY)
  p = putString(p, rec, S_DST_COUNTRY)
  store<u8>(p, load<u8>(rec + F_DIRECTION) & 7)
  store<u8>(p + 1, load<u8>(rec + F_SRC_MASK))
  store<u8>(p + 2, load<u8>(rec + F_DST_MASK))
  copy16(p + 3, rec + F_NEXT_HOP)
  store<u8>(p + 19, load<u8>(rec + F_FLOW_DIRECTION))
  store<u16>(p + 20, load<u16>(rec + F_VLAN))
  store<u64>(p + 22, load<u64>(rec + F_SRC_MAC))
  store<u64>(p + 30, load<u64>(rec + F_DST_MAC))
  store<u8>(p + 38, load<u8>(rec + F_ICMP_TYPE))
  store<u8>(p + 39, load<u8>(rec + F_ICMP_CODE))
  store<u8>(p + 40, load<u8>(rec + F_FLOW_END_REASON))
  store<u8>(p + 41, load<u8>(rec + F_FORWARDING_STATUS))
  // post_nat_src_addr, post_nat_dst_addr, then both ports: adjacent in both.
  copy16(p + 42, rec + F_POST_NAT_SRC_ADDR)
  copy16(p + 58, rec + F_POST_NAT_SRC_ADDR + 16)
  store<u32>(p + 74, load<u32>(rec + F_POST_NAT_SRC_PORT))
  store<u8>(p + 78, load<u8>(rec + F_NAT_EVENT))
  store<u64>(p + 79, load<u64>(rec + F_BYTES))
  store<u64>(p + 87, load<u64>(rec + F_PACKETS))
  p = putString(p + 95, rec, S_SRC_HOST)
  return putString(p, rec, S_DST_HOST)
}

/**
 * Format records [first, first + count) of the region at `records`, appending to the
 * row region. Returns how many fit; when fewer than `count`, the host takes the
 * rowBinaryLength() bytes, calls rowBinaryClear() and calls again for the rest.
 */
export function formatRowBinary(records: usize, first: u32, count: u32): u32 {
  let p = rbBase + rbLen
  // The last row may write past its end: up to STRING_OVERRUN bytes (copyBinaryString).
  const last = rbBase + rbCap - ROW_MAX - STRING_OVERRUN
  let done: u32 = 0
  while (done < count && p <= last) {
    p = formatRow(records + <usize>(first + done) * REC_SIZE, p)
    done++
  }
  rbLen = p - rbBase
  return done
}
