// Runs a compiled decode plan (plan.ts) over one data record: each step reads one
// field, bounds-checked against the end of the set, into the record or a scratch slot.
import { be16 } from '../shared/reader'
import {
  OP_ADDR4,
  OP_ADDR4_NZ,
  OP_ADDR6,
  OP_ADDR6_NZ,
  OP_ICMP,
  OP_INTERVAL,
  OP_MAC,
  OP_NTP_MICRO,
  OP_NTP_NANO,
  OP_OR8,
  OP_SCRATCH,
  OP_SECONDS,
  OP_SKIP,
  OP_SKIP_VAR,
  OP_U16,
  OP_U32,
  OP_U64,
  OP_U8,
  SCRATCH_SLOTS,
} from './plan-ops'
import { F_ICMP_CODE, F_ICMP_TYPE } from '../generated/record'
import { putIPv4, putIPv6 } from '../output/record'

/** Scratch values of the current record, u64 per slot (plan-ops.ts S_*). */
export const scratch = memory.data(<i32>SCRATCH_SLOTS * 8)

@inline export function scratchAt(slot: u32): u64 {
  return load<u64>(scratch + ((<usize>slot) << 3))
}

@inline export function clearScratch(): void {
  memory.fill(scratch, 0, <usize>SCRATCH_SLOTS * 8)
}

/** Big-endian unsigned integer of 1..8 bytes. */
@inline export function readUint(p: usize, len: usize): u64 {
  switch (<u32>len) {
    case 1:
      return <u64>load<u8>(p)
    case 2:
      return <u64>bswap<u16>(load<u16>(p))
    case 4:
      return <u64>bswap<u32>(load<u32>(p))
    case 8:
      return bswap<u64>(load<u64>(p))
  }
  let v: u64 = 0
  for (let i: usize = 0; i < len; i++) v = (v << 8) | (<u64>load<u8>(p + i))
  return v
}

const NTP_UNIX_OFFSET: u64 = 2208988800

/**
 * NTP 64-bit timestamp (seconds since 1900 . fraction, RFC 7011 6.1.9/6.1.10) to unix ms;
 * 0 before 1970. The fraction is taken to the nearest of `units` per second (what the
 * exporter encoded, in microseconds or nanoseconds), then truncated to ms: a plain
 * truncation of the binary fraction lands 1 ms early on most exact values.
 */
@inline export function ntpToUnixMs(v: u64, units: u64): u64 {
  const secs = v >> 32
  if (secs < NTP_UNIX_OFFSET) return 0
  const sub = ((v & 0xffffffff) * units + 0x80000000) >> 32 // frac < 2^32, units <= 1e9
  return (secs - NTP_UNIX_OFFSET) * 1000 + sub / (units / 1000)
}

/**
 * MikroTik RouterOS v6 sends the in-record sampling interval little-endian. A 4-byte
 * value above 65535 whose byte swap fits 16 bits is taken as such (an interval that is a
 * multiple of 65536 would be misread; none is seen in practice).
 */
@inline function samplingInterval(v: u64, len: usize): u64 {
  if (len == 4 && v > 0xffff) {
    const swapped = <u64>bswap<u32>(<u32>v)
    if (swapped != 0 && swapped <= 0xffff) return swapped
  }
  return v
}

function isZero(p: usize, len: usize): bool {
  for (let i: usize = 0; i < len; i++) if (load<u8>(p + i) != 0) return false
  return true
}

/**
 * Apply `n` steps at `steps` to the record at `p` (ending no later than `end`), writing
 * into `rec` and the scratch slots. Returns the end of the record, or 0 when a field runs
 * past `end`.
 */
export function runSteps(steps: usize, n: u32, p: usize, end: usize, rec: usize): usize {
  for (let i: u32 = 0; i < n; i++) {
    const w = load<u32>(steps + ((<usize>i) << 2))
    const op = w & 0xff
    const t = <usize>((w >> 8) & 0xff)
    let len = <usize>(w >> 16)
    if (op == OP_SKIP_VAR) {
      if (p >= end) return 0
      len = <usize>load<u8>(p)
      p++
      if (len == 255) {
        if (end - p < 2) return 0
        len = <usize>be16(p)
        p += 2
      }
    }
    if (end - p < len) return 0
    switch (op) {
      case OP_SKIP:
      case OP_SKIP_VAR:
        break
      case OP_U8:
        store<u8>(rec + t, <u8>readUint(p, len))
        break
      case OP_U16:
        store<u16>(rec + t, <u16>readUint(p, len))
        break
      case OP_U32:
        store<u32>(rec + t, <u32>readUint(p, len))
        break
      case OP_U64:
        store<u64>(rec + t, readUint(p, len))
        break
      case OP_OR8:
        store<u8>(rec + t, load<u8>(rec + t) | (<u8>readUint(p, len)))
        break
      case OP_MAC:
        store<u64>(rec + t, readUint(p, 6))
        break
      case OP_ICMP:
        store<u8>(rec + F_ICMP_TYPE, load<u8>(rec + F_ICMP_TYPE) | load<u8>(p))
        store<u8>(rec + F_ICMP_CODE, load<u8>(rec + F_ICMP_CODE) | load<u8>(p + 1))
        break
      case OP_ADDR4:
        putIPv4(rec, t, p)
        break
      case OP_ADDR4_NZ:
        if (load<u32>(p) != 0) putIPv4(rec, t, p)
        break
      case OP_ADDR6:
        putIPv6(rec, t, p)
        break
      case OP_ADDR6_NZ:
        if (!isZero(p, 16)) putIPv6(rec, t, p)
        break
      case OP_SECONDS:
        store<u64>(rec + t, readUint(p, len) * 1000)
        break
      case OP_NTP_MICRO:
        store<u64>(rec + t, ntpToUnixMs(readUint(p, 8) & ~(<u64>0x7ff), 1_000_000))
        break
      case OP_NTP_NANO:
        store<u64>(rec + t, ntpToUnixMs(readUint(p, 8), 1_000_000_000))
        break
      case OP_SCRATCH:
        store<u64>(scratch + (t << 3), readUint(p, len))
        break
      case OP_INTERVAL:
        store<u64>(scratch + (t << 3), samplingInterval(readUint(p, len), len))
        break
    }
    p += len
  }
  return p
}

/** True when the bytes between p and end are all zero (set padding). */
export function isPadding(p: usize, end: usize): bool {
  return p >= end || isZero(p, end - p)
}
