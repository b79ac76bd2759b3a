// The counter region: an array of fixed-size counter records (counter-record.ts),
// filled and drained alongside the flow output (output.ts).
import { CREC_SIZE } from './counter-record'

export let counterBase: usize = 0
export let counterCap: u32 = 0
export let counterCount: u32 = 0

export function setCounterOutput(base: usize, cap: u32): void {
  counterBase = base
  counterCap = cap
  counterCount = 0
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
