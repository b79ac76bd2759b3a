// SNMP interface names, main-thread side: walks each configured agent's IF-MIB every
// enrich.snmp.interval_seconds and hands the names to the dynamic enrichment, which
// publishes them to the decode workers (static enrich.interfaces entries win per ifIndex).
// The last answer of each agent is kept in <data_dir>/snmp-interfaces.json and applied at
// start, so names survive restarts and agents that stop answering. Inert until start().
import { join } from 'node:path'
import type { Logger } from '../../observability/log.js'
import { rateLimited } from '../../observability/log.js'
import type { Registry } from '../../observability/metrics.js'
import type { DynamicEnrichment, InterfaceInfo } from '../index.js'
import {
  CACHE_FILE,
  readInterfaceCache,
  writeInterfaceCache,
  type CachedExporter,
} from './cache.js'
import type { SnmpConfig, SnmpExporter } from './config.js'
import { snmpMetrics } from './metrics.js'
import { SnmpWalkError, walkInterfaces } from './walk.js'

export type { SnmpConfig, SnmpExporter } from './config.js'
export { walkInterfaces, SnmpWalkError } from './walk.js'

export interface SnmpPoller {
  /** Apply the cached names, poll every agent now and then every interval. */
  start(): void
  /** Stop the timer and abandon polls under way. */
  stop(): void
  /** Poll every agent once; resolves when each answered or failed (tests, SIGHUP). */
  pollAll(): Promise<void>
}

/** Agents polled at the same time. */
const CONCURRENCY = 4

function sameInterfaces(
  a: ReadonlyMap<number, InterfaceInfo>,
  b: ReadonlyMap<number, InterfaceInfo>,
): boolean {
  if (a.size !== b.size) return false
  for (const [k, x] of a) {
    const y = b.get(k)
    if (
      !y ||
      x.name !== y.name ||
      x.description !== y.description ||
      x.alias !== y.alias ||
      x.speedMbps !== y.speedMbps
    )
      return false
  }
  return true
}

export function createSnmpPoller(
  config: SnmpConfig,
  deps: {
    dataDir: string
    log: Logger
    metrics: Registry
    dynamic: Pick<DynamicEnrichment, 'setInterfaces'>
  },
): SnmpPoller {
  const log = deps.log.child({ component: 'snmp' })
  const warn = rateLimited(log, Math.max(60_000, config.intervalSeconds * 1000))
  const m = snmpMetrics(deps.metrics)
  const cachePath = join(deps.dataDir, CACHE_FILE)
  const known = new Map<string, CachedExporter>()
  const failing = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let round: Promise<void> | undefined
  let abort = new AbortController()

  const agentText = (e: SnmpExporter): string => {
    const port = e.port || config.port
    return e.host.includes(':') ? `[${e.host}]:${port}` : `${e.host}:${port}`
  }

  const apply = (exporter: string, c: CachedExporter): void => {
    known.set(exporter, c)
    deps.dynamic.setInterfaces(exporter, c.interfaces)
    m.interfaces.set({ exporter }, c.interfaces.size)
    m.lastSuccess.set({ exporter }, c.polledAt)
  }

  const save = (): void => {
    try {
      writeInterfaceCache(cachePath, known)
    } catch (err) {
      m.cacheErrors.inc({ op: 'write' })
      warn('cache-write', 'SNMP interface cache not written', {
        path: cachePath,
        error: String(err),
      })
    }
  }

  const loadCache = (): void => {
    let cached: Map<string, CachedExporter>
    try {
      cached = readInterfaceCache(cachePath)
    } catch (err) {
      m.cacheErrors.inc({ op: 'read' })
      log.warn('SNMP interface cache unreadable: names come with the first polls', {
        path: cachePath,
        error: String(err),
      })
      return
    }
    // Only exporters still configured: a removed one's names are not applied.
    for (const e of config.exporters) {
      const c = cached.get(e.exporter)
      if (c) apply(e.exporter, c)
    }
  }

  const pollOne = async (e: SnmpExporter, signal: AbortSignal): Promise<void> => {
    const agent = agentText(e)
    let rows: Map<number, InterfaceInfo>
    try {
      rows = await walkInterfaces(
        {
          host: e.host,
          port: e.port || config.port,
          community: e.community ?? config.community,
          timeoutMs: config.timeoutMs,
          retries: config.retries,
        },
        signal,
      )
      if (rows.size === 0) throw new SnmpWalkError('error', 'the agent lists no interfaces')
    } catch (err) {
      if (signal.aborted) return
      const kind = err instanceof SnmpWalkError ? err.kind : 'error'
      m.polls.inc({ exporter: e.exporter, result: kind })
      failing.add(e.exporter)
      const cached = known.get(e.exporter)
      warn(`${e.exporter}:${kind}`, 'SNMP poll failed: interface names stay as last known', {
        exporter: e.exporter,
        agent,
        result: kind,
        error: err instanceof Error ? err.message : String(err),
        cached_interfaces: cached?.interfaces.size ?? 0,
      })
      return
    }
    if (signal.aborted) return
    m.polls.inc({ exporter: e.exporter, result: 'ok' })
    if (failing.delete(e.exporter))
      log.info('SNMP agent answers again', { exporter: e.exporter, agent })
    const polledAt = Math.floor(Date.now() / 1000)
    const before = known.get(e.exporter)
    const changed = !before || !sameInterfaces(before.interfaces, rows)
    if (changed) {
      apply(e.exporter, { polledAt, interfaces: rows })
      log.info('SNMP interface names updated', {
        exporter: e.exporter,
        agent,
        interfaces: rows.size,
      })
    } else {
      known.set(e.exporter, { polledAt, interfaces: before.interfaces })
      m.lastSuccess.set({ exporter: e.exporter }, polledAt)
    }
    save()
  }

  const pollAll = (): Promise<void> => {
    round ??= (async () => {
      const signal = abort.signal
      const queue = [...config.exporters]
      const lane = async (): Promise<void> => {
        for (let e = queue.shift(); e && !signal.aborted; e = queue.shift()) {
          try {
            await pollOne(e, signal)
          } catch (err) {
            // A fault past the walk (publishing the names) must not stop the other agents.
            log.error('SNMP poll result not applied', { exporter: e.exporter, error: String(err) })
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, lane))
    })().finally(() => {
      round = undefined
    })
    return round
  }

  return {
    start() {
      if (timer || config.exporters.length === 0) return
      abort = new AbortController()
      loadCache()
      void pollAll()
      timer = setInterval(() => void pollAll(), config.intervalSeconds * 1000)
      timer.unref()
      log.info('SNMP interface polling started', {
        agents: config.exporters.length,
        interval_seconds: config.intervalSeconds,
      })
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      abort.abort()
    },
    pollAll,
  }
}
