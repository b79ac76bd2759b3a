// Cumulative counters of the template decoders (NetFlow v9, IPFIX), read by the host
// from a u64 array; the indices (C_*) are generated from contract/abi.json (flowCounters)
// into generated/flow-counters.ts.
import { COUNTERS } from '../generated/flow-counters'

const region = memory.data(<i32>COUNTERS * 8)

@inline export function count(c: u32): void {
  store<u64>(region + ((<usize>c) << 3), load<u64>(region + ((<usize>c) << 3)) + 1)
}

@inline export function countN(c: u32, n: u64): void {
  store<u64>(region + ((<usize>c) << 3), load<u64>(region + ((<usize>c) << 3)) + n)
}

@inline export function setCounter(c: u32, v: u64): void {
  store<u64>(region + ((<usize>c) << 3), v)
}

export function countersRegion(): usize {
  return region
}
