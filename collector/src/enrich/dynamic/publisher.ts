// Main-thread side of dynamic enrichment: validates and keeps what other components
// learned (host names, interface names, per-exporter local prefixes) and appends each
// change to the journal the decode workers read before their next batch.
import type { Logger } from '../../observability/log.js'
import type { Registry } from '../../observability/metrics.js'
import { LocalPrefixes } from '../../addresses/local-prefixes.js'
import { canonicalAddr, parseCidr, type ParsedAddr } from '../../addresses/ip.js'
import { createJournalBuffer, JournalWriter } from './journal.js'
import {
  DynamicState,
  encodeChange,
  sameInterface,
  samePrefixes,
  type Change,
  type InterfaceInfo,
} from './state.js'

export interface DynamicEnrichment {
  /** Learned host name for an address (rDNS, Pi-hole log); null forgets it. Static aliases win. */
  setHostName(addr: string, name: string | null): void
  /** Interface names for an exporter (SNMP); replaces what was known for it. Static config map wins per ifIndex. */
  setInterfaces(exporter: string, ifs: ReadonlyMap<number, InterfaceInfo>): void
  /**
   * Local (monitored) prefixes of one exporter; [] removes. Direction of that exporter's
   * flows uses these (plus the global enrich.local_prefixes). Through the enrichment
   * component these are the operator's prefixes: they replace learned ones, and [] lets
   * the learned ones apply again (enrich/prefix-precedence.ts).
   */
  setExporterPrefixes(exporter: string, prefixes: readonly string[]): void
}

/** The publisher: the contract plus what the enrichment component needs. */
export interface DynamicPublisher extends DynamicEnrichment {
  /** Shared with the workers (EnrichWorkerData.dynamic). */
  readonly buffer: SharedArrayBuffer
  /** The learned name published for an address, if any. */
  hostName(addr: string): string | undefined
  /** Local prefixes published for an exporter (canonical key), if any. */
  exporterPrefixes(exporter: string): readonly string[] | undefined
  /** Whether an address is in some exporter's own prefixes. */
  inExporterPrefixes(a: ParsedAddr): boolean
}

const encoder = new TextEncoder()

function addrKey(what: string, addr: string): string {
  const key = canonicalAddr(addr.trim())
  if (key === null) throw new RangeError(`${what}: ${JSON.stringify(addr)} is not an IP address`)
  return key
}

export function createDynamicPublisher(deps: {
  log: Logger
  metrics: Registry
  /** Journal bytes (default 16 MiB): the whole state must fit. */
  capacityBytes?: number
}): DynamicPublisher {
  const log = deps.log.child({ component: 'enrich-dynamic' })
  const changes = deps.metrics.counter(
    'flowloft_enrich_dynamic_changes_total',
    'Dynamic enrichment changes published to the decode workers, by kind (host, interfaces, prefixes)',
    ['kind'],
  )
  const rejected = deps.metrics.counter(
    'flowloft_enrich_dynamic_rejected_total',
    'Dynamic enrichment changes not published because the whole state no longer fits the shared journal, by kind',
    ['kind'],
  )
  const rewrites = deps.metrics.counter(
    'flowloft_enrich_dynamic_rewrites_total',
    'Times the shared journal was full and rewritten as a snapshot of the state',
    [],
  )
  deps.metrics.gauge(
    'flowloft_enrich_dynamic_journal_bytes',
    'Bytes used in the shared dynamic-enrichment journal',
    [],
    (g) => g.set({}, writer.used),
  )
  const buffer = createJournalBuffer(deps.capacityBytes ?? 16 << 20)
  const writer = new JournalWriter(buffer)
  const state = new DynamicState()
  const sets = new Map<string, LocalPrefixes>()

  const publish = (c: Change, undo: Change): void => {
    state.apply(c)
    if (!writer.append(encoder.encode(encodeChange(c)))) {
      rewrites.inc()
      if (!writer.rewrite(encoder.encode(state.snapshot()))) {
        state.apply(undo)
        rejected.inc({ kind: c.kind })
        log.error('dynamic enrichment state does not fit the shared journal: change dropped', {
          kind: c.kind,
          capacity: writer.capacity,
        })
        return
      }
    }
    changes.inc({ kind: c.kind })
    if (c.kind === 'prefixes') {
      if (c.prefixes.length === 0) sets.delete(c.exporter)
      else sets.set(c.exporter, new LocalPrefixes(c.prefixes))
    }
  }

  return {
    buffer,
    hostName: (addr) => {
      const key = canonicalAddr(addr)
      return key === null ? undefined : state.hosts.get(key)
    },
    exporterPrefixes: (exporter) => {
      const key = canonicalAddr(exporter)
      return key === null ? undefined : state.prefixes.get(key)
    },
    inExporterPrefixes(a) {
      for (const p of sets.values()) if (p.contains(a)) return true
      return false
    },
    setHostName(addr, name) {
      const key = addrKey('setHostName', addr)
      const before = state.hosts.get(key) ?? null
      const next = name === '' ? null : name
      // Forgetting is always published: workers then look the address up again.
      if (next !== null && next === before) return
      publish({ kind: 'host', addr: key, name: next }, { kind: 'host', addr: key, name: before })
    },
    setInterfaces(exporter, ifs) {
      const key = addrKey('setInterfaces', exporter)
      const copy = new Map<number, InterfaceInfo>()
      for (const [idx, info] of ifs) {
        if (!Number.isInteger(idx) || idx < 0 || idx > 0xffffffff)
          throw new RangeError(`setInterfaces: ${idx} is not an interface index (0..4294967295)`)
        copy.set(idx, {
          name: info.name,
          description: info.description,
          alias: info.alias,
          speedMbps: Number.isFinite(info.speedMbps) ? info.speedMbps : 0,
        })
      }
      const before = state.interfaces.get(key) ?? new Map<number, InterfaceInfo>()
      if (before.size === copy.size && [...copy].every(([k, v]) => sameInterface(before.get(k), v)))
        return
      publish(
        { kind: 'interfaces', exporter: key, ifs: copy },
        { kind: 'interfaces', exporter: key, ifs: before },
      )
    },
    setExporterPrefixes(exporter, prefixes) {
      const key = addrKey('setExporterPrefixes', exporter)
      const list = prefixes.map((p) => {
        if (typeof p !== 'string' || parseCidr(p) === null)
          throw new RangeError(`setExporterPrefixes: ${JSON.stringify(p)} is not a CIDR`)
        return p.trim()
      })
      const before = state.prefixes.get(key) ?? []
      if (samePrefixes(before, list)) return
      publish(
        { kind: 'prefixes', exporter: key, prefixes: list },
        { kind: 'prefixes', exporter: key, prefixes: before },
      )
    },
  }
}
