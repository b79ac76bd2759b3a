// Batches that could not be inserted, kept as files under data_dir/spool/<table>/ so they
// survive a restart. One file per batch: a JSON header line (token, rows, columns,
// format) then the rows as they were to be inserted. Names sort in arrival order; a file
// is written under a temporary name and renamed, so a crash never leaves half a batch
// that looks whole (and a temporary file left by one is removed at start). No method
// throws on a failed file operation: each returns it as an IoError (a full disk or no
// file descriptors left is a condition the writer counts and waits out).
//
// The spool never takes the disk's last free bytes: replaying a file needs room for one
// more copy of it (the embedded engine's insert file) and for the part ClickHouse writes
// (it reserves about 1.4 x the rows' size, at least 1 MiB). A batch is refused
// (`low_space`) unless 3 x its size + 1 MiB stay free after it, so a spool that filled
// the disk during an outage can still be replayed without anything else being deleted.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RowFormat } from '@flowloft/decoder-wasm'
import { ContentError, errnoCode, IoError } from './insert-errors.js'

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
const FORMATS: readonly string[] = ['RowBinary', 'TabSeparated']

export function encodeSpool(h: SpoolHeader, chunks: readonly Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(h)}\n`), ...chunks])
}

/** Header and rows of a spool file; a ContentError (BAD_SPOOL_FILE) when it is not one. */
export function decodeSpool(buf: Buffer): { header: SpoolHeader; body: Buffer } {
  const bad = (why: string, cause?: unknown): ContentError =>
    new ContentError('BAD_SPOOL_FILE', `spool file: ${why}`, { cause })
  const nl = buf.indexOf(0x0a)
  if (nl < 0) throw bad('no header line')
  let h: unknown
  try {
    h = JSON.parse(buf.subarray(0, nl).toString('utf8'))
  } catch (err) {
    throw bad('header is not JSON', err)
  }
  if (!isHeader(h)) throw bad('header lacks token, rows or columns')
  return { header: h, body: buf.subarray(nl + 1) }
}

function isHeader(h: unknown): h is SpoolHeader {
  if (typeof h !== 'object' || h === null) return false
  const o = h as Record<string, unknown>
  return (
    typeof o['token'] === 'string' &&
    Number.isSafeInteger(o['rows']) &&
    (o['rows'] as number) >= 0 &&
    Array.isArray(o['columns']) &&
    o['columns'].length > 0 &&
    o['columns'].every((c) => typeof c === 'string') &&
    (o['format'] === undefined || FORMATS.includes(o['format'] as string))
  )
}

/** Free bytes a batch of `bytes` needs to be spooled: itself, and room left to replay it. */
export const replayReserve = (bytes: number): number => 4 * bytes + (1 << 20)

export class Spool {
  readonly dir: string
  readonly #entries: SpoolEntry[] = []
  readonly #reserve: (bytes: number) => number
  #bytes = 0
  #seq = 0

  constructor(dir: string, reserve: (bytes: number) => number = replayReserve) {
    this.dir = dir
    this.#reserve = reserve
    mkdirSync(dir, { recursive: true })
    for (const f of readdirSync(dir).sort()) {
      const m = NAME.exec(f)
      if (!m) {
        if (f.endsWith('.tmp')) unlinkSync(join(dir, f)) // a write cut short by a crash
        continue
      }
      let bytes: number
      try {
        bytes = statSync(join(dir, f)).size
      } catch {
        continue // gone since it was listed
      }
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

  /**
   * Store a batch: `full` (nothing written) when it would pass `maxBytes`, `low_space`
   * when it would leave the disk less than the replay reserve; an IoError when the file
   * could not be written, and then no part of it is left behind.
   */
  put(
    h: SpoolHeader,
    chunks: readonly Buffer[],
    maxBytes: number,
  ): 'ok' | 'full' | 'low_space' | IoError {
    const data = encodeSpool(h, chunks)
    if (this.#bytes + data.length > maxBytes) return 'full'
    if (freeBytes(this.dir) < this.#reserve(data.length)) return 'low_space'
    const name = `${String(this.#seq + 1).padStart(16, '0')}-${h.token}.batch`
    const tmp = join(this.dir, `${name}.tmp`)
    try {
      writeFileSync(tmp, data)
      renameSync(tmp, join(this.dir, name))
    } catch (err) {
      try {
        unlinkSync(tmp)
      } catch {
        // Never created, or removed at the next start.
      }
      return new IoError('spool_write', err)
    }
    this.#seq += 1
    this.#entries.push({ name, bytes: data.length })
    this.#bytes += data.length
    return 'ok'
  }

  /** The oldest file's header and rows; throws IoError (read) or ContentError (parse). */
  read(e: SpoolEntry): { header: SpoolHeader; body: Buffer } {
    let buf: Buffer
    try {
      buf = readFileSync(join(this.dir, e.name))
    } catch (err) {
      throw new IoError('spool_read', err)
    }
    return decodeSpool(buf)
  }

  /** Delete the oldest file: call only once its insert has succeeded. */
  removeOldest(): IoError | undefined {
    const e = this.#entries[0]
    if (!e) return undefined
    try {
      unlinkSync(join(this.dir, e.name))
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') return new IoError('spool_remove', err)
    }
    this.#forgetOldest()
    return undefined
  }

  /**
   * Move the oldest file to `path` (a rename: no space needed); it leaves the queue even
   * when that fails (it is then deleted, or at worst met again at the next start).
   */
  moveOldest(path: string): IoError | undefined {
    const e = this.#entries[0]
    if (!e) return undefined
    const from = join(this.dir, e.name)
    let failed: IoError | undefined
    try {
      renameSync(from, path)
    } catch (err) {
      failed = new IoError('spool_reject', err)
      try {
        unlinkSync(from)
      } catch {
        // Left for the next start.
      }
    }
    this.#forgetOldest()
    return failed
  }

  #forgetOldest(): void {
    const e = this.#entries.shift()
    if (e) this.#bytes -= e.bytes
  }
}

/** Free bytes for an unprivileged writer on the disk of `dir` (unknown: unlimited). */
function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir)
    return s.bavail * s.bsize
  } catch {
    return Infinity
  }
}
