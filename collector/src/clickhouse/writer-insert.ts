// One insert of the writer (writer.ts), timed into its metrics, with the settings that
// make it synchronous or async by size and deduplicated by the batch's token.
import type { RowFormat } from '@flowloft/decoder-wasm'
import type { Engine } from './engine.js'
import type { WriterMetrics } from './writer-metrics.js'

export interface BatchInsert {
  table: string
  columns: readonly string[]
  format: RowFormat
  body: readonly Buffer[]
  /** insert_deduplication_token: the same on every attempt of the batch. */
  token: string
  rows: number
  /** Batches smaller than this use ClickHouse's async insert (0 = never). */
  asyncBelowRows: number
}

/**
 * A large insert (a backlog at high rates) runs its views side by side instead of one
 * after the other: the peak held end to end was 124,000 flows/s against 105,000-113,000
 * (bench/RESULTS.md). Smaller ones keep them in turn, as they gained nothing measurable
 * and side by side hold the views' buffers at once (one run at 1,000 flows/s with every
 * insert side by side peaked at 469 MiB, against 433-443 without).
 */
const PARALLEL_VIEWS_FROM_ROWS = 200_000

/**
 * Settings of every insert. Every rollup view sums its rows with a GROUP BY, so the rows
 * it hands its table are already one per grouping key; the table's merge on insert
 * (`optimize_on_insert`) would look for rows to sum a second time. Without it a row cost
 * 22% less CPU in 30,000-row inserts (bench/insert-views.mjs), and a flow about 14% less
 * at 124,000 flows/s. Merges still sum across parts, as reads do already. The hosts'
 * tables group by host name but do not sort by it: an address seen with two names in
 * one insert keeps two rows until a merge, and their reads sum and pick the name.
 */
const EVERY_INSERT = { optimize_on_insert: 0 } as const

export async function insertBatch(
  engine: Pick<Engine, 'insertRows'>,
  m: Pick<WriterMetrics, 'insertSeconds' | 'lastInsertSeconds'>,
  b: BatchInsert,
): Promise<void> {
  const t0 = performance.now()
  const timed = engine.insertRows({
    table: b.table,
    columns: b.columns,
    format: b.format,
    body: b.body,
    // Large client-side batches insert synchronously (one part each); small ones (a
    // quiet network flushing by age) go through ClickHouse's async insert buffer so
    // they do not make a part each, waiting for it so a failure is still seen. (The
    // embedded engine takes RowBinary only synchronously, through a file: there a
    // quiet network makes a part per batch_ms, which merges absorb.)
    // Settings persist on an embedded session: every one is set on every insert.
    settings:
      b.rows < b.asyncBelowRows
        ? {
            ...EVERY_INSERT,
            async_insert: 1,
            wait_for_async_insert: 1,
            async_insert_deduplicate: 1,
            insert_deduplication_token: b.token,
            parallel_view_processing: 0,
          }
        : {
            ...EVERY_INSERT,
            async_insert: 0,
            insert_deduplication_token: b.token,
            parallel_view_processing: b.rows >= PARALLEL_VIEWS_FROM_ROWS ? 1 : 0,
          },
  })
  try {
    await timed
  } catch (err) {
    m.insertSeconds.observe({ result: 'error' }, (performance.now() - t0) / 1000)
    throw err
  }
  const seconds = (performance.now() - t0) / 1000
  m.insertSeconds.observe({ result: 'ok' }, seconds)
  m.lastInsertSeconds.set({}, seconds)
}
