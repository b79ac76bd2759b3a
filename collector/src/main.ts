// The one place flowloft is wired. A datagram's path: listener/ (sockets) → decode/
// lane batches → the decode pool (workers decode and enrich, rows come back as RowBinary)
// → clickhouse/ writer (spool when the engine cannot take them) → the engine. Beside it:
// the API and console (api/), scheduled jobs (jobs/, summaries/, learned-prefixes/) and
// /metrics. `serve` starts all of it; `import` starts everything but the network side.
import { join } from 'node:path'
import { INSERT_COLUMNS } from '@flowloft/decoder-wasm'
import { createAlerts, type Alerts } from './alerts/index.js'
import { createApi } from './api/index.js'
import { startHttpServer, type BoundHttpServer } from './api/http-server.js'
import { apiToken } from './api/token-file.js'
import { reportDetachedParts } from './clickhouse/detached-parts.js'
import { assertEngineFree, type Engine } from './clickhouse/engine.js'
import {
  alwaysReady,
  prepareWhenReachable,
  type EngineReadiness,
} from './clickhouse/engine-readiness.js'
import { createOptionalStatements } from './clickhouse/optional-statements.js'
import { openEngineFor, prepareSchema, serverWhere } from './clickhouse/prepare-schema.js'
import { clusterInserts } from './clickhouse/cluster-inserts.js'
import { createWriter, type Writer } from './clickhouse/writer.js'
import { freshReads } from './clickhouse/fresh-reads.js'
import type { Config } from './settings.js'
import { createDecodePool, type DecodePool } from './decode/index.js'
import { createLaneBatches } from './decode/lane-batches.js'
import { createTemplateStore, type TemplateStore } from './decode/template-store.js'
import {
  anonymiseWorkerData,
  clearKeyLoaded,
  clearStorage,
  loadClearKey,
  prepareClearStorage,
} from './anonymise/index.js'
import { createEnrichment, type Enrichment } from './enrich/index.js'
import { createSnmpPoller } from './enrich/snmp/index.js'
import { createFlowLog } from './flowlog/index.js'
import { COUNTER_COLUMNS } from './flows/counter-rows.js'
import { createJobs } from './jobs/index.js'
import { createRollupJob } from './jobs/rollups.js'
import { createPrefixLearner, type PrefixLearner } from './learned-prefixes/index.js'
import { createListeners, type BoundListener, type ListenerSpec } from './listener/index.js'
import { createTrafficMetrics, type TrafficMetrics } from './traffic-metrics/index.js'
import { createLabelCap, type LabelCap } from './observability/label-cap.js'
import { sourceLabelMetrics } from './observability/label-cap-metrics.js'
import type { Logger } from './observability/log.js'
import { Registry } from './observability/metrics.js'
import { registerProcessMetrics } from './observability/process.js'
import { canonicalSender, createSenders, type Senders } from './senders/index.js'
import { createSummaries, type Summaries } from './summaries/index.js'
import { createUsage, type Usage } from './usage/index.js'

export interface CollectorOptions {
  /** UDP listeners, authorized senders and the HTTP server (`serve`); `import` has none. */
  network: boolean
  /**
   * A server that does not answer at start (or refuses the schema) does not stop it:
   * flows are spooled until it answers (`serve`). Otherwise start-up fails (`import`).
   */
  waitForServer: boolean
}

export interface Collector {
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
  /** Alerts on new destinations, device volume and silent exporters (alerts.*). */
  alerts: Alerts
  /** Usage per billing cycle and data caps (usage.*). */
  usage: Usage
  /** Home prefixes learned from the flows (enrich.learn_prefixes). */
  learner: PrefixLearner
  /** Bounds the exporter label of per-address metric families (http.metrics_max_sources). */
  sources: LabelCap
  listeners: BoundListener[]
  http: { address: string; port: number } | null
  /** Why ClickHouse cannot be used yet (server mode, at start); undefined once it can. */
  notReady(): string | undefined
  /** Why a writer makes no progress (`stalled: ...`), undefined while both do. */
  writerStalled(): string | undefined
  /** Stop receiving, decode everything accepted, insert everything decoded, close. */
  stop(): Promise<void>
}

/** How often the key of anonymise.clear_days is checked in ClickHouse. */
const CLEAR_KEY_CHECK_MS = 30_000

export async function startCollector(
  config: Config,
  log: Logger,
  opts: CollectorOptions,
): Promise<Collector> {
  // Before the enrichment loads: another process holding the embedded engine stops here.
  if (config.clickhouse.url === '') assertEngineFree(config.dataDir)
  const metrics = new Registry()
  const stopProcessMetrics = registerProcessMetrics(metrics)
  const traffic = createTrafficMetrics(config.metrics, metrics)
  // Before the engine opens: a missing required GeoIP file stops start-up here.
  const enrichment = createEnrichment(config.enrich, { log, metrics })
  // A bad anonymisation key stops start-up here too; a missing key file is made.
  const anonymise = anonymiseWorkerData(config.anonymise, config.dataDir, log)
  // anonymise.clear_days: the workers store clear rows in flows_clear; its view anonymises.
  const clear = clearStorage(config.anonymise, anonymise, config.clickhouse.cluster, log)
  // Interface names over SNMP, published through the dynamic enrichment (enrich.snmp.*).
  const snmp = createSnmpPoller(config.enrich.snmp, {
    dataDir: config.dataDir,
    log,
    metrics,
    dynamic: enrichment.dynamic,
  })

  // The engine, its schema, and whether it can be written to yet.
  const optional = createOptionalStatements({ log, metrics })
  metrics
    .gauge(
      'flowloft_collector_info',
      'This collector (collector.id) and the ClickHouse cluster it writes to (empty: one server)',
      ['collector', 'cluster'],
    )
    .set({ collector: config.collector.id, cluster: config.clickhouse.cluster }, 1)
  const engine = await openEngineFor(config, log)
  const prepare = async (): Promise<void> => {
    await prepareSchema(engine, config, log, optional)
    await prepareClearStorage(engine.client, clear, log)
  }
  let readiness: EngineReadiness
  try {
    readiness =
      engine.kind === 'server' && opts.waitForServer
        ? await prepareWhenReachable({
            prepare,
            where: serverWhere(config.clickhouse.url),
            log,
            metrics,
          })
        : await prepare().then(() => alwaysReady(metrics))
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

  // Writers: flows, and sFlow interface counters (low volume, their own table and spool).
  const inserts =
    config.clickhouse.cluster === ''
      ? readiness.gate(engine)
      : clusterInserts(readiness.gate(engine), config.collector.id)
  // The window stretches at light traffic on the embedded engine only: every reader of it
  // goes through the API, which asks the writer for fresh rows first (fresh-reads.ts); a
  // server's other readers (Grafana) do not.
  const quietBatchMs = engine.kind === 'embedded' ? config.writer.quietBatchMs : 0
  const writer = createWriter({
    engine: inserts,
    ...(clear ? { table: 'flowloft.flows_clear' } : {}),
    columns: INSERT_COLUMNS,
    format: 'RowBinary',
    batchRows: config.writer.batchRows,
    batchMs: config.writer.batchMs,
    quietBatchMs,
    spoolDir: join(config.dataDir, 'spool', 'flows'),
    spoolMaxBytes: config.writer.spoolMaxBytes,
    log,
    metrics,
  })
  const counterWriter = createWriter({
    engine: inserts,
    table: 'flowloft.sflow_counters',
    columns: COUNTER_COLUMNS,
    format: 'TabSeparated',
    batchRows: config.writer.batchRows,
    batchMs: config.writer.batchMs,
    quietBatchMs,
    spoolDir: join(config.dataDir, 'spool', 'sflow_counters'),
    spoolMaxBytes: config.writer.spoolMaxBytes,
    metricsPrefix: 'flowloft_ifstats_writer',
    log,
    metrics,
  })
  // The optional flow log gets the same rows as the writer, as TSV (flow_log.*).
  const flowLog = config.flowLog.enabled
    ? createFlowLog(config.flowLog, { dataDir: config.dataDir, log, metrics })
    : undefined

  // Decoding: templates kept per exporter, the worker pool, rows on to the writers.
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
    enrich: anonymise && !clear ? { ...enrichment.workerData, anonymise } : enrichment.workerData,
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

  // Scheduled work on the database: disk limit, summaries, alerts, learned home prefixes.
  const jobs = createJobs({
    client: engine.client,
    maxDiskBytes: config.retention.maxDiskBytes,
    schedule: config.retention.checkSchedule,
    placement: { cluster: config.clickhouse.cluster },
    optional,
    log,
    metrics,
  })
  const rollups = createRollupJob({
    run: engine.jobs,
    exclusive: (fn) => writer.exclusive(fn),
    cluster: config.clickhouse.cluster,
    scheduled: config.clickhouse.scheduledRollups,
    log,
    metrics,
  })
  const summaries = createSummaries(config.summaries, {
    run: engine.jobs,
    dataDir: config.dataDir,
    log,
    metrics,
  })
  const usage = createUsage(config.usage, {
    run: engine.jobs,
    log,
    metrics,
    aliases: config.enrich.hostAliases,
  })
  const alerts = createAlerts(config.alerts, {
    run: engine.jobs,
    log,
    metrics,
    ...(config.usage.caps.length > 0 ? { usage: (now: number) => usage.read(now) } : {}),
  })
  if (config.usage.caps.length > 0 && !config.alerts.enabled)
    log.warn(
      'usage: data caps are configured but alerts.enabled is false: crossing one raises no alert',
    )
  if (anonymise && config.enrich.learnPrefixes)
    log.info('anonymise: enrich.learn_prefixes is off while flow addresses are anonymised')
  const learner = createPrefixLearner({
    run: engine.jobs,
    dataDir: config.dataDir,
    // Stored addresses in their anonymised form are no evidence of the home's prefixes.
    enabled: config.enrich.learnPrefixes && !anonymise,
    localPrefixes: config.enrich.localPrefixes,
    layers: enrichment.prefixes,
    sources,
    log,
    metrics,
    // Only the embedded engine's flows are all this collector's own (docs/scaling.md).
    ...(engine.kind === 'embedded' ? { stored: () => writer.storedRows } : {}),
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
    rollups.start()
    jobs.start()
    alerts.start()
    usage.start()
  })
  // A server restart empties the key's table (memory only): until it is loaded again the
  // inserts into flows_clear are refused and wait in the spool.
  const keyCheck = clear
    ? setInterval(() => {
        if (stopping || readiness.reason() !== undefined) return
        clearKeyLoaded(engine.client)
          .then(async (loaded) => {
            if (loaded) return
            await loadClearKey(engine.client, clear.key)
            log.warn('anonymise: the key was not loaded in ClickHouse (a restart?): loaded again')
          })
          .catch((err: unknown) =>
            log.warn('anonymise: checking the key in ClickHouse failed', {
              error: (err as Error).message,
            }),
          )
      }, CLEAR_KEY_CHECK_MS).unref()
    : undefined
  const stopStorage = async (): Promise<void> => {
    stopping = true
    clearInterval(keyCheck)
    readiness.stop()
    optional.stop()
    stopProcessMetrics()
    enrichment.stop()
    snmp.stop()
    await pool.stop()
    templates.close()
    await flowLog?.stop()
    await jobs.stop()
    await rollups.stop()
    await alerts.stop()
    await usage.stop()
    await learner.stop()
    await summaries.stop()
    await writer.stop()
    await counterWriter.stop()
    await engine.close()
  }
  const collector: Collector = {
    config,
    metrics,
    engine,
    writer,
    pool,
    templates,
    enrichment,
    traffic,
    summaries,
    alerts,
    usage,
    learner,
    sources,
    listeners: [],
    http: null,
    notReady: () => readiness.reason(),
    writerStalled: () => writer.stalled() ?? counterWriter.stalled(),
    stop: stopStorage,
  }
  if (!opts.network) return collector

  // The network side: authorized senders, UDP listeners into lane batches, HTTP.
  let senders: Senders
  try {
    senders = createSenders(config.senders, {
      dataDir: config.dataDir,
      log,
      metrics,
      dynamic: enrichment.dynamic,
      configPrefixes: config.enrich.exporterPrefixes,
    })
    senders.start()
    // Registered senders keep their own series whatever http.metrics_max_sources says.
    sources.pin((a) => senders.registry.get(a) !== undefined)
  } catch (err) {
    await stopStorage()
    throw err
  }
  const batches = createLaneBatches({
    lanes: pool.lanes,
    batchDatagrams: config.decode.batchDatagrams,
    batchMs: config.decode.batchMs,
    quietBatchMs: config.decode.quietBatchMs,
    onBatch: (b, lane) => pool.submit(b, lane),
  })
  const specs: ListenerSpec[] = []
  for (const name of ['netflow', 'ipfix', 'sflow'] as const) {
    const address = config.listen[name]
    if (address) specs.push({ name, address })
  }
  const accept = senders.accept
  const listeners = createListeners({
    specs,
    receiveBuffer: config.listen.receiveBuffer,
    quietReadMs: config.listen.quietReadMs,
    log,
    metrics,
    onDatagram: accept
      ? (datagram, from, listener) => {
          if (accept(from.address, listener)) batches.add(datagram, from.address, from.port)
        }
      : (datagram, from) => batches.add(datagram, from.address, from.port),
  })
  let http: BoundHttpServer | undefined
  try {
    collector.listeners = await listeners.start()
    if (config.http.listen) {
      const token = apiToken(config, log)
      const app = createApi({
        engine: freshReads(engine, async () => {
          await writer.fresh(config.writer.batchMs)
          await counterWriter.fresh(config.writer.batchMs)
        }),
        metrics,
        log,
        maxBodyBytes: config.http.maxBodyBytes,
        templates: () => templates.describe(),
        prefixes: (exporter) => ({
          effective: enrichment.prefixes.effective(exporter),
          learned: learner.learned(exporter),
        }),
        listenersBound: () => listeners.bound.length === specs.length,
        writerStalled: () => collector.writerStalled(),
        notReady: () => readiness.reason(),
        summaries,
        alerts: config.alerts.enabled,
        alertsLearningDays: config.alerts.learningDays,
        usage,
        retention: config.retention,
        senders,
        auth: {
          hmacKey: config.api.hmacKey,
          bearerToken: token || config.api.bearerToken,
          windowSeconds: config.api.hmacWindowSeconds,
          nonceFile: join(config.dataDir, 'hmac-nonces.json'),
        },
        access: {
          token,
          allowedHosts: config.http.allowedHosts,
          metricsPublic: config.http.metricsPublic,
        },
      })
      http = await startHttpServer(app, {
        listen: config.http.listen,
        maxConnections: config.http.maxConnections,
        queryTimeoutSeconds: config.query.maxExecutionSeconds,
        metrics,
      })
      collector.http = { address: http.address, port: http.port }
      log.info('http listening', collector.http)
    }
  } catch (err) {
    await listeners.stop()
    batches.stop()
    await stopStorage()
    throw err
  }
  let stopped: Promise<void> | undefined
  collector.stop = () => {
    stopped ??= (async () => {
      await listeners.stop()
      batches.stop()
      await http?.close()
      await stopStorage()
    })()
    return stopped
  }
  return collector
}
