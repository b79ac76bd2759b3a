// Reverse DNS of flow addresses, on the main thread only: the decode workers report
// addresses they saw without a host name; each is looked up once (PTR), under a
// concurrency cap and a rate limit, and the answer is cached with a TTL (misses too).
// Names go out through `onName`; when an entry expires `onName(addr, null)` makes the
// workers forget it, so an address still in use is reported and looked up again.
import { Resolver } from 'node:dns/promises'
import type { Logger } from '../../observability/log.js'
import { rateLimited } from '../../observability/log.js'
import type { Registry } from '../../observability/metrics.js'
import { canonicalAddr, parseAddr, type ParsedAddr } from '../../addresses/ip.js'
import { specialLabel } from '../../addresses/special-ranges.js'
import type { DnsConfig } from './config.js'
import { dnsMetrics, type LookupResult } from './metrics.js'
import { TtlCache } from './ttl-cache.js'

/**
 * Rate-limited lookups are tried again after this long, and a failed one (timeout, error)
 * at first: each failure in a row doubles the wait, up to the negative TTL, so a resolver
 * that is down is not asked about every address every minute; an answer resets it.
 */
const RETRY_MS = 60_000
const QUEUE_MAX = 4096
const TICK_MS = 100
/** Expired entries are swept when the earliest is due, at most once per this long. */
const SWEEP_MS = 1000
/** Longest delay a Node timer takes. */
const TIMER_MAX_MS = 2 ** 31 - 1
const LOCAL_LABELS = new Set(['private', 'cgnat', 'link-local', 'loopback'])
const NOT_UNICAST = new Set(['multicast', 'broadcast', 'unspecified', 'reserved'])

/** The in-addr.arpa / ip6.arpa name of an address. */
export function ptrName(addr: string): string {
  const a = parseAddr(addr)
  if (!a) throw new RangeError(`not an IP address: ${addr}`)
  if ('v4' in a) {
    const n = a.v4
    return `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}.in-addr.arpa`
  }
  const nibbles: string[] = []
  for (const w of a.v6) for (let k = 28; k >= 0; k -= 4) nibbles.push(((w >>> k) & 15).toString(16))
  return `${nibbles.reverse().join('.')}.ip6.arpa`
}

export interface ReverseDns {
  /** Addresses reported by the workers (any text form), and how many they dropped. */
  request(addrs: readonly string[], dropped?: number): void
  start(): void
  stop(): void
  /** Entries in the cache (answers, misses and failures waiting for a retry). */
  readonly size: number
}

export function createReverseDns(
  config: DnsConfig,
  deps: {
    log: Logger
    metrics: Registry
    /** Whether an address is local (global or any exporter's prefixes). */
    isLocal(a: ParsedAddr): boolean
    onName(addr: string, name: string | null): void
  },
): ReverseDns {
  const log = deps.log.child({ component: 'enrich-dns' })
  const warn = rateLimited(log, 60_000)
  const m = dnsMetrics(deps.metrics)
  const resolver = new Resolver({ timeout: config.timeoutMs, tries: config.tries })
  if (config.servers.length > 0) resolver.setServers(config.servers)
  // Value: the name published (null: none), keyed by canonical address.
  const cache = new TtlCache<string | null>(config.maxEntries)
  const queued = new Set<string>()
  const queue: Array<[key: string, text: string]> = []
  let inFlight = 0
  let tokens = config.ratePerSecond
  let lastRefill = Date.now()
  /** The expiry sweep, armed for the earliest entry's expiry: none while the cache is empty. */
  let timer: NodeJS.Timeout | undefined
  let sweepAt = Infinity
  let lastSweep = 0
  let started = false
  /** Armed while lookups wait for rate tokens: nothing else wakes the queue. */
  let waitTimer: NodeJS.Timeout | undefined
  let stopped = false
  /** Lookups that failed (timeout, error) since the last answer. */
  let failures = 0
  const failedWaitMs = (): number =>
    Math.min(config.negativeTtlSeconds * 1000, RETRY_MS * 2 ** Math.min(failures, 20))

  deps.metrics.gauge(
    'flowloft_enrich_dns_retry_seconds',
    'How long an address whose lookup failed (timeout, error) waits before it is asked again: 60 s after an answer, doubling with each failure in a row up to enrich.dns.negative_ttl_seconds',
    [],
    (g) => g.set({}, failedWaitMs() / 1000),
  )
  deps.metrics.gauge(
    'flowloft_enrich_dns_cache_entries',
    'Addresses in the reverse-DNS cache (names, misses and failures waiting for a retry)',
    [],
    (g) => g.set({}, cache.size),
  )
  deps.metrics.gauge(
    'flowloft_enrich_dns_pending',
    'Reverse DNS lookups queued or in flight',
    [],
    (g) => g.set({}, queue.length + inFlight),
  )

  const store = (key: string, name: string | null, ms: number): void => {
    for (const [k, v] of cache.set(key, name, Date.now() + ms)) if (v !== null) deps.onName(k, null)
    if (name !== null) deps.onName(key, name)
    schedule()
  }

  // One timer for the earliest expiry, not a tick a second: an idle collector with an
  // empty (or long-lived) cache is not woken for nothing.
  const schedule = (): void => {
    if (!started || stopped) return
    const at = Math.max(cache.nextExpiry(), lastSweep + SWEEP_MS)
    if (at === Infinity || (timer && sweepAt <= at)) return
    if (timer) clearTimeout(timer)
    sweepAt = at
    timer = setTimeout(sweep, Math.min(TIMER_MAX_MS, Math.max(0, at - Date.now())))
    timer.unref()
  }

  const wanted = (a: ParsedAddr): 'yes' | 'local' | 'remote' | 'not_unicast' => {
    const label = specialLabel(a)
    if (label !== null && NOT_UNICAST.has(label)) return 'not_unicast'
    const local = (label !== null && LOCAL_LABELS.has(label)) || deps.isLocal(a)
    if (local) return config.lookupLocal ? 'yes' : 'local'
    return config.lookupRemote ? 'yes' : 'remote'
  }

  const finish = (key: string, text: string, result: LookupResult, name: string | null): void => {
    m.lookups.inc({ result })
    if (stopped) return
    const unknown = config.ipAsUnknown ? text : null
    switch (result) {
      case 'ok':
        failures = 0
        store(key, name, config.ttlSeconds * 1000)
        break
      case 'nxdomain':
        failures = 0
        store(key, unknown, config.negativeTtlSeconds * 1000)
        break
      default:
        store(key, unknown, failedWaitMs())
        failures++
    }
  }

  const lookup = async (key: string, text: string): Promise<void> => {
    inFlight++
    try {
      // resolvePtr, not reverse(): reverse() reports a timeout as ENOTFOUND.
      const names = await resolver.resolvePtr(ptrName(text))
      const name = names.find((n) => n !== '') ?? null
      finish(key, text, name === null ? 'nxdomain' : 'ok', name)
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (code === 'ENOTFOUND' || code === 'ENODATA') finish(key, text, 'nxdomain', null)
      else if (code === 'ETIMEOUT') {
        finish(key, text, 'timeout', null)
        warn('timeout', 'DNS server does not answer reverse lookups: host names stay empty', {
          servers: resolver.getServers(),
          timeoutMs: config.timeoutMs,
          tries: config.tries,
        })
      } else if (code !== 'ECANCELLED') {
        finish(key, text, 'error', null)
        warn(`error:${String(code)}`, 'reverse DNS lookup failed', { code: String(code) })
      }
    } finally {
      inFlight--
      queued.delete(key)
    }
    pump()
  }

  const pump = (): void => {
    if (stopped) return
    const now = Date.now()
    tokens = Math.min(
      config.ratePerSecond,
      tokens + ((now - lastRefill) * config.ratePerSecond) / 1000,
    )
    lastRefill = now
    while (queue.length > 0 && inFlight < config.concurrency && tokens >= 1) {
      const next = queue.shift()
      if (!next) break
      tokens--
      void lookup(next[0], next[1])
    }
    // Out of tokens: try again shortly. Short of concurrency, a finished lookup pumps.
    if (queue.length > 0 && inFlight < config.concurrency && !waitTimer) {
      waitTimer = setTimeout(() => {
        waitTimer = undefined
        pump()
      }, TICK_MS)
      waitTimer.unref()
    }
  }

  const sweep = (): void => {
    timer = undefined
    sweepAt = Infinity
    const now = Date.now()
    lastSweep = now
    // Expired: forget in the workers, which report the address again if it is still seen.
    for (const [key] of cache.sweep(now)) deps.onName(key, null)
    schedule()
  }

  return {
    get size() {
      return cache.size
    },
    request(addrs, dropped = 0) {
      if (dropped > 0) m.dropped.inc({}, dropped)
      if (stopped) return
      for (const text of addrs) {
        const a = parseAddr(text)
        const key = canonicalAddr(text)
        if (!a || key === null || cache.has(key) || queued.has(key)) continue
        const why = wanted(a)
        if (why !== 'yes') {
          m.skipped.inc({ reason: why })
          continue
        }
        if (queue.length >= QUEUE_MAX) {
          m.lookups.inc({ result: 'rate_limited' })
          store(key, null, RETRY_MS)
          continue
        }
        queued.add(key)
        queue.push([key, text])
      }
      pump()
    },
    start() {
      if (started && !stopped) return
      started = true
      stopped = false
      schedule()
    },
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      sweepAt = Infinity
      if (waitTimer) clearTimeout(waitTimer)
      timer = undefined
      waitTimer = undefined
      resolver.cancel()
      queue.length = 0
      queued.clear()
    },
  }
}
