// The counter region: an array of fixed-size counter records (generated/counter-record.ts),
// filled and drained alongside the flow records (records.ts).
import { CREC_SIZE } from '../generated/counter-record'

export let counterBase: usize = 0
export let counterCap: u32 = 0
export let counterCount: u32 = 0

/** Allocate room for `counters` counter records. */
export function initCounterOutput(counters: u32): void {
  counterBase = heap.alloc(<usize>counters * CREC_SIZE)
  counterCap = counters
  counterCount = 0
}
export function counterRegion(): usize {
  return counterBase
}
export function counterCapacity(): u32 {
  return counterCap
}
export function counterRecordCount(): u32 {
  return counterCount
}

/** Reserve and clear the next counter record; 0 when the region is full. */
export function nextCounterRecord(): usize {
  if (counterCount >= counterCap) return 0
  const rec = counterBase + <usize>counterCount * CREC_SIZE
  counterCount++
  memory.fill(rec, 0, CREC_SIZE)
  return rec
}

/** Forget counter records written after `count` (the datagram is retried). */
export function rewindCountersTo(count: u32): void {
  counterCount = count
}

export function resetCounters(): void {
  counterCount = 0
}
