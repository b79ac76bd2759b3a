// The exported ABI. The host calls init() once, writes datagrams into the input
// region, then begin(n) and run() until run() returns n, reading records after each run.
import { REC_SIZE } from './record'
import { outBase, outCount, setOutput } from './output'
import { CREC_SIZE } from './counter-record'
import { CONTRACT_HASH } from './generated/abi'
import { ROW_COLUMN_COUNT } from './generated/flows'
import { counterBase, counterCount, setCounterOutput } from './counter-output'
import { ST_SIZE, begin as batchBegin, run as batchRun, setRegions } from './batch'
import { setMaxRate } from './sampling-cap'
import { flowImportEvents } from './flow-state'
export {
  initFlowState,
  flowEventsRegion,
  flowEventsLength,
  flowEventsClear,
  flowReleaseHeld,
  flowExpireHeld,
  flowCountersRegion,
  flowCounterCount,
} from './flow-state'

let inputPtr: usize = 0
let inputCap: usize = 0
let statusPtr: usize = 0
let maxDatagrams: u32 = 0
let outputCap: u32 = 0
let counterCap: u32 = 0

/** Allocate the regions. Call once. `counters`: interface-counter records per run. */
export function init(inputBytes: u32, datagrams: u32, records: u32, counters: u32): void {
  inputCap = <usize>inputBytes
  maxDatagrams = datagrams
  outputCap = records
  inputPtr = heap.alloc(inputCap)
  statusPtr = heap.alloc(<usize>datagrams * ST_SIZE)
  const out = heap.alloc(<usize>records * REC_SIZE)
  setRegions(inputPtr, inputCap, statusPtr)
  setOutput(out, records)
  counterCap = counters
  setCounterOutput(heap.alloc(<usize>counters * CREC_SIZE), counters)
}

/** Highest sampling rate applied (decode.max_sampling_rate); 0 turns the cap off. */
export function setMaxSamplingRate(rate: u32): void {
  setMaxRate(rate)
}

/** The contract this module was built from (contract/*.json): the host checks it. */
export function contractHash(): u32 {
  return CONTRACT_HASH
}
export function inputRegion(): usize {
  return inputPtr
}
export function inputCapacity(): u32 {
  return <u32>inputCap
}
export function statusRegion(): usize {
  return statusPtr
}
export function datagramCapacity(): u32 {
  return maxDatagrams
}
export function outputRegion(): usize {
  return outBase
}
export function outputCapacity(): u32 {
  return outputCap
}
export function begin(count: u32): void {
  batchBegin(count < maxDatagrams ? count : maxDatagrams)
}
export function run(): u32 {
  return batchRun()
}
export function recordCount(): u32 {
  return outCount
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
/** Apply template-sharing events the host wrote at the start of the input region. */
export function flowImportInput(len: u32): u32 {
  return flowImportEvents(inputPtr, <usize>len < inputCap ? len : <u32>inputCap)
}

// Row output: the string table the host fills, and the rows formatted from records as
// TSV (flow log, `flowloft decode`) and as RowBinary (the writer's inserts).
export { stringIndexRegion, stringArenaRegion, stringCapacity } from './strings'
export { tsvRegion, tsvLength, tsvClear } from './tsv'
export { rowBinaryRegion, rowBinaryLength, rowBinaryClear } from './rowbinary'
import { initStrings } from './strings'
import { initTsv, formatTsv as formatTsvAt } from './tsv'
import { initRowBinary, formatRowBinary as formatRowBinaryAt } from './rowbinary'

/** Allocate the string table and the two row regions. Call once, after init(). */
export function initText(stringIds: u32, arenaBytes: u32, tsvBytes: u32, rowBinaryBytes: u32): void {
  initStrings(stringIds, arenaBytes)
  initTsv(tsvBytes)
  initRowBinary(rowBinaryBytes)
}
/** Format output records [first, first + count) as RowBinary; returns how many fit. */
export function formatRowBinary(first: u32, count: u32): u32 {
  return formatRowBinaryAt(outBase, first, count)
}
export function rowColumnCount(): u32 {
  return ROW_COLUMN_COUNT
}
/** Format output records [first, first + count) as TSV; returns how many fit. */
export function formatTsv(first: u32, count: u32): u32 {
  return formatTsvAt(outBase, first, count)
}

// Enrichment cache (enrich-cache.ts): the host answers misses, WASM applies hits.
export { enrichStage, enrichMisses, enrichClear, enrichPut, enrichForget } from './enrich-cache'
import { initEnrichCache } from './enrich-cache'
import { enrichRun as enrichRunAt, enrichRetry as enrichRetryAt } from './enrich-cache'
export function initEnrich(slotsLog2: u32, misses: u32): void {
  initEnrichCache(slotsLog2, misses)
}
export function enrichRun(count: u32, flags: u32): u32 {
  return enrichRunAt(outBase, count, flags)
}
export function enrichRetry(misses: u32): u32 {
  return enrichRetryAt(outBase, misses)
}
