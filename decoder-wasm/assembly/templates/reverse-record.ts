// RFC 5103 biflows: a record carrying reverse counters (enterprise 29305) is emitted a
// second time for the reverse direction, endpoints swapped, when those counters are
// non-zero.
import { nextRecord } from '../output/records'
import { S_REV_BYTES, S_REV_FLAGS, S_REV_PACKETS } from './plan-ops'
import {
  F_BYTES,
  F_DST_ADDR,
  F_DST_AS,
  F_DST_MAC,
  F_DST_MASK,
  F_DST_PORT,
  F_DST_VLAN,
  F_FLOW_DIRECTION,
  F_IN_IF,
  F_OUT_IF,
  F_PACKETS,
  F_POST_NAT_DST_ADDR,
  F_POST_NAT_SRC_ADDR,
  F_POST_NAT_SRC_PORT,
  F_SRC_ADDR,
  F_SRC_AS,
  F_SRC_MAC,
  F_SRC_MASK,
  F_SRC_PORT,
  F_SRC_VLAN,
  F_TCP_FLAGS,
  F_VLAN,
  REC_SIZE,
} from '../generated/record'
import { applySampling } from '../output/record'
import { scratchAt } from './steps'
import { OK, TOO_MANY_RECORDS } from '../generated/status'

@inline function swap64(r: usize, a: usize, b: usize): void {
  const t = load<u64>(r + a)
  store<u64>(r + a, load<u64>(r + b))
  store<u64>(r + b, t)
}

@inline function swap32(r: usize, a: usize, b: usize): void {
  const t = load<u32>(r + a)
  store<u32>(r + a, load<u32>(r + b))
  store<u32>(r + b, t)
}

@inline function swap16(r: usize, a: usize, b: usize): void {
  const t = load<u16>(r + a)
  store<u16>(r + a, load<u16>(r + b))
  store<u16>(r + b, t)
}

@inline function swap8(r: usize, a: usize, b: usize): void {
  const t = load<u8>(r + a)
  store<u8>(r + a, load<u8>(r + b))
  store<u8>(r + b, t)
}

/** Turn the record at `r` into its reverse direction with the given counters. */
function reverse(r: usize, bytes: u64, packets: u64, rate: u32): void {
  swap64(r, F_SRC_ADDR, F_DST_ADDR)
  swap64(r, F_SRC_ADDR + 8, F_DST_ADDR + 8)
  swap16(r, F_SRC_PORT, F_DST_PORT)
  swap32(r, F_SRC_AS, F_DST_AS)
  swap8(r, F_SRC_MASK, F_DST_MASK)
  swap64(r, F_SRC_MAC, F_DST_MAC)
  swap32(r, F_IN_IF, F_OUT_IF)
  swap16(r, F_SRC_VLAN, F_DST_VLAN)
  store<u16>(r + F_VLAN, load<u16>(r + F_SRC_VLAN))
  // Translations belong to the forward direction.
  memory.fill(r + F_POST_NAT_SRC_ADDR, 0, 16)
  memory.fill(r + F_POST_NAT_DST_ADDR, 0, 16)
  store<u32>(r + F_POST_NAT_SRC_PORT, 0) // both post-NAT ports
  const dir = load<u8>(r + F_FLOW_DIRECTION)
  if (dir <= 1) store<u8>(r + F_FLOW_DIRECTION, 1 - dir)
  store<u64>(r + F_BYTES, bytes)
  store<u64>(r + F_PACKETS, packets)
  store<u16>(r + F_TCP_FLAGS, <u16>scratchAt(S_REV_FLAGS))
  applySampling(r, rate)
}

/**
 * Emit the reverse direction of the finished record `rec` (sampling `rate`). A biflow
 * whose forward direction saw nothing becomes its reverse record alone.
 */
export function emitReverse(rec: usize, rate: u32): u16 {
  const bytes = scratchAt(S_REV_BYTES)
  const packets = scratchAt(S_REV_PACKETS)
  if (bytes == 0 && packets == 0) return OK
  if (load<u64>(rec + F_BYTES) == 0 && load<u64>(rec + F_PACKETS) == 0) {
    reverse(rec, bytes, packets, rate)
    return OK
  }
  const r = nextRecord()
  if (r == 0) return TOO_MANY_RECORDS
  memory.copy(r, rec, REC_SIZE)
  reverse(r, bytes, packets, rate)
  return OK
}
