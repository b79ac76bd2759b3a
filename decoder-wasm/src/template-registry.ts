// The main thread's view of every template and options value the decoder workers have
// learned: merges their events (latest wins, withdrawals remove), hands the whole state
// to a fresh worker or to disk as a snapshot, and describes it for the API. Keyed by
// transport session (address and source port); bounded per exporter address and in all,
// with the decoders' rule: a newcomer never displaces a quieter exporter.
import {
  EVENT_FORMAT,
  EVENT_HEADER,
  eventKind,
  eventPort,
  eventSlices,
  parseEvent,
  type FlowEvent,
  type SamplerKey,
  type TemplateField,
} from './flow-events.js'
import {
  SECTION_SIZE,
  readSnapshot,
  writeSnapshot,
  type RestoreReport,
} from './registry-snapshot.js'

export interface DescribedTemplate {
  protocol: 'netflow9' | 'ipfix'
  /** The exporter's UDP source port the template came from (its session). */
  port: number
  domain: number
  templateId: number
  kind: 'data' | 'options'
  scopeCount: number
  fields: TemplateField[]
}

export interface DescribedRate {
  protocol: 'netflow9' | 'ipfix'
  domain: number
  key: SamplerKey
  /** Sampler / selector ID (a string when above 2^53); null for the whole domain. */
  samplerId: number | string | null
  rate: number
}

export interface DescribedExporter {
  exporter: string
  templates: DescribedTemplate[]
  sampling: DescribedRate[]
  systemInit: { protocol: 'netflow9' | 'ipfix'; domain: number; unixMs: number }[]
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError'
}

/** Bounds of the registry: entries per exporter address and in all. */
export interface RegistryLimits {
  /** Templates and options values kept per exporter address, all its sessions together. */
  perExporter: number
  /** Templates and options values kept in all. */
  total: number
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = { perExporter: 512, total: 4096 }

/** What the bounds did: new entries refused, and entries evicted for a newcomer. */
export interface RegistryStats {
  refusedQuota: number
  refusedFull: number
  evicted: number
}

/** The largest snapshot a registry with these limits can write, in bytes. */
export function snapshotBound(limits: RegistryLimits): number {
  const largestEvent = EVENT_HEADER + 4 + 128 * 8
  return 12 + limits.total * (largestEvent + SECTION_SIZE)
}

const protocolName = (p: number): 'netflow9' | 'ipfix' => (p === 9 ? 'netflow9' : 'ipfix')

function hex(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('hex')
}

/** Key, within its address, of the (session, protocol, domain) an event belongs to. */
function scopeKey(e: Uint8Array): string {
  return `${String(eventPort(e)).padStart(5, '0')}|${e[4] ?? 0}|${hex(e, 8, 12)}`
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}

export class TemplateRegistry {
  /**
   * State as the events that recreate it, by exporter address (hex) then by slot within
   * it: templates, rates, init times. Each address's map is in order of last change.
   */
  readonly #state = new Map<string, Map<string, Uint8Array>>()
  readonly #limits: RegistryLimits
  #size = 0
  readonly #stats: RegistryStats = { refusedQuota: 0, refusedFull: 0, evicted: 0 }

  constructor(limits: RegistryLimits = DEFAULT_REGISTRY_LIMITS) {
    this.#limits = limits
  }

  /** Merge events (Decoder.takeEvents output or a snapshot); true when anything changed. */
  apply(events: Uint8Array): boolean {
    return this.#apply(events).changed
  }

  #apply(events: Uint8Array): { changed: boolean; applied: number; refused: number } {
    let changed = false
    let applied = 0
    let refused = 0
    const put = (addr: string, key: string, e: Uint8Array): void => {
      const r = this.#put(addr, key, e)
      if (r === 'refused') refused++
      else applied++
      if (r === 'changed') changed = true
    }
    for (const e of eventSlices(events)) {
      const kind = eventKind(e)
      if (kind === undefined || kind === 'stream' || e.byteLength < EVENT_HEADER) continue
      const addr = hex(e, 12, 28)
      const scope = scopeKey(e)
      const templateKey = `${scope}|t${(e[6] ?? 0) | ((e[7] ?? 0) << 8)}`
      switch (kind) {
        case 'template':
        case 'optionsTemplate':
          put(addr, templateKey, e)
          break
        case 'withdrawn':
          changed = this.#delete(addr, templateKey) || changed
          break
        case 'allWithdrawn':
          changed = this.#withdrawAll(addr, scope, e[5] ?? 0) || changed
          break
        case 'samplingRate':
          if (e.byteLength >= EVENT_HEADER + 12)
            put(addr, `${scope}|r${e[5] ?? 0}:${hex(e, EVENT_HEADER + 4, EVENT_HEADER + 12)}`, e)
          break
        case 'systemInit':
          if (e.byteLength >= EVENT_HEADER + 12) put(addr, `${scope}|i`, e)
          break
        case 'newSession':
          break
      }
    }
    return { changed, applied, refused }
  }

  #put(addr: string, key: string, e: Uint8Array): 'same' | 'changed' | 'refused' {
    let m = this.#state.get(addr)
    const old = m?.get(key)
    if (old !== undefined) {
      if (sameBytes(old, e)) return 'same'
      m?.delete(key)
      m?.set(key, e.slice())
      return 'changed'
    }
    if ((m?.size ?? 0) >= this.#limits.perExporter) {
      this.#stats.refusedQuota++
      return 'refused'
    }
    if (this.#size >= this.#limits.total && !this.#evictFair(m?.size ?? 0)) {
      this.#stats.refusedFull++
      return 'refused'
    }
    if (!m) {
      m = new Map()
      this.#state.set(addr, m)
    }
    m.set(key, e.slice())
    this.#size++
    return 'changed'
  }

  /**
   * Full: drop the oldest entry of the address holding the most, if it holds more than
   * the newcomer's address will (`mine` + 1). False when no address is fairer to take from.
   */
  #evictFair(mine: number): boolean {
    let victim: string | undefined
    let most = 0
    for (const [addr, m] of this.#state) {
      if (m.size > most) {
        most = m.size
        victim = addr
      }
    }
    if (victim === undefined || most <= mine + 1) return false
    const m = this.#state.get(victim)
    const oldest = m?.keys().next()
    if (!m || !oldest || oldest.done === true) return false
    this.#delete(victim, oldest.value)
    this.#stats.evicted++
    return true
  }

  #delete(addr: string, key: string): boolean {
    const m = this.#state.get(addr)
    if (!m?.delete(key)) return false
    this.#size--
    if (m.size === 0) this.#state.delete(addr)
    return true
  }

  #withdrawAll(addr: string, scope: string, which: number): boolean {
    let changed = false
    for (const [key, e] of this.#state.get(addr) ?? []) {
      if (!key.startsWith(`${scope}|t`)) continue
      const kind = eventKind(e)
      if ((kind === 'template' && which & 1) || (kind === 'optionsTemplate' && which & 2)) {
        changed = this.#delete(addr, key) || changed
      }
    }
    return changed
  }

  /** All current state, one section per exporter address, in a stable order. */
  snapshot(): Uint8Array {
    return writeSnapshot(this.#ordered())
  }

  /** Each address's events, addresses and their entries in a stable order. */
  #ordered(): Uint8Array[][] {
    return [...this.#state.keys()].sort().map((a) => {
      const m = this.#state.get(a) ?? new Map<string, Uint8Array>()
      return [...m.keys()].sort().flatMap((k) => m.get(k) ?? [])
    })
  }

  /**
   * A registry restored from a snapshot, with what came back and what was lost. Never
   * throws: a damaged snapshot restores its intact exporters.
   */
  static restore(
    bytes: Uint8Array,
    limits: RegistryLimits = DEFAULT_REGISTRY_LIMITS,
  ): { registry: TemplateRegistry; report: RestoreReport } {
    const r = new TemplateRegistry(limits)
    const report = readSnapshot(bytes, (events) => r.#apply(events))
    return { registry: r, report }
  }

  /** A registry from an intact snapshot; throws SnapshotError for anything else. */
  static fromSnapshot(bytes: Uint8Array, limits?: RegistryLimits): TemplateRegistry {
    if (bytes.byteLength === 0) return new TemplateRegistry(limits)
    const { registry, report } = TemplateRegistry.restore(bytes, limits)
    if (report.format !== EVENT_FORMAT)
      throw new SnapshotError(
        report.format === 0
          ? 'not a flowloft template snapshot (missing stream header)'
          : `template snapshot format ${report.format}, this version reads ${EVENT_FORMAT}`,
      )
    if (report.lost.length > 0 || report.lostBytes > 0)
      throw new SnapshotError(`template snapshot damaged: ${report.lostBytes} bytes lost`)
    return registry
  }

  /** How many templates and options values are known. */
  get size(): number {
    return this.#size
  }

  /** Exporter addresses with state. */
  get exporters(): number {
    return this.#state.size
  }

  /** Refusals and evictions so far. */
  get stats(): Readonly<RegistryStats> {
    return this.#stats
  }

  /** JSON-friendly state per exporter, for an API endpoint. */
  describe(): DescribedExporter[] {
    const byExporter = new Map<string, DescribedExporter>()
    for (const bytes of this.#ordered().flat()) {
      const ev: FlowEvent | undefined = parseEvent(bytes)
      if (!ev) continue
      let d = byExporter.get(ev.exporter)
      if (!d) {
        d = { exporter: ev.exporter, templates: [], sampling: [], systemInit: [] }
        byExporter.set(ev.exporter, d)
      }
      const protocol = protocolName(ev.protocol)
      if (ev.kind === 'template' || ev.kind === 'optionsTemplate') {
        d.templates.push({
          protocol,
          port: ev.port,
          domain: ev.domain,
          templateId: ev.templateId,
          kind: ev.kind === 'template' ? 'data' : 'options',
          scopeCount: ev.scopeCount,
          fields: ev.fields,
        })
      } else if (ev.kind === 'samplingRate') {
        const id =
          ev.samplerId <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(ev.samplerId)
            : ev.samplerId.toString()
        d.sampling.push({
          protocol,
          domain: ev.domain,
          key: ev.key,
          samplerId: ev.key === 'domain' ? null : id,
          rate: ev.rate,
        })
      } else if (ev.kind === 'systemInit') {
        d.systemInit.push({ protocol, domain: ev.domain, unixMs: ev.unixMs })
      }
    }
    for (const d of byExporter.values()) {
      d.templates.sort(
        (a, b) =>
          a.protocol.localeCompare(b.protocol) ||
          a.port - b.port ||
          a.domain - b.domain ||
          a.templateId - b.templateId,
      )
    }
    return [...byExporter.values()]
  }
}
