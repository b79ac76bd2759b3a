// Batches ClickHouse refused for their content (insert-errors.ts), set aside under
// data_dir/spool/rejected/ for a person to look at, in the spool's own file format (a
// JSON header line, then the rows), each `.batch` file with a `.json` beside it that says
// why and when (RejectedNote). The folder is bounded: past `maxFiles` batches or
// `maxBytes` bytes the oldest are deleted, with their notes. Names start with the time
// they were set aside, so they sort oldest first; the writers of several tables share
// the folder.
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { IoError } from './insert-errors.js'

export interface QuarantineOptions {
  dir: string
  /** Names of this writer's files carry it (the spool folder's name: flows, sflow_counters). */
  label: string
  maxFiles: number
  maxBytes: number
}

/** The `.json` beside a set-aside batch. */
export interface RejectedNote {
  table: string
  /** `memory` (a batch refused at its first insert) or `spool` (a spool file). */
  source: string
  /** ClickHouse's error name (CANNOT_PARSE_DATETIME), or the collector's (BAD_SPOOL_FILE). */
  code: string
  /** The error's first line. */
  error: string
  rows: number
  /** When it was set aside, ISO 8601 UTC. */
  rejected_at: string
}

/** The note of the batch at `path` (`x.batch` -> `x.json`). */
export const notePath = (path: string): string => path.replace(/\.batch$/, '.json')

export class Quarantine {
  readonly dir: string
  readonly #o: QuarantineOptions
  #seq = 0

  constructor(o: QuarantineOptions) {
    this.#o = o
    this.dir = o.dir
    mkdirSync(o.dir, { recursive: true })
    for (const f of readdirSync(o.dir)) {
      if (f.endsWith('.tmp')) unlinkSync(join(o.dir, f)) // a write cut short by a crash
    }
  }

  /** Where a batch named `name` (a spool file's name or a token) goes. */
  pathFor(name: string): string {
    this.#seq = (this.#seq + 1) % 1000
    const stamp = `${String(Date.now()).padStart(14, '0')}${String(this.#seq).padStart(3, '0')}`
    return join(this.dir, `${stamp}-${this.#o.label}-${name.replace(/\.batch$/, '')}.batch`)
  }

  /** Write a refused batch (whole or not at all). */
  write(path: string, data: Buffer): IoError | undefined {
    return writeWhole(path, data)
  }

  /** Write the note beside the batch at `path`. */
  note(path: string, n: RejectedNote): IoError | undefined {
    return writeWhole(notePath(path), Buffer.from(`${JSON.stringify(n, null, 2)}\n`))
  }

  /** Delete the oldest batches (and notes) until the folder is within its bounds; how many went. */
  prune(): number {
    let names: string[]
    try {
      names = readdirSync(this.dir).sort()
    } catch {
      return 0
    }
    const batches = new Set(names.filter((f) => f.endsWith('.batch')))
    // A note whose batch a person deleted goes too.
    for (const f of names)
      if (f.endsWith('.json') && !batches.has(f.replace(/\.json$/, '.batch'))) remove(this.dir, f)
    const files = [...batches].map((name) => ({ name, bytes: sizeOf(join(this.dir, name)) }))
    let bytes = files.reduce((t, f) => t + f.bytes, 0)
    let removed = 0
    for (const f of files) {
      if (files.length - removed <= this.#o.maxFiles && bytes <= this.#o.maxBytes) break
      if (!remove(this.dir, f.name)) continue
      remove(this.dir, notePath(f.name))
      bytes -= f.bytes
      removed++
    }
    return removed
  }
}

function writeWhole(path: string, data: Buffer): IoError | undefined {
  const tmp = `${path}.tmp`
  try {
    writeFileSync(tmp, data)
    renameSync(tmp, path)
  } catch (err) {
    try {
      unlinkSync(tmp)
    } catch {
      // Never created, or removed at the next start.
    }
    return new IoError('rejected_write', err)
  }
  return undefined
}

function remove(dir: string, name: string): boolean {
  try {
    unlinkSync(join(dir, name))
    return true
  } catch {
    return false
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
