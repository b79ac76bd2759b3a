// The decode pool: piscina workers each running the WASM decoder. Batches beyond the
// queue bound are dropped and counted; results come back as RowBinary rows for the
// writer (and TSV rows for the flow log when it is on).
import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import type { PackedBatch } from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { FLOW_COUNTER_METRICS, decodeMetrics, registryMetrics } from './metrics.js'
import { FLOW_COUNTERS, type FlowCounters } from '@flowloft/decoder-wasm'
import { rateLimited } from '../observability/log.js'
import { newSessions } from './new-sessions.js'
import type { TrafficBatch, TrafficMetricConfig } from '../traffic-metrics/index.js'
import {
  splitOutcomeKey,
  type DecodeResult,
  type DecodeTask,
  type HeldClock,
  type TemplateBounds,
  type WorkerData,
} from './task.js'
import type { TemplateStore } from './template-store.js'
import type { EnrichWorkerData } from '../enrich/index.js'
import { createLabelCap, type LabelCap } from '../observability/label-cap.js'

export interface DecodePoolOptions {
  workers: number
  queue: number
  log: Logger
  metrics: Registry
  templates: TemplateStore
  /** Template bounds of the workers' decoders (decode.templates.*); defaults without. */
  templateBounds?: TemplateBounds
  /** decode.max_sampling_rate: announced rates above it refuse their flows. */
  maxSamplingRate?: number
  /** Bounds the exporter label of the per-exporter families (unbounded without). */
  sources?: LabelCap
  /** Enrichment for the workers (enrich/ createEnrichment().workerData). */
  enrich?: EnrichWorkerData
  /** Traffic metrics the workers add up; their sums go to `onTraffic`. */
  traffic?: TrafficMetricConfig[]
  onTraffic?(batch: TrafficBatch): void
  /** Addresses the workers saw without a host name (enrich/ reverse DNS). */
  onUnnamed?(addrs: string[], dropped: number): void
  /** Rows for the writer: RowBinary in INSERT_COLUMNS order. */
  onRows(body: Buffer, rows: number): void
  /** The same rows as TSV (the flow log): set it to have the workers format them. */
  onTsv?(tsv: Buffer, rows: number): void
  /** sFlow interface-counter rows (TSV in COUNTER_COLUMNS order). */
  onInterfaceCounters?(tsv: Buffer, rows: number): void
}

export interface DecodePool {
  /** Decoder lanes (one worker each); an exporter's batches must keep to one lane. */
  readonly lanes: number
  /** Decode a batch on a lane (the lane's queue full: counted and dropped). */
  submit(batch: PackedBatch & { heldClock?: HeldClock }, lane?: number): void
  /** Resolves when every submitted batch has been decoded and handed on. */
  drain(): Promise<void>
  stop(): Promise<void>
  readonly queueSize: number
}

export function createDecodePool(o: DecodePoolOptions): DecodePool {
  const threads = o.workers > 0 ? o.workers : Math.max(1, availableParallelism())
  const m = decodeMetrics(o.metrics)
  const sources = o.sources ?? createLabelCap(Number.MAX_SAFE_INTEGER)
  o.metrics.gauge(
    'flowloft_decode_queue_batches',
    'Batches waiting for a decoder worker',
    [],
    (g) => g.set({}, pool.queueSize),
  )
  // One single-thread pool per lane. Lane batches keep each exporter on one lane, so an
  // exporter's datagrams are decoded in arrival order by one worker: a template it
  // redefines is in force for exactly the data that follows it. (With one shared queue,
  // data right after a redefinition could be decoded by another worker still holding the
  // old layout.) Each worker's decoder is seeded with the registry's snapshot.
  const workerData = {
    templates: o.templates.buffer,
    ...(o.templateBounds ? { templateBounds: o.templateBounds } : {}),
    ...(o.maxSamplingRate !== undefined ? { maxSamplingRate: o.maxSamplingRate } : {}),
    ...(o.enrich ? { enrich: o.enrich } : {}),
    ...(o.traffic && o.traffic.length > 0 ? { traffic: o.traffic } : {}),
    ...(o.onTsv ? { tsv: true } : {}),
  } satisfies WorkerData
  // A lane's worker starts with the lane's first batch: a home network's one exporter
  // keeps to one lane, so the other workers (a V8 heap and the enrichment tables each,
  // about 35 MiB resident) never start.
  const lanes: (Piscina<DecodeTask, DecodeResult> | undefined)[] = Array.from({ length: threads })
  const laneWorker = (i: number): Piscina<DecodeTask, DecodeResult> =>
    (lanes[i] ??= new Piscina<DecodeTask, DecodeResult>({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: 1,
      maxThreads: 1,
      maxQueue: o.queue,
      // Without it piscina puts a task it could not hand to the busy worker back at
      // the tail of its queue (piscina#1031), so a lane ran an exporter's datagrams
      // out of order and data right behind a template redefinition met the old one.
      stricterFIFO: true,
      idleTimeout: 2 ** 31 - 1,
      workerData,
    }))
  const pool = {
    get queueSize(): number {
      let n = 0
      for (const l of lanes) n += l?.queueSize ?? 0
      return n
    },
  }
  // Template-decoder counters are cumulative per worker: keep each worker's latest.
  const perWorker = new Map<number, FlowCounters>()
  // One family per metric name; counters of one family differ by a label.
  const families = new Map<
    string,
    { help: string; type: 'counter' | 'gauge'; parts: (typeof FLOW_COUNTERS)[number][] }
  >()
  for (const name of FLOW_COUNTERS) {
    const d = FLOW_COUNTER_METRICS[name]
    if (d.hidden) continue
    const f = families.get(d.name) ?? { help: d.help, type: d.type ?? 'counter', parts: [] }
    f.parts.push(name)
    families.set(d.name, f)
  }
  for (const [metric, f] of families) {
    o.metrics.external(f.type, metric, f.help, () =>
      f.parts.map((name) => {
        let sum = 0
        for (const c of perWorker.values()) sum += c[name]
        const label = FLOW_COUNTER_METRICS[name].label
        return { labels: label ? { [label[0]]: label[1] } : {}, value: sum }
      }),
    )
  }
  o.metrics.gauge(
    'flowloft_decoder_templates',
    'NetFlow v9/IPFIX templates known now (data and options), by exporter',
    ['exporter'],
    (g) => {
      g.reset()
      for (const e of o.templates.describe()) {
        const exporter = sources.label(e.exporter)
        g.set(
          { exporter },
          (exporter === e.exporter ? 0 : g.get({ exporter })) + e.templates.length,
        )
      }
    },
  )
  registryMetrics(o.metrics, () => o.templates.stats())
  const warnSession = rateLimited(o.log)
  const warnRefused = rateLimited(o.log)
  const inFlight = new Set<Promise<void>>()

  const handle = (r: DecodeResult, t0: number): void => {
    const seconds = (performance.now() - t0) / 1000
    m.tasks.inc()
    m.taskSeconds.inc({}, seconds)
    m.taskLatency.observe({}, seconds)
    if (r.enrich) {
      m.enrichCache.inc({ result: 'hit' }, r.enrich.hits)
      m.enrichCache.inc({ result: 'miss' }, r.enrich.misses)
    }
    if (r.unnamed) o.onUnnamed?.(r.unnamed.addrs, r.unnamed.dropped)
    if (r.traffic) o.onTraffic?.(r.traffic)
    for (const [key, n] of Object.entries(r.outcomes)) {
      const k = splitOutcomeKey(key)
      const exporter = sources.label(k.exporter)
      m.datagrams.inc({ exporter, protocol: k.flowType, result: k.result }, n)
    }
    for (const x of r.refused) {
      const labels = { exporter: sources.label(x.exporter), protocol: x.flowType }
      m.refused.inc({ ...labels, reason: 'sampling_rate' }, x.flows)
      warnRefused('sampling_rate', 'flows refused: sampling rate above decode.max_sampling_rate', {
        exporter: x.exporter === '' ? 'unknown' : x.exporter,
        protocol: x.flowType,
        flows: x.flows,
        rate: x.rate,
        max: o.maxSamplingRate,
      })
    }
    if (r.trapped !== undefined)
      o.log.error('decoder trapped and was rebuilt', { error: r.trapped })
    for (const s of newSessions(r.events)) {
      warnSession('new_session', 'exporter sent templates from a new source port', {
        exporter: s.exporter,
        port: s.port,
        note: "kept apart from the address's other sessions",
      })
    }
    o.templates.apply(r.events)
    perWorker.set(r.threadId, r.counters)
    m.flows.inc({}, r.rows)
    r.binary.forEach((c, i) => {
      const rows = r.binaryRows[i] ?? 0
      if (rows > 0) o.onRows(Buffer.from(c.buffer, c.byteOffset, c.byteLength), rows)
    })
    r.tsv.forEach((c, i) => {
      const rows = r.tsvRows[i] ?? 0
      if (rows > 0) o.onTsv?.(Buffer.from(c.buffer, c.byteOffset, c.byteLength), rows)
    })
    const ic = r.interfaceCounters
    if (ic && ic.rows > 0) {
      o.onInterfaceCounters?.(
        Buffer.from(ic.tsv.buffer, ic.tsv.byteOffset, ic.tsv.byteLength),
        ic.rows,
      )
    }
  }

  return {
    get queueSize() {
      return pool.queueSize
    },
    lanes: threads,
    submit(batch, lane = 0) {
      if (batch.count === 0) return
      const worker = laneWorker(lane % threads)
      if (worker.queueSize >= o.queue) {
        m.dropped.inc({ reason: 'queue_full' }, batch.count)
        return
      }
      const task: DecodeTask = {
        buffer: batch.buffer,
        byteLength: batch.byteLength,
        count: batch.count,
      }
      if (batch.heldClock) task.heldClock = batch.heldClock
      const t0 = performance.now()
      const p = worker
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
      for (const l of lanes) await l?.destroy()
    },
  }
}
