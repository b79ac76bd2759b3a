// Follows DHCP lease files (enrich.dhcp.leases) and hands on address -> device name for
// the leases that hold now: the host name the client gave, else (enrich.dhcp.vendor_names)
// its hardware vendor. A name lasts as long as its lease: when the lease ends, is
// released or goes to another device, the name is taken back (onName(addr, null)). A
// record the parser cannot use is counted by reason and logged at a limited rate.
import type { Logger } from '../../observability/log.js'
import { rateLimited } from '../../observability/log.js'
import type { Registry } from '../../observability/metrics.js'
import type { DhcpConfig, LeaseFormat } from './config.js'
import { currentLeases } from './current.js'
import type { Lease, ParsedLeases } from './lease.js'
import { loadBundledOui, vendorName, type OuiTable } from './oui.js'
import { parseDnsmasqLeases } from './parse-dnsmasq.js'
import { parseIscLeases } from './parse-isc.js'
import { parseKeaLeases } from './parse-kea.js'
import { FileSnapshot } from './snapshot.js'

export type { DhcpConfig } from './config.js'

export interface DhcpLeases {
  start(): void
  stop(): void
  /** Read changed files and apply lease ends now (what the timer does); for tests. */
  poll(): Promise<void>
}

const PARSERS: Record<LeaseFormat, (text: string) => ParsedLeases> = {
  dnsmasq: parseDnsmasqLeases,
  isc: parseIscLeases,
  kea: parseKeaLeases,
}

/**
 * Kea's cleanup (lfc) moves the lease file to `.1`, starts a fresh one and merges `.1`
 * into `.2` by way of `.output` and `.completed`: the leases are in all of them, oldest
 * first, as Kea itself reads them at start.
 */
const keaFiles = (path: string): string[] => [`${path}.2`, `${path}.1`, `${path}.completed`, path]

/** With `.completed` (the merge of `.2` and `.1`, not renamed yet) those two are stale. */
function keaTexts<T extends { path: string }>(path: string, texts: T[]): T[] {
  if (!texts.some((t) => t.path === `${path}.completed`)) return texts
  return texts.filter((t) => t.path !== `${path}.2` && t.path !== `${path}.1`)
}

export function createDhcpLeases(
  config: DhcpConfig,
  deps: {
    log: Logger
    metrics: Registry
    onName(addr: string, name: string | null): void
    pollMs?: number
    now?: () => number
  },
): DhcpLeases {
  const log = deps.log.child({ component: 'enrich-dhcp' })
  const warn = rateLimited(log, 60_000)
  const now = deps.now ?? Date.now
  const reads = deps.metrics.counter(
    'flowloft_enrich_dhcp_reads_total',
    'Lease files read whole after a change, by format and result (read, missing, too_large, error)',
    ['format', 'result'],
  )
  const records = deps.metrics.counter(
    'flowloft_enrich_dhcp_records_total',
    'Lease records in the files read, by format and result (parsed, or why rejected: malformed, bad_address, bad_time, bad_mac, cut_off); a file read again counts its records again',
    ['format', 'result'],
  )
  const published = deps.metrics.counter(
    'flowloft_enrich_dhcp_names_total',
    'Device names published to the decode workers, by source (hostname, vendor), and taken back (forgotten) when a lease ends',
    ['source'],
  )
  deps.metrics.gauge(
    'flowloft_enrich_dhcp_leases',
    'Leases that hold now and give a name, by source (hostname, vendor)',
    ['source'],
    (g) => {
      let host = 0
      for (const n of names.values()) if (n.fromHost) host++
      g.set({ source: 'hostname' }, host)
      g.set({ source: 'vendor' }, names.size - host)
    },
  )
  let oui: OuiTable | null | undefined
  const vendorOf = (mac: string): string | null => {
    if (!config.vendorNames) return null
    if (oui === undefined) {
      const t0 = performance.now()
      oui = loadBundledOui()
      if (oui)
        log.info('vendor table loaded', {
          blocks: oui.size,
          ms: Math.round(performance.now() - t0),
        })
      else
        log.warn(
          'no vendor table (oui-data is not installed): leases without a host name stay unnamed',
        )
    }
    return oui ? vendorName(oui, mac) : null
  }

  const files = config.leases.map((f) => ({
    ...f,
    snapshot: new FileSnapshot(f.format === 'kea' ? keaFiles(f.path) : [f.path]),
    leases: [] as Lease[],
    failing: false,
  }))
  /** What is published: address -> name. */
  const names = new Map<string, { name: string; fromHost: boolean }>()

  const readFiles = async (): Promise<void> => {
    for (const f of files) {
      let r
      try {
        r = await f.snapshot.poll()
        f.failing = false
      } catch (err) {
        if (!f.failing)
          log.warn('lease file cannot be read: retrying', { path: f.path, error: String(err) })
        f.failing = true
        reads.inc({ format: f.format, result: 'error' })
        continue
      }
      if (r.kind === 'unchanged') continue
      reads.inc({ format: f.format, result: r.kind })
      if (r.kind === 'missing') {
        log.warn('lease file missing: its names are taken back until it appears', { path: f.path })
        f.leases = []
      } else if (r.kind === 'too_large') {
        warn(`large ${f.path}`, 'lease file too large: not read', { path: f.path, bytes: r.size })
      } else {
        const texts = f.format === 'kea' ? keaTexts(f.path, r.texts) : r.texts
        const parsed = texts.map((t) => PARSERS[f.format](t.text))
        f.leases = parsed.flatMap((p) => p.leases)
        records.inc({ format: f.format, result: 'parsed' }, f.leases.length)
        for (const p of parsed)
          for (const [reason, n] of p.rejected) records.inc({ format: f.format, result: reason }, n)
        const sample = parsed.find((p) => p.sample !== null)?.sample
        if (sample)
          warn(`bad ${f.path}`, 'lease records not understood: skipped', {
            path: f.path,
            format: f.format,
            first: sample,
          })
      }
    }
  }

  const apply = (): void => {
    const t = now()
    const next = new Map<string, { name: string; fromHost: boolean }>()
    // A later file's lease of an address wins over an earlier file's.
    for (const f of files)
      for (const l of currentLeases(f.leases, t)) {
        const vendor = l.hostname === null && l.mac !== null ? vendorOf(l.mac) : null
        const name = l.hostname ?? vendor
        if (name === null) next.delete(l.ip)
        else next.set(l.ip, { name, fromHost: l.hostname !== null })
      }
    for (const ip of names.keys())
      if (!next.has(ip)) {
        deps.onName(ip, null)
        published.inc({ source: 'forgotten' })
      }
    for (const [ip, n] of next)
      if (names.get(ip)?.name !== n.name) {
        deps.onName(ip, n.name)
        published.inc({ source: n.fromHost ? 'hostname' : 'vendor' })
      }
    names.clear()
    for (const [ip, n] of next) names.set(ip, n)
  }

  let running: Promise<void> | null = null
  const poll = (): Promise<void> => {
    running ??= readFiles()
      .then(apply)
      .finally(() => (running = null))
    return running
  }
  let timer: NodeJS.Timeout | undefined
  return {
    poll,
    start() {
      if (timer) return
      void poll()
      timer = setInterval(() => void poll(), deps.pollMs ?? 500)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}
