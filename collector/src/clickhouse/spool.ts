// Batches that could not be inserted, kept as files under data_dir/spool/<table>/ so they
// survive a restart. One file per batch: a JSON header line (token, rows, columns,
// format) then the rows as they were to be inserted. Names sort in arrival order; a file
// is written under a temporary name and renamed, so a crash never leaves half a batch
// that looks whole.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RowFormat } from '@flowloft/decoder-wasm'

export interface SpoolHeader {
  /** insert_deduplication_token of the batch: the same on every attempt. */
  token: string
  rows: number
  columns: string[]
  /** The rows' format; absent in files written before RowBinary, which hold TSV. */
  format?: RowFormat
}

export interface SpoolEntry {
  name: string
  bytes: number
}

const NAME = /^(\d{16})-[0-9a-f-]+\.batch$/

export function encodeSpool(h: SpoolHeader, chunks: readonly Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(h)}\n`), ...chunks])
}

export function decodeSpool(buf: Buffer): { header: SpoolHeader; body: Buffer } {
  const nl = buf.indexOf(0x0a)
  if (nl < 0) throw new Error('spool file has no header line')
  const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as SpoolHeader
  return { header, body: buf.subarray(nl + 1) }
}

export class Spool {
  readonly dir: string
  readonly #entries: SpoolEntry[] = []
  #bytes = 0
  #seq = 0

  constructor(dir: string) {
    this.dir = dir
    mkdirSync(dir, { recursive: true })
    for (const f of readdirSync(dir).sort()) {
      const m = NAME.exec(f)
      if (!m) {
        if (f.endsWith('.tmp')) unlinkSync(join(dir, f)) // a write cut short by a crash
        continue
      }
      const bytes = statSync(join(dir, f)).size
      this.#entries.push({ name: f, bytes })
      this.#bytes += bytes
      this.#seq = Math.max(this.#seq, Number(m[1]))
    }
  }

  get bytes(): number {
    return this.#bytes
  }
  get files(): number {
    return this.#entries.length
  }
  oldest(): SpoolEntry | undefined {
    return this.#entries[0]
  }

  /** Store a batch; false (nothing written) when it would pass `maxBytes`. */
  put(h: SpoolHeader, chunks: readonly Buffer[], maxBytes: number): boolean {
    const data = encodeSpool(h, chunks)
    if (this.#bytes + data.length > maxBytes) return false
    this.#seq += 1
    const name = `${String(this.#seq).padStart(16, '0')}-${h.token}.batch`
    const tmp = join(this.dir, `${name}.tmp`)
    writeFileSync(tmp, data)
    renameSync(tmp, join(this.dir, name))
    this.#entries.push({ name, bytes: data.length })
    this.#bytes += data.length
    return true
  }

  read(e: SpoolEntry): { header: SpoolHeader; body: Buffer } {
    return decodeSpool(readFileSync(join(this.dir, e.name)))
  }

  /** Delete the oldest file: call only once its insert has succeeded. */
  removeOldest(): void {
    const e = this.#entries.shift()
    if (!e) return
    unlinkSync(join(this.dir, e.name))
    this.#bytes -= e.bytes
  }
}
