// The exported ABI, and nothing else: each function is implemented in the folder that
// owns its concern. The host calls init() and initText() once, writes datagrams into the
// input region, then begin(n) and run() until run() returns n, reading records (and
// counter records) after each run; records are enriched and formatted as rows in place.
import { CONTRACT_HASH } from './generated/abi'
import { ROW_COLUMN_COUNT } from './generated/flows'
import { initInput, inputCapacity, inputRegion } from './batch'
import { initStatusTable } from './output/status-table'
import { initOutput, outBase } from './output/records'
import { initCounterOutput } from './output/counter-records'
import { setMaxRate } from './shared/sampling-cap'
import { importEvents } from './sets/state'
import { initStrings } from './rows/strings'
import { initTsv, formatTsv as formatTsvAt } from './rows/tsv'
import { initRowBinary, formatRowBinary as formatRowBinaryAt } from './rows/row-binary'
import {
  enrichRetry as enrichRetryAt,
  enrichRun as enrichRunAt,
  initEnrichCache,
} from './enrich/cache'

/** The contract this module was built from (contract/*.json): the host checks it. */
export function contractHash(): u32 {
  return CONTRACT_HASH
}

// Regions and the batch loop.

/** Allocate the regions. Call once. `counters`: interface-counter records per run. */
export function init(inputBytes: u32, datagrams: u32, records: u32, counters: u32): void {
  initInput(inputBytes, datagrams)
  initStatusTable(datagrams)
  initOutput(records)
  initCounterOutput(counters)
}
export { inputRegion, inputCapacity, datagramCapacity, begin, run } from './batch'
export { statusRegion } from './output/status-table'
export { outputRegion, outputCapacity, recordCount } from './output/records'
export { counterRegion, counterCapacity, counterRecordCount } from './output/counter-records'

/** Highest sampling rate applied (decode.max_sampling_rate); 0 turns the cap off. */
export function setMaxSamplingRate(rate: u32): void {
  setMaxRate(rate)
}

// NetFlow v9 / IPFIX state: templates, held data, template-sharing events, counters.
export {
  initFlowState,
  flowEventsRegion,
  flowEventsLength,
  flowEventsClear,
  flowReleaseHeld,
  flowExpireHeld,
  flowCountersRegion,
  flowCounterCount,
} from './sets/state'

/** Apply template-sharing events the host wrote at the start of the input region. */
export function flowImportInput(len: u32): u32 {
  const cap = inputCapacity()
  return importEvents(inputRegion(), len < cap ? len : cap)
}

// Rows: the string table the host fills, and the rows formatted from records as TSV
// (flow log, `flowloft decode`) and as RowBinary (the writer's inserts).

/** Allocate the string table and the two row regions. Call once, after init(). */
export function initText(
  stringIds: u32,
  arenaBytes: u32,
  tsvBytes: u32,
  rowBinaryBytes: u32,
): void {
  initStrings(stringIds, arenaBytes)
  initTsv(tsvBytes)
  initRowBinary(rowBinaryBytes)
}
export { stringIndexRegion, stringArenaRegion, stringCapacity } from './rows/strings'
export { tsvRegion, tsvLength, tsvClear } from './rows/tsv'
export { rowBinaryRegion, rowBinaryLength, rowBinaryClear } from './rows/row-binary'

export function rowColumnCount(): u32 {
  return ROW_COLUMN_COUNT
}
/** Format output records [first, first + count) as RowBinary; returns how many fit. */
export function formatRowBinary(first: u32, count: u32): u32 {
  return formatRowBinaryAt(outBase, first, count)
}
/** Format output records [first, first + count) as TSV; returns how many fit. */
export function formatTsv(first: u32, count: u32): u32 {
  return formatTsvAt(outBase, first, count)
}

// Enrichment cache: the host answers misses, WASM applies hits.

export function initEnrich(slotsLog2: u32, misses: u32): void {
  initEnrichCache(slotsLog2, misses)
}
export { enrichStage, enrichMisses, enrichClear, enrichPut, enrichForget } from './enrich/cache'
export function enrichRun(count: u32, flags: u32): u32 {
  return enrichRunAt(outBase, count, flags)
}
export function enrichRetry(misses: u32): u32 {
  return enrichRetryAt(outBase, misses)
}
