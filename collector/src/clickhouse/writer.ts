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
import { randomUUID } from 'node:crypto'
import type { RowFormat } from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { DATABASE, type Engine } from './engine.js'
import { Spool } from './spool.js'

export interface WriterOptions {
  engine: Pick<Engine, 'insertRows'>
  table?: string
  columns: readonly string[]
  /** The format of the rows add() is given. */
  format: RowFormat
  batchRows: number
  batchMs: number
  /**
   * Most rows one insert takes (default half of maxPendingRows, at least batchRows):
   * batches that wait behind a running insert are joined up to this, so a writer that
   * falls behind makes fewer, larger inserts instead of a growing queue. Each insert
   * makes a part per table and view, and parts are merged again later: on enriched v9
   * rows with the rollup views (RowBinary through the file, 6 M rows, merges included),
   * 50k-row inserts cost 10.1 us of ClickHouse CPU per row, 250k-row ones 6.2, 500k-row
   * ones 4.6.
   */
  maxInsertRows?: number
  /**
   * Rows held in memory (while ClickHouse is healthy) before new rows are dropped
   * (default 1 M, or 4 x batchRows when that is more).
   */
  maxPendingRows?: number
  /** Directory of this table's spool; batches that cannot be inserted wait there. */
  spoolDir: string
  /** Bytes the spool may hold; a batch that would pass it is dropped and counted. */
  spoolMaxBytes: number
  /** Names of this writer's metrics start with this (default `flowloft_writer`). */
  metricsPrefix?: string
  /** Batches smaller than this use ClickHouse's async insert (default 1000 rows; 0 = never). */
  asyncInsertBelowRows?: number
  /** Longest wait between two attempts (backoff starts at 250 ms and doubles). */
  maxBackoffMs?: number
  log: Logger
  metrics: Registry
}

interface Batch {
  chunks: Buffer[]
  rows: number
  token: string
}

export interface Writer {
  /** Queue rows: `body` holds `rows` complete rows of the writer's format. */
  add(body: Buffer, rows: number): void
  /** Insert everything queued and spooled so far; resolves when it is stored. */
  flush(): Promise<void>
  /** Start the batch timer and replay what a previous run left in the spool. */
  start(): void
  /** Insert what can be inserted; spool the rest (after the first failure). */
  stop(): Promise<void>
  /** Rows held in memory. */
  readonly pendingRows: number
  readonly spool: Spool
}

export function createWriter(o: WriterOptions): Writer {
  const table = o.table ?? `${DATABASE}.flows`
  const maxPending = o.maxPendingRows ?? Math.max(o.batchRows * 4, 1_000_000)
  const maxInsertRows = Math.max(o.batchRows, o.maxInsertRows ?? Math.floor(maxPending / 2))
  const maxBackoff = o.maxBackoffMs ?? 30_000
  const prefix = o.metricsPrefix ?? 'flowloft_writer'
  const asyncBelowRows = o.asyncInsertBelowRows ?? 1000
  const columns = [...o.columns]
  const spool = new Spool(o.spoolDir)
  const rowsTotal = o.metrics.counter(`${prefix}_rows_total`, 'Rows inserted into ClickHouse')
  const batchesTotal = o.metrics.counter(
    `${prefix}_batches_total`,
    'Insert attempts by source (memory, spool) and result',
    ['source', 'result'],
  )
  const dropped = o.metrics.counter(
    `${prefix}_dropped_rows_total`,
    'Rows dropped: memory (too many waiting while healthy) or spool_full (writer.spool_max_bytes)',
    ['reason'],
  )
  const spooledRows = o.metrics.counter(
    `${prefix}_spooled_rows_total`,
    'Rows written to the spool because ClickHouse could not take them',
  )
  const lastInsertSeconds = o.metrics.gauge(
    `${prefix}_last_insert_seconds`,
    'Duration of the last insert',
  )
  const insertSeconds = o.metrics.histogram(
    `${prefix}_insert_duration_seconds`,
    'Duration of inserts into ClickHouse, by result (ok, error)',
    ['result'],
  )
  o.metrics.gauge(`${prefix}_pending_rows`, 'Rows waiting in memory', [], (m) => m.set({}, pending))
  o.metrics.gauge(`${prefix}_spool_bytes`, 'Bytes waiting in the spool', [], (m) =>
    m.set({}, spool.bytes),
  )
  o.metrics.gauge(`${prefix}_spool_files`, 'Batches waiting in the spool', [], (m) =>
    m.set({}, spool.files),
  )

  let open: Batch = { chunks: [], rows: 0, token: '' }
  const ready: Batch[] = []
  /** The batch whose insert is running (it may not grow). */
  let inserting: Batch | undefined
  let pending = 0
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  let backoff = 0
  let wake: (() => void) | undefined

  const toSpool = (b: Batch): void => {
    const header = { token: b.token, rows: b.rows, columns, format: o.format }
    if (spool.put(header, b.chunks, o.spoolMaxBytes)) {
      spooledRows.inc({}, b.rows)
    } else {
      dropped.inc({ reason: 'spool_full' }, b.rows)
    }
  }

  const cut = (): void => {
    if (open.rows === 0) return
    const b = { ...open, token: randomUUID() }
    open = { chunks: [], rows: 0, token: '' }
    pending -= b.rows
    // Older batches are in the spool: this one queues behind them, on disk.
    if (spool.files > 0) toSpool(b)
    else {
      // Join the batch still waiting behind the running insert, if there is room: it has
      // not been tried yet, so its token still names no insert.
      const last = ready.at(-1)
      if (last && last !== inserting && last.rows + b.rows <= maxInsertRows) {
        last.chunks.push(...b.chunks)
        last.rows += b.rows
        pending += b.rows
        return
      }
      ready.push(b)
      pending += b.rows
    }
  }

  const insert = async (
    body: readonly Buffer[],
    cols: string[],
    format: RowFormat,
    token: string,
    rows: number,
  ): Promise<void> => {
    const t0 = performance.now()
    const timed = o.engine.insertRows({
      table,
      columns: cols,
      format,
      body,
      // Large client-side batches insert synchronously (one part each); small ones (a
      // quiet network flushing by age) go through ClickHouse's async insert buffer so
      // they do not make a part each, waiting for it so a failure is still seen. (The
      // embedded engine takes RowBinary only synchronously, through a file: there a
      // quiet network makes a part per batch_ms, which merges absorb.)
      // Settings persist on an embedded session: every one is set on every insert.
      settings:
        rows < asyncBelowRows
          ? {
              async_insert: 1,
              wait_for_async_insert: 1,
              async_insert_deduplicate: 1,
              insert_deduplication_token: token,
            }
          : { async_insert: 0, insert_deduplication_token: token },
    })
    try {
      await timed
    } catch (err) {
      insertSeconds.observe({ result: 'error' }, (performance.now() - t0) / 1000)
      throw err
    }
    const seconds = (performance.now() - t0) / 1000
    insertSeconds.observe({ result: 'ok' }, seconds)
    lastInsertSeconds.set({}, seconds)
  }

  const failed = async (err: unknown, source: string, rows: number): Promise<void> => {
    batchesTotal.inc({ source, result: 'error' })
    // Everything in memory goes to disk behind the failed batch, in order.
    for (const b of ready.splice(0)) {
      pending -= b.rows
      toSpool(b)
    }
    backoff = Math.min(backoff === 0 ? 250 : backoff * 2, maxBackoff)
    o.log.warn('clickhouse insert failed, will retry', {
      error: (err as Error).message,
      rows,
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

  const drain = async (): Promise<void> => {
    for (;;) {
      // Stopping: the spool is durable and replays at the next start.
      if (stopped && spool.files > 0) return
      const e = spool.oldest()
      if (e) {
        let rows = 0
        try {
          const { header, body } = spool.read(e)
          rows = header.rows
          // Files from before RowBinary carry no format: they hold TSV.
          const format = header.format ?? 'TabSeparated'
          await insert([body], header.columns, format, header.token, header.rows)
        } catch (err) {
          await failed(err, 'spool', rows)
          if (stopped) return
          continue
        }
        spool.removeOldest()
        rowsTotal.inc({}, rows)
        batchesTotal.inc({ source: 'spool', result: 'ok' })
        backoff = 0
        continue
      }
      const b = ready[0]
      if (!b) return
      inserting = b
      try {
        await insert(b.chunks, columns, o.format, b.token, b.rows)
      } catch (err) {
        inserting = undefined
        // The batch is still ready[0]: failed() spools it first.
        await failed(err, 'memory', b.rows)
        if (stopped) return
        continue
      }
      inserting = undefined
      ready.shift()
      pending -= b.rows
      rowsTotal.inc({}, b.rows)
      batchesTotal.inc({ source: 'memory', result: 'ok' })
      backoff = 0
    }
  }

  const kick = (): Promise<void> => {
    running ??= drain().finally(() => {
      running = undefined
    })
    return running
  }

  return {
    spool,
    get pendingRows() {
      return pending
    },
    add(body, rows) {
      if (rows === 0) return
      if (pending + rows > maxPending) {
        dropped.inc({ reason: 'memory' }, rows)
        return
      }
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
        toSpool(b)
      }
    },
  }
}
