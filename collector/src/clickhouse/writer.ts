// Batches rows (RowBinary from the decoder, TSV from the collector's own tables) by
// count and age and inserts them into flowloft.flows one batch at a time, losing
// nothing while ClickHouse is away: a batch whose insert fails goes to a file under the
// spool directory (bounded by bytes; past it, rows are dropped and counted), and so
// does every newer batch until the spool is empty again. Spooled
// batches are replayed oldest first with capped backoff, each file deleted only after
// its insert succeeded, also after a restart. Every batch carries a stable
// insert_deduplication_token, so an insert that succeeded but was reported failed (or a
// crash between insert and delete) is not stored twice: the table needs
// `non_replicated_deduplication_window` (schema/0002).
//
// A failed file operation (a full disk, no file descriptors left) is counted by errno
// code and never thrown: a batch the spool cannot take stays in memory (within
// maxPendingRows, past which rows are the counted `memory` drop), and the spool is not
// written again until an insert succeeds or maxBackoffMs has passed. Each retry tries
// the insert before the spool, so space freed on a full disk goes to the insert that
// empties the queue (one batch's file, deleted after it), not to more spool files.
// A batch ClickHouse refuses for its content (insert-errors.ts) is set aside under
// spool/rejected/ (writer-set-aside.ts), counted as a `rejected` drop, and the next
// batch goes on: only transient errors are retried.
import { randomUUID } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { rateLimited } from '../observability/log.js'
import { DATABASE } from './engine.js'
import { classifyInsertError, errorCode, errorSummary, IoError } from './insert-errors.js'
import { Spool, type SpoolEntry, type SpoolHeader } from './spool.js'
import { Quarantine } from './spool-quarantine.js'
import { insertBatch } from './writer-insert.js'
import { writerMetrics } from './writer-metrics.js'
import type { WriterOptions } from './writer-options.js'
import { setAside } from './writer-set-aside.js'
import { StallClock } from './writer-stall.js'

export type { WriterOptions } from './writer-options.js'

interface Batch {
  chunks: Buffer[]
  rows: number
  token: string
  /** An insert was attempted: its token may name stored rows, so it takes no more. */
  tried: boolean
}

export interface Writer {
  /** Queue rows: `body` holds `rows` complete rows of the writer's format. */
  add(body: Buffer, rows: number): void
  /** Insert everything queued and spooled so far; resolves when it is stored or set aside. */
  flush(): Promise<void>
  /** Start the batch timer and replay what a previous run left in the spool. */
  start(): void
  /** Insert what can be inserted; spool the rest (after the first failure). */
  stop(): Promise<void>
  /** Why the writer makes no progress (`stalled: ...`), or undefined while it does. */
  stalled(): string | undefined
  /** Rows held in memory. */
  readonly pendingRows: number
  readonly spool: Spool
}

const LOW_SPACE = new Error('less free space left than a replay of the spool needs')
const emptyBatch = (): Batch => ({ chunks: [], rows: 0, token: '', tried: false })

export function createWriter(o: WriterOptions): Writer {
  const table = o.table ?? `${DATABASE}.flows`
  const maxPending = o.maxPendingRows ?? Math.max(o.batchRows * 4, 1_000_000)
  const maxInsertRows = Math.max(o.batchRows, o.maxInsertRows ?? Math.floor(maxPending / 2))
  const maxBackoff = o.maxBackoffMs ?? 30_000
  const asyncBelowRows = o.asyncInsertBelowRows ?? 1000
  const columns = [...o.columns]
  const spool = new Spool(o.spoolDir)
  const clock = new StallClock(o.stallMs ?? Math.max(3 * o.batchMs, 60_000))
  const m = writerMetrics(o.metrics, o.metricsPrefix ?? 'flowloft_writer', {
    pendingRows: () => pending,
    spoolBytes: () => spool.bytes,
    spoolFiles: () => spool.files,
    stalled: () => stalled() !== undefined,
  })
  const complain = rateLimited(o.log)
  const ioError = (e: IoError): void => {
    m.ioErrors.inc({ op: e.op, code: e.code })
    complain(`${e.op}:${e.code}`, 'writer: file operation failed, will retry', {
      table,
      op: e.op,
      code: e.code,
      error: e.message,
    })
  }
  const reject = setAside({
    table,
    quarantine: new Quarantine({
      dir: o.rejectedDir ?? join(dirname(o.spoolDir), 'rejected'),
      label: basename(o.spoolDir),
      maxFiles: o.rejectedMaxFiles ?? 100,
      maxBytes: o.rejectedMaxBytes ?? Math.min(256 << 20, o.spoolMaxBytes),
    }),
    metrics: m,
    log: o.log,
    ioError,
  })

  let open = emptyBatch()
  const ready: Batch[] = []
  let pending = 0
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  let backoff = 0
  let wake: (() => void) | undefined
  /** Until then batches stay in memory: the spool (or the disk under it) refused a write. */
  let spoolPausedUntil = 0

  const header = (b: Batch): SpoolHeader => ({
    token: b.token,
    rows: b.rows,
    columns,
    format: o.format,
  })

  /** Put a batch in the spool: `kept` when it must stay in memory (written nowhere). */
  const toSpool = (b: Batch, force = false): 'spooled' | 'dropped' | 'kept' => {
    if (!force && Date.now() < spoolPausedUntil) return 'kept'
    const r = spool.put(header(b), b.chunks, o.spoolMaxBytes)
    if (r === 'ok') {
      m.spooledRows.inc({}, b.rows)
      return 'spooled'
    }
    if (r === 'full') {
      m.dropped.inc({ reason: 'spool_full' }, b.rows)
      return 'dropped'
    }
    ioError(r === 'low_space' ? new IoError('spool_write', LOW_SPACE, 'LOW_SPACE') : r)
    spoolPausedUntil = Date.now() + maxBackoff
    return 'kept'
  }

  const cut = (): void => {
    if (open.rows === 0) return
    const b: Batch = { ...open, token: randomUUID() }
    open = emptyBatch()
    // Older batches are in the spool (and none in memory): this one queues behind
    // them, on disk.
    if (spool.files > 0 && ready.length === 0 && toSpool(b) !== 'kept') {
      pending -= b.rows
      return
    }
    // Join the batch waiting behind the running insert, if there is room and it has not
    // been tried yet (its token still names no insert).
    const last = ready.at(-1)
    if (last && !last.tried && last.rows + b.rows <= maxInsertRows) {
      last.chunks.push(...b.chunks)
      last.rows += b.rows
      return
    }
    ready.push(b)
  }

  const insert = (body: readonly Buffer[], h: SpoolHeader): Promise<void> =>
    insertBatch(o.engine, m, {
      table,
      columns: h.columns,
      // Files from before RowBinary carry no format: they hold TSV.
      format: h.format ?? 'TabSeparated',
      body,
      token: h.token,
      rows: h.rows,
      asyncBelowRows,
    })

  const succeeded = (source: string, rows: number): void => {
    m.rows.inc({}, rows)
    m.batches.inc({ source, result: 'ok' })
    backoff = 0
    spoolPausedUntil = 0
    clock.progressed()
  }

  const failed = async (err: unknown, source: string, rows: number): Promise<void> => {
    m.batches.inc({ source, result: 'error' })
    const code = errorCode(err)
    clock.failed(`${code}: ${errorSummary(err)}`)
    if (err instanceof IoError) ioError(err)
    // Everything in memory goes to disk behind the failed batch, in order, as long as
    // the spool takes it.
    for (let b = ready[0]; b; b = ready[0]) {
      if (toSpool(b) === 'kept') break
      ready.shift()
      pending -= b.rows
    }
    backoff = Math.min(backoff === 0 ? 250 : backoff * 2, maxBackoff)
    o.log.warn('clickhouse insert failed, will retry', {
      table,
      code,
      error: errorSummary(err),
      rows,
      pendingRows: pending,
      spooledFiles: spool.files,
      retryMs: stopped ? 0 : backoff,
    })
    if (stopped) return
    await new Promise<void>((r) => {
      const t = setTimeout(r, backoff)
      wake = () => {
        clearTimeout(t)
        r()
      }
    })
    wake = undefined
  }

  /** Insert the oldest spool file; false when it failed and is still the oldest. */
  const replay = async (e: SpoolEntry): Promise<boolean> => {
    let h: SpoolHeader | undefined
    try {
      const file = spool.read(e)
      h = file.header
      await insert([file.body], h)
    } catch (err) {
      if (err instanceof IoError && err.op === 'spool_read' && err.code === 'ENOENT') {
        // Deleted by someone else since the start: nothing to replay.
        ioError(err)
        spool.removeOldest()
        return true
      }
      const fault = classifyInsertError(err)
      if (fault.kind === 'content') {
        reject.spooled(spool, e.name, h?.rows ?? 0, fault.code, err)
        return true
      }
      await failed(err, 'spool', h?.rows ?? 0)
      return false
    }
    succeeded('spool', h.rows)
    // Not deleted: forgotten until the next start, whose replay the token deduplicates.
    const left = spool.removeOldest()
    if (left) ioError(left)
    return true
  }

  /** Insert the oldest batch in memory; false when it failed and is still the oldest. */
  const insertOldest = async (b: Batch): Promise<boolean> => {
    b.tried = true
    try {
      await insert(b.chunks, header(b))
    } catch (err) {
      const fault = classifyInsertError(err)
      if (fault.kind !== 'content') {
        // The batch is still ready[0]: failed() spools it first.
        await failed(err, 'memory', b.rows)
        return false
      }
      ready.shift()
      pending -= b.rows
      reject.batch(header(b), b.chunks, fault.code, err)
      return true
    }
    ready.shift()
    pending -= b.rows
    succeeded('memory', b.rows)
    return true
  }

  const drain = async (): Promise<void> => {
    for (;;) {
      // Stopping: the spool is durable and replays at the next start.
      if (stopped && spool.files > 0) return
      const e = spool.oldest()
      const b = ready[0]
      const went = e ? await replay(e) : b ? await insertOldest(b) : undefined
      if (went === undefined || (!went && stopped)) return
    }
  }

  const kick = (): Promise<void> => {
    running ??= drain().finally(() => {
      running = undefined
    })
    return running
  }

  const stalled = (): string | undefined =>
    clock.reason(
      `${table} has ${pending} rows in memory and ${spool.files} batches in the spool`,
      pending > 0 || spool.files > 0,
    )

  return {
    spool,
    get pendingRows() {
      return pending
    },
    stalled,
    add(body, rows) {
      if (rows === 0) return
      if (pending + rows > maxPending) {
        m.dropped.inc({ reason: 'memory' }, rows)
        return
      }
      if (pending === 0 && spool.files === 0) clock.started()
      open.chunks.push(body)
      open.rows += rows
      pending += rows
      if (open.rows >= o.batchRows) {
        cut()
        void kick()
      }
    },
    async flush() {
      cut()
      while (ready.length > 0 || spool.files > 0 || running) await kick()
    },
    start() {
      timer = setInterval(() => {
        // While older batches wait in the spool, fill batches up to batchRows: every
        // insert costs a fixed ~0.1 s, so many small files would slow the catch-up.
        if (spool.files === 0 || open.rows >= o.batchRows) cut()
        if (ready.length > 0 || spool.files > 0) void kick()
      }, o.batchMs)
      timer.unref()
      if (spool.files > 0) {
        o.log.info('writer: replaying spool', { files: spool.files, bytes: spool.bytes })
        void kick()
      }
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      wake?.()
      cut()
      if (running) await running
      // One last pass over memory: inserts what it can, spools the rest at the first
      // failure (or at once when older batches already wait in the spool).
      if (ready.length > 0 && spool.files === 0) await kick()
      for (const b of ready.splice(0)) {
        pending -= b.rows
        // The last chance to keep it: written even while the spool is paused.
        if (toSpool(b, true) === 'kept') m.dropped.inc({ reason: 'spool_error' }, b.rows)
      }
    },
  }
}
