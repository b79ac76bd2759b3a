// What was learned, per exporter (keys and prefixes in the senders' canonical text): bounded (a cap per exporter and on the number of
// exporters), forgotten when not seen for a while (a delegated prefix the ISP changed),
// kept in one JSON file under data_dir so a restart starts with it.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { canonicalPrefix, canonicalSender } from '../senders/index.js'

/** Why a prefix was learned (see evidence-sql.ts). */
export const EVIDENCE = ['inside_source', 'post_nat', 'exporter_address'] as const
export type Evidence = (typeof EVIDENCE)[number]

export interface LearnedPrefix {
  prefix: string
  evidence: Evidence
  /** Unix seconds. */
  learned_at: number
  /** Unix seconds of the last run that saw evidence for it. */
  last_seen: number
}

export interface Limits {
  perExporter: number
  exporters: number
  /** A prefix not seen for this long is forgotten. */
  forgetSeconds: number
}

export interface Candidate {
  prefix: string
  evidence: Evidence
}

/** One exporter's outcome of a run: what was added and what the caps refused. */
export interface Observed {
  added: LearnedPrefix[]
  refused: { exporter_cap: number; exporters_cap: number }
}

interface FileShape {
  version: 1
  exporters: Record<string, LearnedPrefix[]>
}

export class LearnedSet {
  readonly #limits: Limits
  readonly #by = new Map<string, Map<string, LearnedPrefix>>()

  constructor(limits: Limits) {
    this.#limits = limits
  }

  get exporterCount(): number {
    return this.#by.size
  }

  exporters(): string[] {
    return [...this.#by.keys()]
  }

  list(exporter: string): LearnedPrefix[] {
    const m = this.#by.get(exporter)
    if (!m) return []
    return [...m.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0))
  }

  prefixes(exporter: string): string[] {
    return this.list(exporter).map((p) => p.prefix)
  }

  /** Merge one run's candidates of an exporter (strongest evidence first). */
  observe(exporter: string, candidates: readonly Candidate[], now: number): Observed {
    const out: Observed = { added: [], refused: { exporter_cap: 0, exporters_cap: 0 } }
    let m = this.#by.get(exporter)
    for (const c of candidates) {
      const known = m?.get(c.prefix)
      if (known) {
        known.last_seen = now
        continue
      }
      if (!m) {
        if (this.#by.size >= this.#limits.exporters) {
          out.refused.exporters_cap++
          continue
        }
        m = new Map()
        this.#by.set(exporter, m)
      }
      if (m.size >= this.#limits.perExporter) {
        out.refused.exporter_cap++
        continue
      }
      const p: LearnedPrefix = { ...c, learned_at: now, last_seen: now }
      m.set(c.prefix, p)
      out.added.push(p)
    }
    return out
  }

  /** Forget what was not seen within the limit; the exporters that changed. */
  expire(now: number): Map<string, LearnedPrefix[]> {
    const gone = new Map<string, LearnedPrefix[]>()
    for (const [e, m] of this.#by) {
      for (const [k, p] of m) {
        if (now - p.last_seen < this.#limits.forgetSeconds) continue
        m.delete(k)
        gone.set(e, [...(gone.get(e) ?? []), p])
      }
      if (m.size === 0) this.#by.delete(e)
    }
    return gone
  }

  /** Forget everything learned for an exporter; what was forgotten. */
  forget(exporter: string): LearnedPrefix[] {
    const list = this.list(exporter)
    this.#by.delete(exporter)
    return list
  }

  save(file: string): void {
    const doc: FileShape = { version: 1, exporters: {} }
    for (const e of this.#by.keys()) doc.exporters[e] = this.list(e)
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify(doc)}\n`, { mode: 0o600 })
    renameSync(tmp, file)
  }

  /**
   * Read a saved set; an absent file is empty. Entries that are not valid are skipped
   * (their number comes back); a file that is not one of ours throws, naming it.
   */
  load(file: string): { skipped: number } {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { skipped: 0 }
      throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err })
    }
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch (err) {
      throw new Error(`${file} is not JSON: ${(err as Error).message}`, { cause: err })
    }
    const exporters = isRecord(doc) ? doc['exporters'] : undefined
    if (!isRecord(exporters)) throw new Error(`${file} has no "exporters" mapping`)
    let skipped = 0
    for (const [addr, list] of Object.entries(exporters)) {
      const e = canonicalSender(addr)
      if (e === null || !Array.isArray(list)) {
        skipped++
        continue
      }
      for (const raw of list as unknown[]) {
        const p = storedPrefix(raw)
        if (p === null) {
          skipped++
          continue
        }
        const r = this.observe(e, [p], p.last_seen)
        const added = r.added[0]
        if (added) added.learned_at = p.learned_at
        else skipped++
      }
    }
    return { skipped }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

function storedPrefix(raw: unknown): LearnedPrefix | null {
  if (!isRecord(raw)) return null
  const { prefix, evidence, learned_at, last_seen } = raw
  const canonical = typeof prefix === 'string' ? canonicalPrefix(prefix) : null
  if (canonical === null) return null
  if (!EVIDENCE.includes(evidence as Evidence)) return null
  if (typeof learned_at !== 'number' || typeof last_seen !== 'number') return null
  if (!Number.isFinite(learned_at) || !Number.isFinite(last_seen)) return null
  return { prefix: canonical, evidence: evidence as Evidence, learned_at, last_seen }
}
