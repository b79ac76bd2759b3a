// The TSV row region: records are formatted into it as ClickHouse TabSeparated rows
// (tsv-row.generated.ts, in the flows columns' order of contract/flows.json) for the
// flow log and `flowloft decode`, and leave WASM as one byte copy per run.
import { REC_SIZE } from '../generated/record'
import { TSV_ROW_MAX, formatTsvRow, initTsvRow, resetTsvRow } from './tsv-row.generated'
import { initTsvEncode, resetSeconds } from './tsv-encode'
import { STRING_OVERRUN } from './strings'

let tsvBase: usize = 0
let tsvCap: usize = 0
let tsvLen: usize = 0

export function initTsv(bytes: u32): void {
  tsvCap = <usize>bytes
  tsvBase = heap.alloc(tsvCap)
  initTsvEncode()
  initTsvRow()
}

/** Empty the TSV region (the host has taken its bytes). */
export function tsvClear(): void {
  tsvLen = 0
  resetTsvRow()
  resetSeconds()
}
export function tsvRegion(): usize {
  return tsvBase
}
export function tsvLength(): u32 {
  return <u32>tsvLen
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
  const last = tsvBase + tsvCap - TSV_ROW_MAX - STRING_OVERRUN
  let done: u32 = 0
  while (done < count && p <= last) {
    p = formatTsvRow(records + <usize>(first + done) * REC_SIZE, p)
    done++
  }
  tsvLen = p - tsvBase
  return done
}
