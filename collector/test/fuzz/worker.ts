// One fuzz run of one protocol in a worker thread: mutated datagrams packed in batches
// and decoded by the same BatchDecoder entry the decode pool's workers use (decode,
// RowBinary and TSV formatting). Progress goes to shared memory so the main thread can
// tell a hang.
import { parentPort, workerData } from 'node:worker_threads'
import { DatagramBatch } from '@flowloft/decoder-wasm'
import { BatchDecoder } from '../../dist/decode/batch-decoder.js'
import { splitOutcomeKey } from '../../dist/decode/task.js'
import { corpus } from './corpus.js'
import { fuzzDatagram, fuzzExporter } from './datagrams.js'
import { P_DONE, P_FIRST, P_IN_CALL, type FuzzJob, type ProtocolResult, type Trap } from './job.js'

const job = workerData as FuzzJob
const pool = corpus(job.protocol)
const progress = new Int32Array(job.progress)
const packer = new DatagramBatch(4 << 20, job.batch)
/** Both row formatters run on every fuzzed batch. */
const BOTH = { rowBinary: true, tsv: true }
let decoder = new BatchDecoder(undefined, undefined, undefined, BOTH)
const result: ProtocolResult = {
  protocol: job.protocol,
  datagrams: 0,
  flows: 0,
  results: {},
  flowTypes: {},
  unaccounted: 0,
  traps: [],
  hang: null,
  maxCallMs: 0,
  elapsedMs: 0,
}

/** Which datagrams of a trapped batch trap alone, in a fresh decoder. */
function trappingAlone(first: number, count: number): number[] {
  const out: number[] = []
  for (let i = first; i < first + count; i++) {
    const one = new DatagramBatch(1 << 20, 1)
    one.add(fuzzDatagram(pool, job.seed, job.protocol, i), fuzzExporter(i), 2055, 1_700_000_000_000)
    const packed = one.take()
    const r = new BatchDecoder(undefined, undefined, undefined, BOTH).decode({ ...packed })
    if (r.trapped !== undefined) out.push(i)
  }
  return out
}

function decode(first: number): void {
  const packed = packer.take()
  Atomics.store(progress, P_FIRST, first)
  Atomics.store(progress, P_IN_CALL, 1)
  const t0 = performance.now()
  const r = decoder.decode({
    buffer: packed.buffer,
    byteLength: packed.byteLength,
    count: packed.count,
  })
  const ms = performance.now() - t0
  Atomics.store(progress, P_IN_CALL, 0)
  Atomics.add(progress, P_DONE, packed.count)
  if (ms > result.maxCallMs) result.maxCallMs = ms
  result.datagrams += packed.count
  result.flows += r.rows
  let counted = 0
  for (const [key, n] of Object.entries(r.outcomes)) {
    const k = splitOutcomeKey(key)
    result.results[k.result] = (result.results[k.result] ?? 0) + n
    result.flowTypes[k.flowType] = (result.flowTypes[k.flowType] ?? 0) + n
    counted += n
  }
  result.unaccounted += packed.count - counted
  if (r.trapped !== undefined) {
    const trap: Trap = {
      first,
      count: packed.count,
      error: r.trapped,
      alone: trappingAlone(first, packed.count),
    }
    result.traps.push(trap)
    decoder = new BatchDecoder(undefined, undefined, undefined, BOTH)
  }
}

const t0 = performance.now()
let first = job.start
for (let i = job.start; i < job.start + job.count; i++) {
  const dg = fuzzDatagram(pool, job.seed, job.protocol, i)
  if (!packer.fits(dg.byteLength)) {
    decode(first)
    first = i
  }
  packer.add(dg, fuzzExporter(i), 2055, 1_700_000_000_000 + i)
}
if (packer.count > 0) decode(first)
result.elapsedMs = performance.now() - t0
parentPort?.postMessage(result)
