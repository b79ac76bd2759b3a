// Opening the configured engine and making its database ready for the collector:
// migrations, the domain -> app list, retention TTLs and the reader's grants.
import { loadAppList } from '../apps/index.js'
import type { Config } from '../settings.js'
import type { Logger } from '../observability/log.js'
import { openEngine, type Engine } from './engine.js'
import { migrate } from './migrate.js'
import type { OptionalStatements } from './optional-statements.js'
import { applyRetention } from './retention.js'

export const openEngineFor = (config: Config, log: Logger): Promise<Engine> =>
  openEngine({
    url: config.clickhouse.url,
    dataDir: config.dataDir,
    limits: config.query,
    maxMemoryBytes: config.clickhouse.maxMemoryBytes,
    log,
  })

/**
 * What a database needs before the collector uses it: migrations, TTLs, the reader. On
 * a server other collectors may share, migrations run under the schema lock.
 */
export async function prepareSchema(
  engine: Engine,
  config: Config,
  log: Logger,
  optional?: OptionalStatements,
): Promise<void> {
  const placement = { cluster: config.clickhouse.cluster }
  const applied = await migrate(engine.client, undefined, undefined, {
    placement,
    appliedBy: config.collector.id,
    ...(engine.kind === 'server' ? { lock: { holder: config.collector.id, log } } : {}),
  })
  if (applied.length > 0) log.info('schema migrated', { applied, by: config.collector.id })
  const domains = await loadAppList(engine.client, config.apps)
  if (domains > 0) log.info('app list loaded', { domains })
  const ttl = await applyRetention(
    engine.client,
    config.retention,
    optional && ((target, alter) => optional.run('system_log_ttl', target, alter)),
    placement,
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
export function serverWhere(url: string): string {
  const u = new URL(url)
  u.username = ''
  u.password = ''
  return u.toString()
}
