// The writer's rows in memory, also on disk (writer.ts), so that a crash or a power cut
// loses at most what the OS had not yet written. Every chunk add() takes is appended to
// a journal file (data_dir/spool/journal/<table>/) before add() returns: one write per chunk,
// not synced. One file per batch: the spool's header line (spool.ts: columns and format;
// its token and rows are unused here), then records, each a 16-byte frame (magic, bytes,
// rows, CRC-32 of the bytes) and the chunk as it will be inserted.
//
// The open batch's file is `<seq>.open`. When the batch is cut it is renamed
// `<seq>-<token>.cut`, tying it to the batch's insert_deduplication_token (a batch joined
// to the one queued before it takes that one's token, and its file is renamed to it).
// At start every file is read back: the `.cut` files of one token, in order, are one
// batch inserted again with that token (ClickHouse's deduplication drops it when it was
// stored before the crash); an `.open` file is a batch given a fresh token. A record cut
// short or corrupt (a crash mid-write) ends its file: the whole records before it are
// kept and it is counted. A batch's files are deleted once it leaves memory (stored,
// spooled, set aside), newest first: a crash midway leaves a prefix of a stored batch,
// which its token still deduplicates.
//
// No method throws on a failed file operation: each is reported as an IoError (ops
// journal_write, journal_rename, journal_remove, journal_read). A batch whose append
// failed or was refused (the journal and the spool at their bound) keeps its rows in
// memory, counted; its file takes no more records until the batch is cut.
import { randomUUID } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { renameSync, unlinkSync, writevSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import type { RowFormat } from '@flowloft/decoder-wasm'
import { errnoCode, IoError } from './insert-errors.js'
import { decodeSpool, type SpoolHeader } from './spool.js'

/** A batch's journal files, oldest first. */
export interface JournalFiles {
  names: string[]
  bytes: number
  /** Every row of the batch has its record. */
  whole: boolean
}

/** A batch read back at start: its token, rows and header from its files. */
export interface RecoveredBatch {
  header: SpoolHeader
  chunks: Buffer[]
  files: JournalFiles
}

/** Why a chunk has no record: the bound was reached, or a file operation failed. */
export type Unjournaled = 'journal_full' | 'journal_error'

const MAGIC = 0x464c4a31 // "FLJ1"
const FRAME = 16
const OPEN = /^(\d{16})\.open$/
const CUT = /^(\d{16})-([0-9a-f-]+)\.cut$/

interface OpenFile {
  name: string
  fd: number
  bytes: number
  /** Set once an append was refused or failed: the file takes no more records. */
  broken?: Unjournaled
}

export class Journal {
  readonly dir: string
  readonly #header: Buffer
  readonly #error: (e: IoError) => void
  #open: OpenFile | undefined
  #bytes = 0
  #seq = 0

  constructor(
    dir: string,
    h: { columns: readonly string[]; format: RowFormat },
    onError: (e: IoError) => void,
  ) {
    this.dir = dir
    this.#error = onError
    const header: SpoolHeader = { token: '', rows: 0, columns: [...h.columns], format: h.format }
    this.#header = Buffer.from(`${JSON.stringify(header)}\n`)
    mkdirSync(dir, { recursive: true })
  }

  /** Bytes of every journal file (those read back at start included). */
  get bytes(): number {
    return this.#bytes
  }

  /**
   * Read back what a previous run left, oldest first; `torn` counts files whose last
   * record was cut short or corrupt. An `.open` file gets a fresh token (its file renamed
   * to it); empty and unreadable files are deleted.
   */
  recover(): { batches: RecoveredBatch[]; torn: number } {
    const batches: RecoveredBatch[] = []
    const byToken = new Map<string, RecoveredBatch>()
    let torn = 0
    for (const name of readdirSync(this.dir).sort()) {
      const open = OPEN.exec(name)
      const cut = open ? undefined : CUT.exec(name)
      const seq = open?.[1] ?? cut?.[1]
      if (seq === undefined) continue
      this.#seq = Math.max(this.#seq, Number(seq))
      const file = this.#read(name)
      if (file === undefined) continue
      if (file.torn) torn += 1
      if (file.rows === 0) {
        this.#unlink(name)
        continue
      }
      let token = cut?.[2] ?? ''
      let kept = name
      if (open) {
        token = randomUUID()
        kept = this.#rename(name, `${seq}-${token}.cut`) ?? name
      }
      this.#bytes += file.bytes
      const known = byToken.get(token)
      if (known) {
        known.chunks.push(...file.chunks)
        known.header.rows += file.rows
        known.files.names.push(kept)
        known.files.bytes += file.bytes
        continue
      }
      const b: RecoveredBatch = {
        header: { ...file.header, token, rows: file.rows },
        chunks: file.chunks,
        files: { names: [kept], bytes: file.bytes, whole: true },
      }
      byToken.set(token, b)
      batches.push(b)
    }
    return { batches, torn }
  }

  /**
   * Append a chunk of `rows` rows to the open batch's file (created with its first
   * chunk). `limit` is the most bytes the journal may hold; past it, or once the file
   * is broken, the chunk is not written and the reason is returned.
   */
  append(chunk: Buffer, rows: number, limit: number): 'ok' | Unjournaled {
    let f = this.#open
    if (f?.broken) return f.broken
    const head = f ? [] : [this.#header]
    const size = (f ? 0 : this.#header.length) + FRAME + chunk.length
    if (this.#bytes + size > limit) {
      if (f) f.broken = 'journal_full'
      else this.#open = { name: '', fd: -1, bytes: 0, broken: 'journal_full' }
      return 'journal_full'
    }
    if (!f) {
      const name = `${String(this.#seq + 1).padStart(16, '0')}.open`
      try {
        f = { name, fd: openSync(join(this.dir, name), 'wx'), bytes: 0 }
      } catch (err) {
        this.#error(new IoError('journal_write', err))
        this.#open = { name: '', fd: -1, bytes: 0, broken: 'journal_error' }
        return 'journal_error'
      }
      this.#seq += 1
      this.#open = f
    }
    const frame = Buffer.allocUnsafe(FRAME)
    frame.writeUInt32LE(MAGIC, 0)
    frame.writeUInt32LE(chunk.length, 4)
    frame.writeUInt32LE(rows, 8)
    frame.writeUInt32LE(crc32(chunk), 12)
    let written = 0
    try {
      written = writevSync(f.fd, [...head, frame, chunk])
    } catch (err) {
      this.#error(new IoError('journal_write', err))
    }
    // A short write (a full disk) leaves a torn record: the file takes no more.
    f.bytes += written
    this.#bytes += written
    if (written === size) return 'ok'
    if (written > 0) {
      const short = new Error(`short write: ${written} of ${size} bytes`)
      this.#error(new IoError('journal_write', short, 'ENOSPC'))
    }
    f.broken = 'journal_error'
    return 'journal_error'
  }

  /** The open batch was cut with `token`: its file is closed and tied to the token. */
  cut(token: string): JournalFiles {
    const f = this.#open
    this.#open = undefined
    if (!f?.name) return { names: [], bytes: 0, whole: f === undefined }
    this.#close(f.fd)
    const name = this.#rename(f.name, `${f.name.slice(0, 16)}-${token}.cut`) ?? f.name
    return { names: [name], bytes: f.bytes, whole: f.broken === undefined }
  }

  /** `from`'s batch was joined to `into`'s (whose token is `token`): its files follow. */
  join(from: JournalFiles, into: JournalFiles, token: string): void {
    for (const name of from.names) {
      into.names.push(this.#rename(name, `${name.slice(0, 16)}-${token}.cut`) ?? name)
    }
    into.bytes += from.bytes
    into.whole &&= from.whole
  }

  /** The batch left memory: its files go, newest first. */
  remove(files: JournalFiles): void {
    for (const name of files.names.toReversed()) this.#unlink(name)
    this.#bytes -= files.bytes
    files.names = []
    files.bytes = 0
  }

  /** Close the open file (at stop; the writer cut its batch before). */
  close(): void {
    if (this.#open?.name) this.#close(this.#open.fd)
    this.#open = undefined
  }

  #read(
    name: string,
  ):
    | { header: SpoolHeader; chunks: Buffer[]; rows: number; bytes: number; torn: boolean }
    | undefined {
    let buf: Buffer
    try {
      buf = readFileSync(join(this.dir, name))
    } catch (err) {
      this.#error(new IoError('journal_read', err))
      return undefined
    }
    let header: SpoolHeader
    let body: Buffer
    try {
      ;({ header, body } = decodeSpool(buf))
    } catch {
      // The first write was cut short inside the header: no record is whole.
      return {
        header: { token: '', rows: 0, columns: [] },
        chunks: [],
        rows: 0,
        bytes: 0,
        torn: true,
      }
    }
    const chunks: Buffer[] = []
    let rows = 0
    let at = 0
    while (at + FRAME <= body.length) {
      const len = body.readUInt32LE(at + 4)
      const chunk = body.subarray(at + FRAME, at + FRAME + len)
      if (
        body.readUInt32LE(at) !== MAGIC ||
        chunk.length !== len ||
        crc32(chunk) !== body.readUInt32LE(at + 12)
      )
        break
      chunks.push(chunk)
      rows += body.readUInt32LE(at + 8)
      at += FRAME + len
    }
    return { header, chunks, rows, bytes: buf.length, torn: at < body.length }
  }

  #rename(from: string, to: string): string | undefined {
    try {
      renameSync(join(this.dir, from), join(this.dir, to))
      return to
    } catch (err) {
      this.#error(new IoError('journal_rename', err))
      return undefined
    }
  }

  #unlink(name: string): void {
    try {
      unlinkSync(join(this.dir, name))
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') this.#error(new IoError('journal_remove', err))
    }
  }

  #close(fd: number): void {
    try {
      closeSync(fd)
    } catch {
      // Nothing left to lose: every record was written before.
    }
  }
}
