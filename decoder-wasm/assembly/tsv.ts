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
import { SID_DIRECTION, SID_FLOW_TYPE, SID_PROTO, copyString, stringLength } from './strings'

export const TSV_COLUMN_COUNT: u32 = 48
// Longest a row can be without its strings: 36 numbers of at most 20 digits, 6
// addresses of at most 39 characters, separators.
const ROW_FIXED_MAX: usize = 36 * 21 + 6 * 40 + 64

let tsvBase: usize = 0
let tsvCap: usize = 0
let tsvLen: usize = 0

export function initTsv(bytes: u32): void {
  tsvCap = <usize>bytes
  tsvBase = heap.alloc(tsvCap)
  fillDec4()
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
}

/** `v` < 10000 without leading zeros; writes 4 bytes (the row has room), returns the end. */
@inline function putSmall(p: usize, v: u32): usize {
  const n: u32 = v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : 4
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

/** IPv6 column text: '::' for zero, ::ffff:a.b.c.d for mapped IPv4, else 8 hex groups. */
@inline function putAddr(p: usize, a: usize): usize {
  const hi = load<u64>(a)
  const lo = load<u64>(a + 8)
  if (hi == 0 && lo == 0) {
    store<u16>(p, 0x3a3a) // '::'
    return p + 2
  }
  if (hi == 0 && <u32>lo == 0xffff0000) {
    store<u64>(p, 0x003a666666663a3a) // '::ffff:' (and a byte overwritten next)
    p += 7
    for (let i: usize = 0; i < 4; i++) {
      if (i > 0) {
        store<u8>(p, 46)
        p++
      }
      p = putSmall(p, <u32>load<u8>(a + 12 + i))
    }
    return p
  }
  for (let g: usize = 0; g < 8; g++) {
    if (g > 0) {
      store<u8>(p, 58)
      p++
    }
    const v: u32 = (<u32>load<u8>(a + g * 2) << 8) | <u32>load<u8>(a + g * 2 + 1)
    let started = false
    for (let s: i32 = 12; s >= 0; s -= 4) {
      const d = (v >> <u32>s) & 15
      if (d != 0 || started || s == 0) {
        store<u8>(p, load<u8>(HEX + d))
        p++
        started = true
      }
    }
  }
  return p
}

@inline function putString(p: usize, rec: usize, slot: usize): usize {
  return copyString(load<u32>(rec + slot), p)
}

function stringsLength(rec: usize): usize {
  let n = stringLength(SID_PROTO + <u32>load<u8>(rec + F_PROTO))
  n += stringLength(SID_FLOW_TYPE + (<u32>load<u8>(rec + F_FLOW_TYPE) & 31))
  n += stringLength(SID_DIRECTION + (<u32>load<u8>(rec + F_DIRECTION) & 7))
  for (let s: usize = S_EXPORTER_NAME; s <= S_DST_HOST; s += 4) n += stringLength(load<u32>(rec + s))
  return <usize>n
}

function formatRow(rec: usize, p: usize): usize {
  p = tab(putU64(p, load<u64>(rec + F_TIME_RECEIVED) / 1000))
  p = tab(putMillis(p, load<u64>(rec + F_FLOW_START)))
  p = tab(putMillis(p, load<u64>(rec + F_FLOW_END)))
  p = tab(putAddr(p, rec + F_EXPORTER))
  p = tab(putString(p, rec, S_EXPORTER_NAME))
  p = tab(putU32(p, load<u32>(rec + F_OBSERVATION_DOMAIN)))
  p = tab(copyString(SID_FLOW_TYPE + (<u32>load<u8>(rec + F_FLOW_TYPE) & 31), p))
  p = tab(putU32(p, load<u32>(rec + F_SEQUENCE)))
  p = tab(putU32(p, load<u32>(rec + F_SAMPLING_RATE)))
  p = tab(putAddr(p, rec + F_SRC_ADDR))
  p = tab(putAddr(p, rec + F_DST_ADDR))
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
  p = tab(putAddr(p, rec + F_POST_NAT_SRC_ADDR))
  p = tab(putAddr(p, rec + F_POST_NAT_DST_ADDR))
  p = tab(putU32(p, <u32>load<u16>(rec + F_POST_NAT_SRC_PORT)))
  p = tab(putU32(p, <u32>load<u16>(rec + F_POST_NAT_DST_PORT)))
  p = tab(putU32(p, <u32>load<u8>(rec + F_NAT_EVENT)))
  p = tab(putU64(p, load<u64>(rec + F_BYTES)))
  p = tab(putU64(p, load<u64>(rec + F_PACKETS)))
  p = tab(putString(p, rec, S_SRC_HOST))
  p = putString(p, rec, S_DST_HOST)
  store<u8>(p, 10)
  return p + 1
}

/**
 * Format records [first, first + count) of the region at `records` into the TSV region
 * (replacing what it held). Returns how many fit; the host copies tsvLength() bytes
 * and calls again for the rest.
 */
export function formatTsv(records: usize, first: u32, count: u32): u32 {
  let p = tsvBase
  const end = tsvBase + tsvCap
  let done: u32 = 0
  while (done < count) {
    const rec = records + <usize>(first + done) * REC_SIZE
    if (end - p < ROW_FIXED_MAX + stringsLength(rec)) break
    p = formatRow(rec, p)
    done++
  }
  tsvLen = p - tsvBase
  return done
}
