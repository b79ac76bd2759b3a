// The writer's rows in memory (writer.ts): added to an open batch, cut into a batch with
// its own insert_deduplication_token (by count or age), and queued oldest first. A batch
// cut while the one before it waits behind the running insert joins it, up to
// maxInsertRows, as long as that one has not been tried: a writer that falls behind makes
// fewer, larger inserts. Rows count as pending from add() until their batch leaves memory
// (stored, spooled or set aside).
import { randomUUID } from 'node:crypto'
import type { RowFormat } from '@flowloft/decoder-wasm'
import type { JournalFiles } from './writer-journal.js'

export interface Batch {
  chunks: Buffer[]
  rows: number
  token: string
  /** An insert was attempted: its token may name stored rows, so it takes no more. */
  tried: boolean
  /** Its journal files (writer-journal.ts), once cut. */
  journal?: JournalFiles
  /** Set on a batch read back from the journal: the columns and format it was written with. */
  columns?: string[]
  format?: RowFormat
}

const emptyBatch = (): Batch => ({ chunks: [], rows: 0, token: '', tried: false })

export class Batcher {
  readonly #maxPending: number
  readonly #maxInsertRows: number
  readonly #ready: Batch[] = []
  #open = emptyBatch()
  #openedAt = 0
  #pending = 0

  constructor(maxPendingRows: number, maxInsertRows: number) {
    this.#maxPending = maxPendingRows
    this.#maxInsertRows = maxInsertRows
  }

  /** Rows in memory: the open batch and the queue. */
  get pendingRows(): number {
    return this.#pending
  }
  get openRows(): number {
    return this.#open.rows
  }
  /** Milliseconds since the open batch's first row was added (0 when it is empty). */
  openAgeMs(now = Date.now()): number {
    return this.#open.rows === 0 ? 0 : now - this.#openedAt
  }
  get queued(): number {
    return this.#ready.length
  }

  /** Add `rows` rows to the open batch; false (nothing taken) past maxPendingRows. */
  add(body: Buffer, rows: number): boolean {
    if (this.#pending + rows > this.#maxPending) return false
    if (this.#open.rows === 0) this.#openedAt = Date.now()
    this.#open.chunks.push(body)
    this.#open.rows += rows
    this.#pending += rows
    return true
  }

  /** Close the open batch, undefined when it is empty; queue() or left() it next. */
  cut(): Batch | undefined {
    if (this.#open.rows === 0) return undefined
    const b: Batch = { ...this.#open, token: randomUUID() }
    this.#open = emptyBatch()
    return b
  }

  /**
   * Queue a cut batch: joined to the last one when that has room and was not tried.
   * Returns the batch that holds its rows now (`b`, or the one it joined).
   */
  queue(b: Batch): Batch {
    const last = this.#ready.at(-1)
    if (last && !last.tried && last.rows + b.rows <= this.#maxInsertRows) {
      last.chunks.push(...b.chunks)
      last.rows += b.rows
      return last
    }
    this.#ready.push(b)
    return b
  }

  /**
   * Queue a batch a previous run left (read back from the journal), whatever the bound:
   * marked tried, as it may be stored already, so no batch joins it.
   */
  restore(b: Batch): void {
    b.tried = true
    this.#ready.push(b)
    this.#pending += b.rows
  }

  oldest(): Batch | undefined {
    return this.#ready[0]
  }

  /** The oldest queued batch left memory. */
  shift(): Batch | undefined {
    const b = this.#ready.shift()
    if (b) this.left(b)
    return b
  }

  /** A cut batch went elsewhere (the spool) instead of the queue. */
  left(b: Batch): void {
    this.#pending -= b.rows
  }
}
