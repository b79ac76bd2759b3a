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
//
// The rows in memory are journaled (writer-journal.ts): a crash or a power cut loses at
// most what the OS had not yet written, and a restart inserts the rest with their batch's
// token. The journal counts toward spoolMaxBytes with the spool: a chunk that would pass
// it stays in memory without a record, counted (unjournaled_rows_total), as does one
// whose journal write failed. With spoolMaxBytes 0 there is no journal.
//
// This file drives the inserts: memory (writer-batcher.ts) and the spool
// (writer-replay.ts) are emptied oldest first, the spool before memory, and a transient
// failure waits a capped backoff before the next try.
import { basename, dirname, join } from 'node:path'
import { rateLimited } from '../observability/log.js'
import { DATABASE } from './engine.js'
import { classifyInsertError, errorCode, errorSummary, IoError } from './insert-errors.js'
import { Spool, type SpoolEntry, type SpoolHeader } from './spool.js'
import { Quarantine } from './spool-quarantine.js'
import { Batcher, type Batch } from './writer-batcher.js'
import { insertBatch } from './writer-insert.js'
import { Journal } from './writer-journal.js'
import { writerMetrics } from './writer-metrics.js'
import type { WriterOptions } from './writer-options.js'
import { createReplay } from './writer-replay.js'
import { setAside } from './writer-set-aside.js'
import { StallClock } from './writer-stall.js'

export type { WriterOptions } from './writer-options.js'

export interface Writer {
  /** Queue rows: `body` holds `rows` complete rows of the writer's format. */
  add(body: Buffer, rows: number): void
  /** Insert everything queued and spooled so far; resolves when it is stored or set aside. */
  flush(): Promise<void>
  /**
   * Before a read that should see recent rows: insert the open batch if its oldest row
   * has waited longer than `maxAgeMs`, waiting at most `waitMs` (a failing insert keeps
   * retrying behind it). Does nothing while older batches wait in the spool.
   */
  fresh(maxAgeMs: number, waitMs?: number): Promise<void>
  /** Start the batch timer and replay what a previous run left in the spool. */
  start(): void
  /** Insert what can be inserted; spool the rest (after the first failure). */
  stop(): Promise<void>
  /**
   * Run `fn` while no insert is in flight: waits for the current one, and the next
   * waits for `fn` (the rollup job's rolls, clickhouse/rollup-schedule.ts). Undefined,
   * and `fn` not run, while a batch already tried is unconfirmed (in the spool, or in
   * memory after a failed attempt or a crash): its rows may be stored already, and the
   * views would see them again when it is retried.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T | undefined>
  /** Why the writer makes no progress (`stalled: ...`), or undefined while it does. */
  stalled(): string | undefined
  /** Rows held in memory. */
  readonly pendingRows: number
  /** Rows stored since start (inserted, or replayed from the spool). */
  readonly storedRows: number
  readonly spool: Spool
}

export function createWriter(o: WriterOptions): Writer {
  const table = o.table ?? `${DATABASE}.flows`
  const maxPending = o.maxPendingRows ?? Math.max(o.batchRows * 4, 1_000_000)
  const maxInsertRows = Math.max(o.batchRows, o.maxInsertRows ?? Math.floor(maxPending / 2))
  const maxBackoff = o.maxBackoffMs ?? 30_000
  const asyncBelowRows = o.asyncInsertBelowRows ?? 1000
  const quietMs = Math.max(o.batchMs, o.quietBatchMs ?? o.batchMs)
  const quietBelowRows = o.quietBelowRows ?? Math.ceil(o.batchRows / 10)
  const columns = [...o.columns]
  const memory = new Batcher(maxPending, maxInsertRows)
  const spool = new Spool(o.spoolDir)
  const clock = new StallClock(o.stallMs ?? Math.max(3 * o.batchMs, 60_000, 2 * quietMs))
  const m = writerMetrics(o.metrics, o.metricsPrefix ?? 'flowloft_writer', {
    pendingRows: () => memory.pendingRows,
    spoolBytes: () => spool.bytes,
    spoolFiles: () => spool.files,
    journalBytes: () => journal.bytes,
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
  const journalDir = o.journalDir ?? join(dirname(o.spoolDir), 'journal', basename(o.spoolDir))
  const journal = new Journal(journalDir, { columns, format: o.format }, ioError)
  /** The batch left memory (stored, spooled, set aside or dropped): its journal goes. */
  const forget = (b: Batch): void => {
    if (b.journal) journal.remove(b.journal)
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
  const replay = createReplay({
    spool,
    spoolMaxBytes: o.spoolMaxBytes,
    maxBackoffMs: maxBackoff,
    metrics: m,
    insert,
    reject,
    ioError,
  })

  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  let backoff = 0
  let wake: (() => void) | undefined
  /** While exclusive() runs: inserts wait for it. */
  let held: Promise<void> | undefined
  let inserting: Promise<boolean> | undefined

  const header = (b: Batch): SpoolHeader => ({
    token: b.token,
    rows: b.rows,
    columns: b.columns ?? columns,
    format: b.format ?? o.format,
  })

  // What a previous run held in memory, queued (behind the spool, which is older).
  const recovered = journal.recover()
  for (const r of recovered.batches) {
    const { token, rows, columns: cols, format } = r.header
    memory.restore({
      chunks: r.chunks,
      rows,
      token,
      tried: true,
      journal: r.files,
      columns: cols,
      format,
    })
    m.journalRecoveredRows.inc({}, rows)
  }
  m.journalTorn.inc({}, recovered.torn)
  if (memory.pendingRows > 0) clock.started()
  if (recovered.batches.length > 0 || recovered.torn > 0) {
    o.log.info('writer: rows read back from the journal', {
      table,
      batches: recovered.batches.length,
      rows: memory.pendingRows,
      tornFiles: recovered.torn,
    })
  }

  const cut = (): void => {
    const b = memory.cut()
    if (!b) return
    b.journal = journal.cut(b.token)
    // Older batches are in the spool (and none in memory): this one queues behind
    // them, on disk.
    if (spool.files > 0 && memory.queued === 0 && replay.keep(header(b), b.chunks) !== 'kept') {
      memory.left(b)
      forget(b)
      return
    }
    const into = memory.queue(b)
    if (into !== b && into.journal) journal.join(b.journal, into.journal, into.token)
  }

  let storedRows = 0
  const succeeded = (source: string, rows: number): void => {
    storedRows += rows
    m.rows.inc({}, rows)
    m.batches.inc({ source, result: 'ok' })
    backoff = 0
    replay.resume()
    clock.progressed()
  }

  const failed = async (err: unknown, source: string, rows: number): Promise<void> => {
    m.batches.inc({ source, result: 'error' })
    const code = errorCode(err)
    clock.failed(`${code}: ${errorSummary(err)}`)
    if (err instanceof IoError) ioError(err)
    // Everything in memory goes to disk behind the failed batch, in order, as long as
    // the spool takes it.
    for (let b = memory.oldest(); b; b = memory.oldest()) {
      if (replay.keep(header(b), b.chunks) === 'kept') break
      memory.shift()
      forget(b)
    }
    backoff = Math.min(backoff === 0 ? 250 : backoff * 2, maxBackoff)
    o.log.warn('clickhouse insert failed, will retry', {
      table,
      code,
      error: errorSummary(err),
      rows,
      pendingRows: memory.pendingRows,
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

  /** Insert the spool's oldest file; false when it failed and is still the oldest. */
  const replayOldest = async (e: SpoolEntry): Promise<boolean> => {
    const r = await replay.oldest(e)
    if (r.kind === 'failed') {
      await failed(r.err, 'spool', r.rows)
      return false
    }
    if (r.kind === 'stored') succeeded('spool', r.rows)
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
        // The batch is still the oldest: failed() spools it first.
        await failed(err, 'memory', b.rows)
        return false
      }
      memory.shift()
      reject.batch(header(b), b.chunks, fault.code, err)
      forget(b)
      return true
    }
    memory.shift()
    forget(b)
    succeeded('memory', b.rows)
    return true
  }

  const drain = async (): Promise<void> => {
    for (;;) {
      if (!spool.oldest() && !memory.oldest()) return
      while (held) await held
      // Stopping: the spool is durable and replays at the next start.
      if (stopped && spool.files > 0) return
      const e = spool.oldest()
      const b = memory.oldest()
      inserting = e ? replayOldest(e) : b ? insertOldest(b) : undefined
      const went = await inserting
      inserting = undefined
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
      `${table} has ${memory.pendingRows} rows in memory and ${spool.files} batches in the spool`,
      memory.pendingRows > 0 || spool.files > 0,
    )

  return {
    spool,
    get pendingRows() {
      return memory.pendingRows
    },
    get storedRows() {
      return storedRows
    },
    stalled,
    add(body, rows) {
      if (rows === 0) return
      const idle = memory.pendingRows === 0 && spool.files === 0
      if (!memory.add(body, rows)) {
        m.dropped.inc({ reason: 'memory' }, rows)
        return
      }
      // The journal and the spool share spoolMaxBytes (0: neither is kept).
      const j =
        o.spoolMaxBytes > 0 ? journal.append(body, rows, o.spoolMaxBytes - spool.bytes) : 'ok'
      if (j !== 'ok') {
        m.unjournaled.inc({ reason: j }, rows)
        complain(j, 'writer: rows held in memory without a journal record', { table, reason: j })
      }
      if (idle) clock.started()
      if (memory.openRows >= o.batchRows) {
        cut()
        void kick()
      }
    },
    async exclusive(fn) {
      // A tried batch in memory while no insert is in flight: its attempt failed, or a
      // crash left it in the journal.
      const unsettled = (): boolean =>
        spool.files > 0 || (inserting === undefined && memory.oldest()?.tried === true)
      if (unsettled()) return undefined
      while (held) await held
      let release = (): void => undefined
      held = new Promise((r) => (release = r))
      try {
        await inserting?.catch(() => undefined)
        return unsettled() ? undefined : await fn()
      } finally {
        held = undefined
        release()
      }
    },
    async flush() {
      cut()
      while (memory.queued > 0 || spool.files > 0 || running) await kick()
    },
    async fresh(maxAgeMs, waitMs = 5000) {
      if (spool.files > 0 || memory.openAgeMs() <= maxAgeMs) return
      cut()
      let t: NodeJS.Timeout | undefined
      await Promise.race([kick(), new Promise((r) => (t = setTimeout(r, waitMs)))])
      clearTimeout(t)
    },
    start() {
      timer = setInterval(() => {
        // While older batches wait in the spool, fill batches up to batchRows: every
        // insert costs a fixed ~0.1 s, so many small files would slow the catch-up.
        // Light traffic stretches the window up to quietMs (cut at the last tick before
        // the oldest row would wait longer).
        const busy = memory.openRows >= quietBelowRows
        const due = memory.openAgeMs() + o.batchMs > quietMs
        if (spool.files === 0 ? busy || due : memory.openRows >= o.batchRows) cut()
        if (memory.queued > 0 || spool.files > 0) void kick()
      }, o.batchMs)
      timer.unref()
      if (spool.files > 0) {
        o.log.info('writer: replaying spool', { files: spool.files, bytes: spool.bytes })
      }
      if (spool.files > 0 || memory.queued > 0) void kick()
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      wake?.()
      cut()
      journal.close()
      if (running) await running
      // One last pass over memory: inserts what it can, spools the rest at the first
      // failure (or at once when older batches already wait in the spool).
      if (memory.queued > 0 && spool.files === 0) await kick()
      for (let b = memory.shift(); b; b = memory.shift()) {
        // The last chance to keep it: written even while the spool is paused. A batch
        // the spool cannot take stays in the journal when all its rows are there (read
        // back at the next start).
        if (replay.keep(header(b), b.chunks, true) !== 'kept') forget(b)
        else if (!b.journal?.whole) m.dropped.inc({ reason: 'spool_error' }, b.rows)
      }
    },
  }
}
