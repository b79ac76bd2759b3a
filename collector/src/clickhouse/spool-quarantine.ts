// Batches ClickHouse refused for their content (insert-errors.ts), set aside under
// data_dir/spool/rejected/ for a person to look at, in the spool's own file format (a
// JSON header line, then the rows). The folder is bounded: past `maxFiles` files or
// `maxBytes` bytes the oldest are deleted. Names start with the time they were set
// aside, so they sort oldest first; the writers of several tables share the folder.
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

  /** Delete the oldest files until the folder is within its bounds; how many went. */
  prune(): number {
    let files: { name: string; bytes: number }[]
    try {
      files = readdirSync(this.dir)
        .filter((f) => f.endsWith('.batch'))
        .sort()
        .map((name) => ({ name, bytes: sizeOf(join(this.dir, name)) }))
    } catch {
      return 0
    }
    let bytes = files.reduce((t, f) => t + f.bytes, 0)
    let removed = 0
    for (const f of files) {
      if (files.length - removed <= this.#o.maxFiles && bytes <= this.#o.maxBytes) break
      try {
        unlinkSync(join(this.dir, f.name))
      } catch {
        continue
      }
      bytes -= f.bytes
      removed++
    }
    return removed
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
