// Formats records as ClickHouse TabSeparated rows into the TSV region, so the rows the
// writer inserts leave WASM as one byte copy per run. Column order is TSV_COLUMNS in
// decoder-wasm/src/tsv-columns.ts; the host checks it against columnCount().
import {
  F_BYTES,
  F_DIRECTION,
  F_DST_ADDR,
  F_DST_AS,
  F_DST_MAC,
  F_DST_MASK,
  F_DST_PORT,
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
  F_OUT_IF,
  F_PACKETS,
  F_POST_NAT_DST_ADDR,
  F_POST_NAT_DST_PORT,
  F_POST_NAT_SRC_ADDR,
  F_POST_NAT_SRC_PORT,
  F_PROTO,
  F_SAMPLING_RATE,
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
import {
  SID_DIRECTION,
  SID_FLOW_TYPE,
  SID_PROTO,
  STRING_MAX_BYTES,
  STRING_OVERRUN,
  copyString,
} from './strings'

export const TSV_COLUMN_COUNT: u32 = 48
// Longest a row can be: 36 numbers of at most 20 digits, 6 addresses of at most 39
// characters, separators, three fixed names of at most 32 bytes and nine table strings
// of at most STRING_MAX_BYTES.
const ROW_MAX: usize = 36 * 21 + 6 * 40 + 64 + 3 * 32 + 9 * STRING_MAX_BYTES

let tsvBase: usize = 0
let tsvCap: usize = 0
let tsvLen: usize = 0

export function initTsv(bytes: u32): void {
  tsvCap = <usize>bytes
  tsvBase = heap.alloc(tsvCap)
  fillDec4()
  prefixBase = heap.alloc(PREFIX_MAX)
  secondsBase = heap.alloc(16)
}

/** Empty the TSV region (the host has taken its bytes). */
export function tsvClear(): void {
  tsvLen = 0
  prefixLen = 0
  secondsLen = 0
}
export function tsvRegion(): usize {
  return tsvBase
}
export function tsvLength(): u32 {
  return <u32>tsvLen
}

// "0000".."9999" as four ASCII digits each (filled by initTsv): numbers are written four
// digits per division, and small numbers with one table load and one store.
const DEC4_ENTRIES: usize = 10000
let dec4: usize = 0

function fillDec4(): void {
  dec4 = heap.alloc(DEC4_ENTRIES * 4)
  for (let v: u32 = 0; v < <u32>DEC4_ENTRIES; v++) {
    const at = dec4 + <usize>v * 4
    store<u8>(at, <u8>(48 + v / 1000))
    store<u8>(at + 1, <u8>(48 + (v / 100) % 10))
    store<u8>(at + 2, <u8>(48 + (v / 10) % 10))
    store<u8>(at + 3, <u8>(48 + v % 10))
  }
  hex2 = heap.alloc(512)
  for (let v: usize = 0; v < 256; v++) {
    store<u8>(hex2 + v * 2, load<u8>(HEX + (v >> 4)))
    store<u8>(hex2 + v * 2 + 1, load<u8>(HEX + (v & 15)))
  }
  // Each octet 0..255 as its digits followed by '.', and that length.
  octets = heap.alloc(256 * 5)
  for (let v: u32 = 0; v < 256; v++) {
    const n: u32 = 1 + <u32>(v >= 10) + <u32>(v >= 100)
    const at = octets + <usize>v * 4
    store<u32>(at, (load<u32>(dec4 + <usize>v * 4) >> ((4 - n) * 8)) | (46 << (n * 8)))
    store<u8>(octets + 1024 + <usize>v, <u8>(n + 1))
  }
}

let octets: usize = 0

/** An IPv4 address's dotted quad from its 4 bytes at `a`; writes one byte past the end. */
@inline function putQuad(p: usize, a: usize): usize {
  for (let i: usize = 0; i < 4; i++) {
    const b = <usize>load<u8>(a + i)
    store<u32>(p, load<u32>(octets + b * 4))
    p += <usize>load<u8>(octets + 1024 + b)
  }
  return p - 1
}

/** `v` < 10000 without leading zeros; writes 4 bytes (the row has room), returns the end. */
@inline function putSmall(p: usize, v: u32): usize {
  // Digit count without branches: they would mispredict on mixed-width values.
  const n: u32 = 1 + <u32>(v >= 10) + <u32>(v >= 100) + <u32>(v >= 1000)
  store<u32>(p, load<u32>(dec4 + <usize>v * 4) >> ((4 - n) * 8))
  return p + <usize>n
}

@inline function putU32(p: usize, v: u32): usize {
  if (v < 10000) return putSmall(p, v)
  const lo = v % 10000
  const hi = v / 10000
  if (hi < 10000) p = putSmall(p, hi)
  else {
    p = putSmall(p, hi / 10000)
    store<u32>(p, load<u32>(dec4 + <usize>(hi % 10000) * 4))
    p += 4
  }
  store<u32>(p, load<u32>(dec4 + <usize>lo * 4))
  return p + 4
}

@inline function putU64(p: usize, v: u64): usize {
  return v <= 0xffffffff ? putU32(p, <u32>v) : putU64Big(p, v)
}

function putU64Big(p: usize, v: u64): usize {
  // Above 32 bits: the high part, then the low eight digits zero-padded.
  const hi = v / 100000000
  const lo = <u32>(v % 100000000)
  p = hi <= 0xffffffff ? putU32(p, <u32>hi) : putU64Big(p, hi)
  store<u32>(p, load<u32>(dec4 + <usize>(lo / 10000) * 4))
  store<u32>(p + 4, load<u32>(dec4 + <usize>(lo % 10000) * 4))
  return p + 8
}

@inline function tab(p: usize): usize {
  store<u8>(p, 9)
  return p + 1
}

/** Unix ms as seconds.mmm (DateTime64(3) text). */
@inline function putMillis(p: usize, ms: u64): usize {
  const sec = ms / 1000
  p = putU64(p, sec)
  // '.' then the three millisecond digits: the table entry's first digit is a '0'.
  store<u32>(p, (load<u32>(dec4 + <usize>(ms - sec * 1000) * 4) & 0xffffff00) | 46)
  return p + 4
}

const HEX = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102])
// "00".."ff": each byte as two lowercase hex digits (filled by initTsv).
let hex2: usize = 0

/** IPv6 column text: '::' for zero, ::ffff:a.b.c.d for mapped IPv4, else 8 hex groups. */
@inline function putAddr(p: usize, a: usize): usize {
  const hi = load<u64>(a)
  const lo = load<u64>(a + 8)
  if (hi == 0 && <u32>lo == 0xffff0000) {
    store<u64>(p, 0x003a666666663a3a) // '::ffff:' (and a byte overwritten next)
    return putQuad(p + 7, a + 12)
  }
  if ((hi | lo) == 0) {
    store<u16>(p, 0x3a3a) // '::'
    return p + 2
  }
  return putHexGroups(p, a)
}

// A real IPv6 address, kept out of the inlined fast paths above: eight groups of
// lowercase hex without leading zeros, each written as one 4-byte store from the
// two-digit table and shifted by the digits it does not need.
function putHexGroups(p: usize, a: usize): usize {
  for (let g: usize = 0; g < 8; g++) {
    const hi = <usize>load<u8>(a + g * 2)
    const lo = <usize>load<u8>(a + g * 2 + 1)
    const v = <u32>((hi << 8) | lo)
    // Hex digits of v (at least one): ceil(significant bits / 4).
    const n: u32 = (35 - clz<u32>(v | 1)) >> 2
    const digits = <u32>load<u16>(hex2 + hi * 2) | (<u32>load<u16>(hex2 + lo * 2) << 16)
    store<u32>(p, digits >> ((4 - n) * 8))
    store<u8>(p + <usize>n, 58) // ':'
    p += <usize>n + 1
  }
  return p - 1
}

function putEndpointsSlow(p: usize, rec: usize): usize {
  p = tab(putAddr(p, rec + F_SRC_ADDR))
  return tab(putAddr(p, rec + F_DST_ADDR))
}

@inline function putString(p: usize, rec: usize, slot: usize): usize {
  return copyString(load<u32>(rec + slot), p)
}

// Columns that repeat from row to row (the same for every record of a datagram) are
// formatted once and copied while their fields stay the same: the receive second, and
// exporter .. sampling_rate (exporter, its name, domain, flow type, sequence, rate).
const PREFIX_MAX: usize = 40 + 32 + 11 * 3 + STRING_MAX_BYTES + STRING_OVERRUN
let prefixBase: usize = 0
let prefixLen: usize = 0
let prefixExpHi: u64 = 0
let prefixExpLo: u64 = 0
let prefixDomSeq: u64 = 0
let prefixRate: u32 = 0
let prefixType: u32 = 0
let prefixName: u32 = 0
let secondsBase: usize = 0
let secondsLen: usize = 0
let secondsOf: u64 = 0

@inline function putSeconds(p: usize, ms: u64): usize {
  const sec = ms / 1000
  if (secondsLen == 0 || sec != secondsOf) {
    secondsOf = sec
    secondsLen = putU64(secondsBase, sec) - secondsBase
  }
  store<u64>(p, load<u64>(secondsBase))
  store<u64>(p + 8, load<u64>(secondsBase + 8))
  return p + secondsLen
}

@inline function putPrefix(p: usize, rec: usize): usize {
  const hi = load<u64>(rec + F_EXPORTER)
  const lo = load<u64>(rec + F_EXPORTER + 8)
  const domSeq = load<u64>(rec + F_OBSERVATION_DOMAIN) // domain and sequence, adjacent
  const rate = load<u32>(rec + F_SAMPLING_RATE)
  const type = <u32>load<u8>(rec + F_FLOW_TYPE) & 31
  const name = load<u32>(rec + S_EXPORTER_NAME)
  if (
    prefixLen == 0 ||
    hi != prefixExpHi ||
    lo != prefixExpLo ||
    domSeq != prefixDomSeq ||
    rate != prefixRate ||
    type != prefixType ||
    name != prefixName
  ) {
    prefixExpHi = hi
    prefixExpLo = lo
    prefixDomSeq = domSeq
    prefixRate = rate
    prefixType = type
    prefixName = name
    let q = prefixBase
    q = tab(putAddr(q, rec + F_EXPORTER))
    q = tab(putString(q, rec, S_EXPORTER_NAME))
    q = tab(putU32(q, load<u32>(rec + F_OBSERVATION_DOMAIN)))
    q = tab(copyString(SID_FLOW_TYPE + type, q))
    q = tab(putU32(q, load<u32>(rec + F_SEQUENCE)))
    q = tab(putU32(q, rate))
    prefixLen = q - prefixBase
  }
  copyWords(p, prefixBase, prefixLen)
  return p + prefixLen
}

/** Copy `len` bytes in 8-byte words (may write up to 7 bytes past; rows have room). */
@inline function copyWords(dst: usize, src: usize, len: usize): void {
  for (let i: usize = 0; i < len; i += 8) store<u64>(dst + i, load<u64>(src + i))
}

/** post_nat_src_addr .. nat_event; most flows carry no NAT fields: one store for them. */
@inline function putNat(p: usize, rec: usize): usize {
  const any =
    load<u64>(rec + F_POST_NAT_SRC_ADDR) |
    load<u64>(rec + F_POST_NAT_SRC_ADDR + 8) |
    load<u64>(rec + F_POST_NAT_DST_ADDR) |
    load<u64>(rec + F_POST_NAT_DST_ADDR + 8) |
    <u64>load<u32>(rec + F_POST_NAT_SRC_PORT) |
    <u64>load<u8>(rec + F_NAT_EVENT)
  if (any == 0) {
    store<u64>(p, 0x093a3a093a3a)
    p += 6
    store<u64>(p, 0x0930093009300930)
    return p + 6
  }
  p = tab(putAddr(p, rec + F_POST_NAT_SRC_ADDR))
  p = tab(putAddr(p, rec + F_POST_NAT_DST_ADDR))
  p = tab(putU32(p, <u32>load<u16>(rec + F_POST_NAT_SRC_PORT)))
  p = tab(putU32(p, <u32>load<u16>(rec + F_POST_NAT_DST_PORT)))
  return tab(putU32(p, <u32>load<u8>(rec + F_NAT_EVENT)))
}

function formatRow(rec: usize, p: usize): usize {
  const received = load<u64>(rec + F_TIME_RECEIVED)
  p = tab(putSeconds(p, received))
  p = tab(putMillis(p, flowMillis(load<u64>(rec + F_FLOW_START), received)))
  p = tab(putMillis(p, flowMillis(load<u64>(rec + F_FLOW_END), received)))
  p = putPrefix(p, rec)
  const start = p
  store<u64>(p, 0x003a666666663a3a)
  p = tab(putQuad(p + 7, rec + F_SRC_ADDR + 12))
  store<u64>(p, 0x003a666666663a3a)
  p = tab(putQuad(p + 7, rec + F_DST_ADDR + 12))
  if (
    (load<u64>(rec + F_SRC_ADDR) |
      load<u64>(rec + F_DST_ADDR) |
      <u64>(load<u32>(rec + F_SRC_ADDR + 8) ^ 0xffff0000) |
      <u64>(load<u32>(rec + F_DST_ADDR + 8) ^ 0xffff0000)) !=
    0
  ) {
    p = putEndpointsSlow(start, rec)
  }
  p = tab(putU32(p, <u32>load<u16>(rec + F_SRC_PORT)))
  p = tab(putU32(p, <u32>load<u16>(rec + F_DST_PORT)))
  const proto = <u32>load<u8>(rec + F_PROTO)
  p = tab(putU32(p, proto))
  p = tab(copyString(SID_PROTO + proto, p))
  p = tab(putU32(p, <u32>load<u16>(rec + F_TCP_FLAGS)))
  p = tab(putU32(p, <u32>load<u8>(rec + F_TOS)))
  p = tab(putU32(p, load<u32>(rec + F_IN_IF)))
  p = tab(putU32(p, load<u32>(rec + F_OUT_IF)))
  p = tab(putString(p, rec, S_IN_IF_NAME))
  p = tab(putString(p, rec, S_OUT_IF_NAME))
  p = tab(putU32(p, load<u32>(rec + F_SRC_AS)))
  p = tab(putU32(p, load<u32>(rec + F_DST_AS)))
  p = tab(putString(p, rec, S_SRC_AS_NAME))
  p = tab(putString(p, rec, S_DST_AS_NAME))
  p = tab(putString(p, rec, S_SRC_COUNTRY))
  p = tab(putString(p, rec, S_DST_COUNTRY))
  p = tab(copyString(SID_DIRECTION + (<u32>load<u8>(rec + F_DIRECTION) & 7), p))
  p = tab(putU32(p, <u32>load<u8>(rec + F_SRC_MASK)))
  p = tab(putU32(p, <u32>load<u8>(rec + F_DST_MASK)))
  p = tab(putAddr(p, rec + F_NEXT_HOP))
  p = tab(putU32(p, <u32>load<u8>(rec + F_FLOW_DIRECTION)))
  p = tab(putU32(p, <u32>load<u16>(rec + F_VLAN)))
  p = tab(putU64(p, load<u64>(rec + F_SRC_MAC)))
  p = tab(putU64(p, load<u64>(rec + F_DST_MAC)))
  p = tab(putU32(p, <u32>load<u8>(rec + F_ICMP_TYPE)))
  p = tab(putU32(p, <u32>load<u8>(rec + F_ICMP_CODE)))
  p = tab(putU32(p, <u32>load<u8>(rec + F_FLOW_END_REASON)))
  p = tab(putU32(p, <u32>load<u8>(rec + F_FORWARDING_STATUS)))
  p = putNat(p, rec)
  p = tab(putU64(p, load<u64>(rec + F_BYTES)))
  p = tab(putU64(p, load<u64>(rec + F_PACKETS)))
  p = tab(putString(p, rec, S_SRC_HOST))
  p = putString(p, rec, S_DST_HOST)
  store<u8>(p, 10)
  return p + 1
}

/**
 * Format records [first, first + count) of the region at `records`, appending to the
 * TSV region. Returns how many fit; when fewer than `count`, the host takes the
 * tsvLength() bytes, calls tsvClear() and calls again for the rest.
 */
export function formatTsv(records: usize, first: u32, count: u32): u32 {
  let p = tsvBase + tsvLen
  // The last row may write past its end: up to 16 bytes (wide stores) or
  // STRING_OVERRUN (copyString), the larger.
  const last = tsvBase + tsvCap - ROW_MAX - STRING_OVERRUN
  let done: u32 = 0
  while (done < count && p <= last) {
    p = formatRow(records + <usize>(first + done) * REC_SIZE, p)
    done++
  }
  tsvLen = p - tsvBase
  return done
}
