// The storage half of the collector wired by hand: ClickHouse (migrated), the writer and
// the decode pool feeding it. `serve` puts listeners and HTTP in front; `import` feeds
// it batches made from a capture file.
import type { Config } from './config/index.js'
import { openEngine, type Engine } from './clickhouse/engine.js'
import { migrate } from './clickhouse/migrate.js'
import { createWriter, type Writer } from './clickhouse/writer.js'
import { createDecodePool, type DecodePool } from './decode/index.js'
import { createTemplateStore, type TemplateStore } from './decode/template-store.js'
import { COLUMN_NAMES } from './flows/columns.js'
import type { Logger } from './observability/log.js'
import { Registry } from './observability/metrics.js'

export interface Pipeline {
  config: Config
  metrics: Registry
  engine: Engine
  writer: Writer
  pool: DecodePool
  templates: TemplateStore
  /** Decode everything submitted, insert everything decoded, close. */
  stop(): Promise<void>
}

export async function openMigratedEngine(config: Config, log: Logger): Promise<Engine> {
  const engine = await openEngine({
    url: config.clickhouse.url,
    dataDir: config.dataDir,
    limits: config.query,
    log,
  })
  try {
    const applied = await migrate(engine.client)
    if (applied.length > 0) log.info('schema migrated', { applied })
    await engine.prepareReader()
  } catch (err) {
    await engine.close()
    throw err
  }
  return engine
}

export async function createPipeline(config: Config, log: Logger): Promise<Pipeline> {
  const metrics = new Registry()
  const engine = await openMigratedEngine(config, log)
  const writer = createWriter({
    client: engine.client,
    columns: COLUMN_NAMES,
    batchRows: config.writer.batchRows,
    batchMs: config.writer.batchMs,
    log,
    metrics,
  })
  const templates = createTemplateStore(config.dataDir, log)
  const pool = createDecodePool({
    templates,
    workers: config.decode.workers,
    queue: config.decode.queue,
    log,
    metrics,
    onRows: (tsv, rows) => writer.add(tsv, rows),
  })
  writer.start()
  return {
    config,
    metrics,
    engine,
    writer,
    pool,
    templates,
    async stop() {
      await pool.stop()
      templates.close()
      await writer.stop()
      await engine.close()
    },
  }
}
