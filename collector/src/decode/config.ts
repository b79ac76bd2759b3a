// The decode.* settings: worker threads, the queue in front of them, how datagrams are
// batched for them, the sampling-rate cap and the template bounds.
import { int, section } from '../config/index.js'

const workers = int({
  path: 'decode.workers',
  default: 0,
  min: 0,
  max: 64,
  help: 'decoder worker threads; 0 means one per core',
})
const queue = int({
  path: 'decode.queue',
  default: 64,
  min: 1,
  max: 100000,
  help: 'batches of datagrams waiting for a worker before new ones are dropped (counted)',
})
const batchDatagrams = int({
  path: 'decode.batch_datagrams',
  default: 2048,
  min: 1,
  max: 8192,
  help: 'datagrams handed to a worker at once',
})
const batchMs = int({
  path: 'decode.batch_ms',
  default: 200,
  min: 1,
  max: 10000,
  help: 'longest a received datagram waits before its batch goes to a worker (busy listeners fill decode.batch_datagrams first; on a quiet network each batch costs a worker task)',
})
const quietBatchMs = int({
  path: 'decode.quiet_batch_ms',
  default: 1000,
  min: 0,
  max: 10000,
  help: 'on a quiet network (fewer than decode.batch_datagrams / 8 datagrams held after decode.batch_ms) the wait stretches up to this: fewer, larger worker tasks; 0 or below decode.batch_ms: no stretch',
})
const maxSamplingRate = int({
  path: 'decode.max_sampling_rate',
  default: 1_000_000,
  min: 0,
  max: 4294967295,
  help: 'highest sampling rate an exporter may announce (sFlow, v5 header, v9/IPFIX options or record); flows announced with more are refused and counted (flowloft_decoder_flows_refused_total); 0 turns the cap off. A configured override is not capped',
})
const templatesPerExporter = int({
  path: 'decode.templates.per_exporter',
  default: 512,
  min: 1,
  max: 65535,
  help: 'NetFlow v9/IPFIX templates (and, in the saved registry, sampling entries) kept per exporter address, all its source ports together; beyond it new ones are refused (counted)',
})
const templatesMax = int({
  path: 'decode.templates.max',
  default: 4096,
  min: 16,
  max: 262144,
  help: 'templates kept in all; when full, a new one only displaces a template of the address holding the most, never a quieter exporter',
})
const templatesIdleS = int({
  path: 'decode.templates.idle_s',
  default: 3600,
  min: 0,
  max: 604800,
  help: 'seconds a template may go unused before a new template of the same exporter address may take its place (an exporter restarted on a new source port)',
})

export interface DecodeConfig {
  workers: number
  queue: number
  batchDatagrams: number
  batchMs: number
  /** The stretched wait on a quiet network. */
  quietBatchMs: number
  /** Highest announced sampling rate applied; flows above it are refused (0: no cap). */
  maxSamplingRate: number
  /** Template bounds: per exporter address, in all, and the idle time before reuse. */
  templates: { perExporter: number; max: number; idleMs: number }
}

export const DECODE = section(
  [
    workers,
    queue,
    batchDatagrams,
    batchMs,
    quietBatchMs,
    maxSamplingRate,
    templatesPerExporter,
    templatesMax,
    templatesIdleS,
  ],
  (v): DecodeConfig => ({
    workers: v.get(workers),
    queue: v.get(queue),
    batchDatagrams: v.get(batchDatagrams),
    batchMs: v.get(batchMs),
    quietBatchMs: v.get(quietBatchMs),
    maxSamplingRate: v.get(maxSamplingRate),
    templates: {
      perExporter: v.get(templatesPerExporter),
      max: v.get(templatesMax),
      idleMs: v.get(templatesIdleS) * 1000,
    },
  }),
)
