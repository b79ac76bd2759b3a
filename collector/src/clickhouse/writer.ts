// Batches TSV rows by count and age and inserts them into flowhouse.flows one batch at
// a time; a failed insert is retried with capped backoff while newer rows keep
// queueing, up to a bound past which rows are dropped and counted.
import { Readable } from 'node:stream'
import type { ClickHouseClient } from '@clickhouse/client'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { DATABASE } from './engine.js'

export interface WriterOptions {
  client: ClickHouseClient
  table?: string
  columns: readonly string[]
  batchRows: number
  batchMs: number
  /** Rows held in memory while ClickHouse is failing before new rows are dropped. */
  maxPendingRows?: number
  log: Logger
  metrics: Registry
}

interface Batch {
  chunks: Buffer[]
  rows: number
}

export interface Writer {
  /** Queue rows: `tsv` holds `rows` complete lines, each ending in '\n'. */
  add(tsv: Buffer, rows: number): void
  /** Insert everything queued so far; resolves when it is stored. */
  flush(): Promise<void>
  start(): void
  stop(): Promise<void>
  readonly pendingRows: number
}

export function createWriter(o: WriterOptions): Writer {
  const table = o.table ?? `${DATABASE}.flows`
  const maxPending = o.maxPendingRows ?? Math.max(o.batchRows * 20, 1_000_000)
  const rowsTotal = o.metrics.counter(
    'flowhouse_writer_rows_total',
    'Rows inserted into ClickHouse',
  )
  const batchesTotal = o.metrics.counter(
    'flowhouse_writer_batches_total',
    'Insert batches by result',
    ['result'],
  )
  const dropped = o.metrics.counter(
    'flowhouse_writer_dropped_rows_total',
    'Rows dropped because too many were waiting for ClickHouse',
  )
  const lastInsertSeconds = o.metrics.gauge(
    'flowhouse_writer_last_insert_seconds',
    'Duration of the last insert',
  )
  o.metrics.gauge('flowhouse_writer_pending_rows', 'Rows waiting to be inserted', [], (m) =>
    m.set({}, pending),
  )

  let open: Batch = { chunks: [], rows: 0 }
  const ready: Batch[] = []
  let pending = 0
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  let backoff = 0

  const cut = (): void => {
    if (open.rows === 0) return
    ready.push(open)
    open = { chunks: [], rows: 0 }
  }

  const insert = async (b: Batch): Promise<void> => {
    const t0 = performance.now()
    await o.client.insert({
      table,
      columns: [...o.columns] as [string, ...string[]],
      values: Readable.from(b.chunks, { objectMode: false }),
      format: 'TabSeparated',
      // Client-side batches are large: a synchronous insert makes one part per batch.
      clickhouse_settings: { async_insert: 0 },
    })
    lastInsertSeconds.set({}, (performance.now() - t0) / 1000)
  }

  const drain = async (): Promise<void> => {
    while (ready.length > 0) {
      const b = ready[0]
      if (!b) break
      try {
        await insert(b)
        ready.shift()
        pending -= b.rows
        rowsTotal.inc({}, b.rows)
        batchesTotal.inc({ result: 'ok' })
        backoff = 0
      } catch (err) {
        batchesTotal.inc({ result: 'error' })
        backoff = Math.min(backoff === 0 ? 250 : backoff * 2, 30_000)
        o.log.warn('clickhouse insert failed, will retry', {
          error: (err as Error).message,
          rows: b.rows,
          retryMs: backoff,
        })
        if (stopped && backoff >= 30_000) throw err
        await new Promise((r) => setTimeout(r, backoff))
      }
    }
  }

  const kick = (): Promise<void> => {
    running ??= drain().finally(() => {
      running = undefined
    })
    return running
  }

  return {
    get pendingRows() {
      return pending
    },
    add(tsv, rows) {
      if (rows === 0) return
      if (pending + rows > maxPending) {
        dropped.inc({}, rows)
        return
      }
      open.chunks.push(tsv)
      open.rows += rows
      pending += rows
      if (open.rows >= o.batchRows) {
        cut()
        void kick()
      }
    },
    async flush() {
      cut()
      while (ready.length > 0 || running) await kick()
    },
    start() {
      timer = setInterval(() => {
        cut()
        if (ready.length > 0) void kick()
      }, o.batchMs)
      timer.unref()
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      cut()
      while (ready.length > 0 || running) await kick()
    },
  }
}
