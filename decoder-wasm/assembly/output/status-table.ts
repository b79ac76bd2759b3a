// The status region: one entry per datagram of the batch (layout in generated/abi.ts,
// ST_*). The batch loop fills each entry; records decoded later for a datagram of the
// batch (held data its template released) and flows refused for their sampling rate
// are added to its entry.
import { ST_RECORDS, ST_REFUSED, ST_REFUSED_RATE, ST_SIZE } from '../generated/abi'

let stBase: usize = 0
let stCount: u32 = 0

/** Allocate one entry per datagram a batch may hold. */
export function initStatusTable(datagrams: u32): void {
  stBase = heap.alloc(<usize>datagrams * ST_SIZE)
}
export function statusRegion(): usize {
  return stBase
}

/** Start a batch of `count` datagrams. */
export function beginStatus(count: u32): void {
  stCount = count
}

/** The entry of datagram `index` of the batch. */
@inline export function statusEntry(index: u32): usize {
  return stBase + <usize>index * ST_SIZE
}

/**
 * Count `n` more records for datagram `index` of the current batch: records of data held
 * earlier, decoded after the batch loop once this datagram's template made them decodable.
 */
export function addRecords(index: u32, n: u32): void {
  if (index >= stCount) return
  const st = statusEntry(index)
  store<u32>(st + ST_RECORDS, load<u32>(st + ST_RECORDS) + n)
}

/** Count a refused flow (announced `rate`) for datagram `index`; false when it is not in the batch. */
export function addRefused(index: u32, rate: u32): bool {
  if (index >= stCount) return false
  const st = statusEntry(index)
  store<u32>(st + ST_REFUSED, load<u32>(st + ST_REFUSED) + 1)
  if (rate > load<u32>(st + ST_REFUSED_RATE)) store<u32>(st + ST_REFUSED_RATE, rate)
  return true
}
