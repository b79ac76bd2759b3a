// The storage half of the collector wired by hand: ClickHouse (migrated), the writer and
// the decode pool feeding it. `serve` puts listeners and HTTP in front; `import` feeds
// it batches made from a capture file.
import { join } from 'node:path'
import { TSV_COLUMNS } from '@flowloft/decoder-wasm'
import type { Config } from './config/index.js'
import { assertEngineFree, openEngine, type Engine } from './clickhouse/engine.js'
import { reportDetachedParts } from './clickhouse/detached-parts.js'
import { migrate } from './clickhouse/migrate.js'
import {
  alwaysReady,
  prepareWhenReachable,
  type EngineReadiness,
} from './clickhouse/engine-readiness.js'
import {
  createOptionalStatements,
  type OptionalStatements,
} from './clickhouse/optional-statements.js'
import { applyRetention } from './clickhouse/retention.js'
import { createWriter, type Writer } from './clickhouse/writer.js'
import { createDecodePool, type DecodePool } from './decode/index.js'
import { COUNTER_COLUMNS } from './flows/counter-rows.js'
import { createTemplateStore, type TemplateStore } from './decode/template-store.js'
import { createEnrichment, type Enrichment } from './enrich/index.js'
import { createSnmpPoller } from './enrich/snmp/index.js'
import { createJobs } from './jobs/index.js'
import { createPrefixLearner, type PrefixLearner } from './learned-prefixes/index.js'
import { createFlowLog, type FlowLog } from './flowlog/index.js'
import { createSummaries, type Summaries } from './summaries/index.js'
import type { Logger } from './observability/log.js'
import { Registry } from './observability/metrics.js'
import { registerProcessMetrics } from './observability/process.js'
import { createTrafficMetrics, type TrafficMetrics } from './metrics/index.js'

import { createLabelCap, type LabelCap } from './observability/label-cap.js'
import { sourceLabelMetrics } from './observability/label-cap-metrics.js'
import { canonicalSender } from './senders/index.js'
export interface Pipeline {
  config: Config
  metrics: Registry
  engine: Engine
  writer: Writer
  pool: DecodePool
  templates: TemplateStore
  enrichment: Enrichment
  /** Traffic counters from the `metrics` section, on /metrics. */
  traffic: TrafficMetrics
  /** Conversation summaries per window (summaries.*). */
  summaries: Summaries
  /** Home prefixes learned from the flows (enrich.learn_prefixes). */
  learner: PrefixLearner
  /** Bounds the exporter label of per-address metric families (http.metrics_max_sources). */
  sources: LabelCap
  /** Why ClickHouse cannot be used yet (server mode, at start); undefined once it can. */
  notReady(): string | undefined
  /** Why a writer makes no progress (`stalled: ...`), undefined while both do. */
  writerStalled(): string | undefined
  /** Decode everything submitted, insert everything decoded, close. */
  stop(): Promise<void>
}

const openEngineFor = (config: Config, log: Logger): Promise<Engine> =>
  openEngine({
    url: config.clickhouse.url,
    dataDir: config.dataDir,
    limits: config.query,
    maxMemoryBytes: config.clickhouse.maxMemoryBytes,
    log,
  })

/** What a database needs before the collector uses it: migrations, TTLs, the reader. */
async function prepareSchema(
  engine: Engine,
  config: Config,
  log: Logger,
  optional?: OptionalStatements,
): Promise<void> {
  const applied = await migrate(engine.client)
  if (applied.length > 0) log.info('schema migrated', { applied })
  const ttl = await applyRetention(
    engine.client,
    config.retention,
    optional && ((target, alter) => optional.run('system_log_ttl', target, alter)),
  )
  if (ttl.length > 0) log.info('retention applied', { changed: ttl })
  await engine.prepareReader()
}

/** The engine with the schema applied, or an error (the CLI's one-shot commands). */
export async function openMigratedEngine(config: Config, log: Logger): Promise<Engine> {
  const engine = await openEngineFor(config, log)
  try {
    await prepareSchema(engine, config, log)
  } catch (err) {
    await engine.close()
    throw err
  }
  return engine
}

/** Where a server is, for the log: its URL without credentials. */
function serverWhere(url: string): string {
  const u = new URL(url)
  u.username = ''
  u.password = ''
  return u.toString()
}

export interface PipelineOptions {
  /**
   * A server that does not answer at start (or refuses the schema) does not stop it:
   * flows are spooled until it answers (serve). Otherwise start-up fails (import).
   */
  waitForServer?: boolean
}

export async function createPipeline(
  config: Config,
  log: Logger,
  opts: PipelineOptions = {},
): Promise<Pipeline> {
  // Before the enrichment loads: another process holding the embedded engine stops here.
  if (config.clickhouse.url === '') assertEngineFree(config.dataDir)
  const metrics = new Registry()
  const stopProcessMetrics = registerProcessMetrics(metrics)
  const traffic = createTrafficMetrics(config.metrics, metrics)
  // Before the engine opens: a missing required GeoIP file stops start-up here.
  const enrichment = createEnrichment(config.enrich, { log, metrics })
  // Interface names over SNMP, published through the dynamic enrichment (enrich.snmp.*).
  const snmp = createSnmpPoller(config.enrich.snmp, {
    dataDir: config.dataDir,
    log,
    metrics,
    dynamic: enrichment.dynamic,
  })
  const optional = createOptionalStatements({ log, metrics })
  const engine = await openEngineFor(config, log)
  let readiness: EngineReadiness
  try {
    readiness =
      engine.kind === 'server' && opts.waitForServer
        ? await prepareWhenReachable({
            prepare: () => prepareSchema(engine, config, log, optional),
            where: serverWhere(config.clickhouse.url),
            log,
            metrics,
          })
        : await prepareSchema(engine, config, log, optional).then(() => alwaysReady(metrics))
  } catch (err) {
    await engine.close()
    throw err
  }
  const detachedParts = (): Promise<unknown> =>
    reportDetachedParts(engine, { log, metrics }).catch((err: unknown) =>
      log.warn('clickhouse: reading system.detached_parts failed', {
        error: (err as Error).message,
      }),
    )
  // Reported before start-up ends when the schema is there (the usual case).
  const schemaAtStart = readiness.reason() === undefined
  if (schemaAtStart) await detachedParts()
  const writer = createWriter({
    engine: readiness.gate(engine),
    columns: TSV_COLUMNS,
    format: 'RowBinary',
    batchRows: config.writer.batchRows,
    batchMs: config.writer.batchMs,
    spoolDir: join(config.dataDir, 'spool', 'flows'),
    spoolMaxBytes: config.writer.spoolMaxBytes,
    log,
    metrics,
  })
  // sFlow interface counters: low volume, their own table, spool and metrics.
  const counterWriter = createWriter({
    engine: readiness.gate(engine),
    table: 'flowloft.sflow_counters',
    columns: COUNTER_COLUMNS,
    format: 'TabSeparated',
    batchRows: config.writer.batchRows,
    batchMs: config.writer.batchMs,
    spoolDir: join(config.dataDir, 'spool', 'sflow_counters'),
    spoolMaxBytes: config.writer.spoolMaxBytes,
    metricsPrefix: 'flowloft_ifstats_writer',
    log,
    metrics,
  })
  // The optional flow log gets the same rows as the writer, as TSV (flow_log.*).
  const flowLog: FlowLog | undefined = config.flowLog.enabled
    ? createFlowLog(config.flowLog, { dataDir: config.dataDir, log, metrics })
    : undefined
  const bounds = config.decode.templates
  const templates = createTemplateStore(config.dataDir, log, {
    perExporter: bounds.perExporter,
    total: bounds.max,
  })
  const sources = createLabelCap(config.http.metricsMaxSources)
  const snmpExporters = new Set(
    config.enrich.snmp.exporters.map((e) => canonicalSender(e.exporter) ?? e.exporter),
  )
  sources.pin((a) => snmpExporters.has(a))
  sourceLabelMetrics(metrics, sources)
  const pool = createDecodePool({
    templates,
    templateBounds: bounds,
    maxSamplingRate: config.decode.maxSamplingRate,
    sources,
    enrich: enrichment.workerData,
    workers: config.decode.workers,
    queue: config.decode.queue,
    traffic: config.metrics,
    onTraffic: (b) => traffic.merge(b),
    onUnnamed: (addrs, dropped) => enrichment.unnamed(addrs, dropped),
    log,
    metrics,
    onRows: (body, rows) => writer.add(body, rows),
    ...(flowLog ? { onTsv: (tsv: Buffer, rows: number) => flowLog.add(tsv, rows) } : {}),
    onInterfaceCounters: (tsv, rows) => counterWriter.add(tsv, rows),
  })
  const jobs = createJobs({
    client: engine.client,
    maxDiskBytes: config.retention.maxDiskBytes,
    schedule: config.retention.checkSchedule,
    optional,
    log,
    metrics,
  })
  const summaries = createSummaries(config.summaries, {
    run: engine.jobs,
    dataDir: config.dataDir,
    log,
    metrics,
  })
  const learner = createPrefixLearner({
    run: engine.jobs,
    dataDir: config.dataDir,
    enabled: config.enrich.learnPrefixes,
    localPrefixes: config.enrich.localPrefixes,
    layers: enrichment.prefixes,
    sources,
    log,
    metrics,
  })
  writer.start()
  counterWriter.start()
  enrichment.start()
  snmp.start()
  optional.start()
  learner.start()
  // What reads or alters the database waits for its schema.
  let stopping = false
  void readiness.ready.then(async (ok) => {
    if (!ok) return
    if (!schemaAtStart) await detachedParts()
    if (stopping) return
    void summaries.start()
    jobs.start()
  })
  return {
    config,
    metrics,
    engine,
    writer,
    pool,
    templates,
    enrichment,
    traffic,
    summaries,
    learner,
    sources,
    notReady: () => readiness.reason(),
    writerStalled: () => writer.stalled() ?? counterWriter.stalled(),
    async stop() {
      stopping = true
      readiness.stop()
      optional.stop()
      stopProcessMetrics()
      enrichment.stop()
      snmp.stop()
      await pool.stop()
      templates.close()
      await flowLog?.stop()
      await jobs.stop()
      await learner.stop()
      await summaries.stop()
      await writer.stop()
      await counterWriter.stop()
      await engine.close()
    },
  }
}
