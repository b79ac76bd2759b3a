// What createWriter takes (writer.ts): the batching, memory, spool and set-aside bounds.
import type { RowFormat } from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import type { Engine } from './engine.js'

export interface WriterOptions {
  engine: Pick<Engine, 'insertRows'>
  table?: string
  columns: readonly string[]
  /** The format of the rows add() is given. */
  format: RowFormat
  batchRows: number
  batchMs: number
  /**
   * While traffic is light, a batch's window stretches from batchMs up to this (default
   * batchMs: no stretch): a batch is cut at a batchMs tick only once it holds
   * quietBelowRows rows or its oldest row would wait longer than this by the next tick.
   * Every insert costs ClickHouse a fixed ~0.1 s of CPU with the rollup views
   * (docs/sizing.md), so at home rates fewer inserts are most of the saving.
   */
  quietBatchMs?: number
  /** Rows that make a batchMs window busy enough to cut (default batchRows / 10). */
  quietBelowRows?: number
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
   * Rows held in memory (while ClickHouse is healthy, or while the spool cannot be
   * written) before new rows are dropped (default 1 M, or 4 x batchRows when that is more).
   */
  maxPendingRows?: number
  /** Directory of this table's spool; batches that cannot be inserted wait there. */
  spoolDir: string
  /** Bytes the spool may hold; a batch that would pass it is dropped and counted. */
  spoolMaxBytes: number
  /**
   * Where the rows in memory are journaled (writer-journal.ts; default `journal/<name>`
   * beside spoolDir, where `<name>` is spoolDir's last part).
   */
  journalDir?: string
  /** Where refused batches are set aside (default `rejected` beside spoolDir). */
  rejectedDir?: string
  /** Files kept there, oldest deleted first (default 100). */
  rejectedMaxFiles?: number
  /** Bytes kept there (default 256 MiB, or spoolMaxBytes when that is less). */
  rejectedMaxBytes?: number
  /**
   * How long rows may wait with no insert succeeding before stalled() reports it
   * (default 3 x batchMs or 60 s, whichever is larger).
   */
  stallMs?: number
  /** Names of this writer's metrics start with this (default `flowloft_writer`). */
  metricsPrefix?: string
  /** Batches smaller than this use ClickHouse's async insert (default 1000 rows; 0 = never). */
  asyncInsertBelowRows?: number
  /** Longest wait between two attempts (backoff starts at 250 ms and doubles). */
  maxBackoffMs?: number
  log: Logger
  metrics: Registry
}
