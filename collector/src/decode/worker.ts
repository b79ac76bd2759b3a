// Piscina worker: one WASM decoder per thread, seeded with the template registry.
// No database calls here.
import { workerData } from 'node:worker_threads'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import { Enricher } from '../enrich/index.js'
import { TrafficAggregator } from '../traffic-metrics/aggregate.js'
import { BatchDecoder } from './batch-decoder.js'
import { TemplateSeed } from './template-channel.js'
import type { DecodeResult, DecodeTask, WorkerData } from './task.js'

const data = workerData as WorkerData
const decoder = new BatchDecoder(
  new TemplateSeed(data.templates),
  data.enrich ? new Enricher(data.enrich) : undefined,
  data.traffic && data.traffic.length > 0 ? new TrafficAggregator(data.traffic) : undefined,
  { rowBinary: true, tsv: data.tsv === true },
  data.templateBounds,
  data.maxSamplingRate,
)

/** The result, with its row chunks transferred to the main thread rather than copied. */
export default function decode(task: DecodeTask): ReturnType<typeof move> {
  const result = decoder.decode(task)
  return movable(
    result,
    [...result.binary, ...result.tsv].map((c) => c.buffer),
  )
}

function movable(value: DecodeResult, buffers: ArrayBufferLike[]): ReturnType<typeof move> {
  return move({ [transferableSymbol]: buffers, [valueSymbol]: value })
}
