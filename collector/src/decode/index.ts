// The decode pool: piscina workers each running the WASM decoder. Batches beyond the
// queue bound are dropped and counted; results come back as TSV rows for the writer.
import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import type { PackedBatch } from '@flowhouse/decoder-wasm'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { decodeMetrics } from './metrics.js'
import { FLOW_COUNTERS, type FlowCounters } from '@flowhouse/decoder-wasm'
import { splitOutcomeKey, type DecodeResult, type DecodeTask, type WorkerData } from './task.js'
import type { TemplateStore } from './template-store.js'
import type { EnrichWorkerData } from '../enrich/index.js'

export interface DecodePoolOptions {
  workers: number
  queue: number
  log: Logger
  metrics: Registry
  templates: TemplateStore
  /** Enrichment for the workers (enrich/ createEnrichment().workerData). */
  enrich?: EnrichWorkerData
  onRows(tsv: Buffer, rows: number): void
}

export interface DecodePool {
  submit(batch: PackedBatch): void
  /** Resolves when every submitted batch has been decoded and handed on. */
  drain(): Promise<void>
  stop(): Promise<void>
  readonly queueSize: number
}

export function createDecodePool(o: DecodePoolOptions): DecodePool {
  const threads = o.workers > 0 ? o.workers : Math.max(1, availableParallelism())
  const m = decodeMetrics(o.metrics)
  o.metrics.gauge(
    'flowhouse_decode_queue_batches',
    'Batches waiting for a decoder worker',
    [],
    (g) => g.set({}, pool.queueSize),
  )
  const pool = new Piscina<DecodeTask, DecodeResult>({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    maxQueue: o.queue,
    idleTimeout: 2 ** 31 - 1,
    workerData: {
      templates: o.templates.buffer,
      ...(o.enrich ? { enrich: o.enrich } : {}),
    } satisfies WorkerData,
  })
  // Template-decoder counters are cumulative per worker: keep each worker's latest.
  const perWorker = new Map<number, FlowCounters>()
  o.metrics.gauge(
    'flowhouse_decoder_template_events',
    'NetFlow v9/IPFIX template decoder counters summed over workers (held data, templates, events)',
    ['counter'],
    (g) => {
      for (const name of FLOW_COUNTERS) {
        let sum = 0
        for (const c of perWorker.values()) sum += c[name]
        g.set({ counter: name }, sum)
      }
    },
  )
  const inFlight = new Set<Promise<void>>()

  const handle = (r: DecodeResult, t0: number): void => {
    m.tasks.inc()
    m.taskSeconds.inc({}, (performance.now() - t0) / 1000)
    for (const [key, n] of Object.entries(r.outcomes)) {
      const k = splitOutcomeKey(key)
      m.datagrams.inc({ exporter: k.exporter, protocol: k.flowType, result: k.result }, n)
    }
    if (r.trapped !== undefined)
      o.log.error('decoder trapped and was rebuilt', { error: r.trapped })
    o.templates.apply(r.events)
    perWorker.set(r.threadId, r.counters)
    m.flows.inc({}, r.rows)
    if (r.rows > 0) o.onRows(Buffer.from(r.tsv.buffer, r.tsv.byteOffset, r.tsv.byteLength), r.rows)
  }

  return {
    get queueSize() {
      return pool.queueSize
    },
    submit(batch) {
      if (batch.count === 0) return
      if (pool.queueSize >= o.queue) {
        m.dropped.inc({ reason: 'queue_full' }, batch.count)
        return
      }
      const task: DecodeTask = {
        buffer: batch.buffer,
        byteLength: batch.byteLength,
        count: batch.count,
      }
      const t0 = performance.now()
      const p = pool
        .run(task, { transferList: [batch.buffer] })
        .then((r) => handle(r, t0))
        .catch((err: unknown) => {
          m.dropped.inc({ reason: 'worker_error' }, batch.count)
          o.log.error('decode task failed', { error: String(err) })
        })
        .finally(() => inFlight.delete(p))
      inFlight.add(p)
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
    async stop() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
      await pool.destroy()
    },
  }
}
