// The main thread's view of every template and options value the decoder workers have
// learned: merges their events (latest wins, withdrawals remove), hands the whole state
// to a fresh worker or to disk as a snapshot, and describes it for the API.
import {
  concatBytes,
  eventKind,
  eventSlices,
  isStreamHeader,
  parseEvent,
  streamHeader,
  type FlowEvent,
  type SamplerKey,
  type TemplateField,
} from './flow-events.js'

export interface DescribedTemplate {
  protocol: 'netflow9' | 'ipfix'
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

const protocolName = (p: number): 'netflow9' | 'ipfix' => (p === 9 ? 'netflow9' : 'ipfix')

function hex(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('hex')
}

/** Key of the (exporter, protocol, domain) an event belongs to. */
function scopeKey(e: Uint8Array): string {
  return `${hex(e, 12, 28)}|${e[4] ?? 0}|${hex(e, 8, 12)}`
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}

export class TemplateRegistry {
  /** State as the events that recreate it, by slot: templates, rates, init times. */
  readonly #state = new Map<string, Uint8Array>()

  /** Merge events (Decoder.takeEvents output or a snapshot); true when anything changed. */
  apply(events: Uint8Array): boolean {
    let changed = false
    for (const e of eventSlices(events)) {
      const kind = eventKind(e)
      if (kind === undefined || kind === 'stream' || e.byteLength < 28) continue
      const scope = scopeKey(e)
      const templateKey = `${scope}|t${(e[6] ?? 0) | ((e[7] ?? 0) << 8)}`
      switch (kind) {
        case 'template':
        case 'optionsTemplate':
          changed = this.#put(templateKey, e) || changed
          break
        case 'withdrawn':
          changed = this.#state.delete(templateKey) || changed
          break
        case 'allWithdrawn':
          changed = this.#withdrawAll(scope, e[5] ?? 0) || changed
          break
        case 'samplingRate':
          if (e.byteLength >= 40)
            changed = this.#put(`${scope}|r${e[5] ?? 0}:${hex(e, 32, 40)}`, e) || changed
          break
        case 'systemInit':
          if (e.byteLength >= 40) changed = this.#put(`${scope}|i`, e) || changed
          break
      }
    }
    return changed
  }

  #put(key: string, e: Uint8Array): boolean {
    const old = this.#state.get(key)
    if (old !== undefined && sameBytes(old, e)) return false
    this.#state.set(key, e.slice())
    return true
  }

  #withdrawAll(scope: string, which: number): boolean {
    let changed = false
    for (const [key, e] of this.#state) {
      if (!key.startsWith(`${scope}|t`)) continue
      const kind = eventKind(e)
      if ((kind === 'template' && which & 1) || (kind === 'optionsTemplate' && which & 2)) {
        this.#state.delete(key)
        changed = true
      }
    }
    return changed
  }

  /** All current state as events, in a stable order, behind a stream header. */
  snapshot(): Uint8Array {
    const keys = [...this.#state.keys()].sort()
    const parts = [streamHeader(keys.length)]
    for (const k of keys) {
      const e = this.#state.get(k)
      if (e) parts.push(e)
    }
    return concatBytes(parts)
  }

  static fromSnapshot(bytes: Uint8Array): TemplateRegistry {
    const first = eventSlices(bytes).next()
    if (bytes.byteLength > 0 && (first.done === true || !isStreamHeader(first.value))) {
      throw new SnapshotError('not a flowloft template snapshot (missing stream header)')
    }
    const r = new TemplateRegistry()
    r.apply(bytes)
    return r
  }

  /** How many templates and options values are known. */
  get size(): number {
    return this.#state.size
  }

  /** JSON-friendly state per exporter, for an API endpoint. */
  describe(): DescribedExporter[] {
    const byExporter = new Map<string, DescribedExporter>()
    const keys = [...this.#state.keys()].sort()
    for (const k of keys) {
      const bytes = this.#state.get(k)
      const ev: FlowEvent | undefined = bytes && parseEvent(bytes)
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
          a.domain - b.domain ||
          a.templateId - b.templateId,
      )
    }
    return [...byExporter.values()]
  }
}
