// The output region: an array of fixed-size flow records (generated/record.ts).
import { REC_SIZE, beginRecord } from '../generated/record'

export let outBase: usize = 0
export let outCap: u32 = 0
export let outCount: u32 = 0

/** Allocate room for `records` records. */
export function initOutput(records: u32): void {
  outBase = heap.alloc(<usize>records * REC_SIZE)
  outCap = records
  outCount = 0
}
export function outputRegion(): usize {
  return outBase
}
export function outputCapacity(): u32 {
  return outCap
}
export function recordCount(): u32 {
  return outCount
}

/** Reserve and clear the next record; 0 when the output is full. */
export function nextRecord(): usize {
  if (outCount >= outCap) return 0
  const rec = outBase + <usize>outCount * REC_SIZE
  outCount++
  beginRecord(rec)
  return rec
}

/** Forget records written after `count` (a datagram that did not fit is retried). */
export function rewindTo(count: u32): void {
  outCount = count
}

export function resetOutput(): void {
  outCount = 0
}

/** Reserve the next record without clearing it (the caller writes all of it); 0 when full. */
export function reserveRecord(): usize {
  if (outCount >= outCap) return 0
  const rec = outBase + <usize>outCount * REC_SIZE
  outCount++
  return rec
}
