// A writer of the synthetic fixture rows (fixture-rows.ts) into the test
// engine's flows table, its spool under the test's data directory: the options the
// storage tests share, each test overriding what it is about.
import { join } from 'node:path'
import { createWriter, type Writer, type WriterOptions } from '../../dist/clickhouse/writer.js'
import { FIXTURE_COLUMNS, fixtureRows } from './fixture-rows.js'
import { Registry } from '../../dist/observability/metrics.js'
import type { TestEngine } from './engine.js'

export function fixtureWriter(ch: TestEngine, options: Partial<WriterOptions> = {}): Writer {
  return createWriter({
    engine: ch.engine,
    columns: FIXTURE_COLUMNS,
    format: 'TabSeparated',
    batchRows: 5000,
    batchMs: 100,
    spoolDir: join(ch.dataDir, 'spool', 'flows'),
    spoolMaxBytes: 1 << 30,
    log: ch.log,
    metrics: new Registry(),
    ...options,
  })
}

/**
 * `n` batches of `rows` fixture rows through a writer (the k-th from row first + k * rows,
 * at time(k)), then the writer stopped.
 */
export async function writeFixtureBatches(
  ch: TestEngine,
  n: number,
  first: number,
  rows: number,
  time: (k: number) => number,
): Promise<void> {
  const w = fixtureWriter(ch)
  w.start()
  for (let k = 0; k < n; k++) {
    const r = fixtureRows(first + k * rows, rows, time(k))
    w.add(r.tsv, r.rows)
  }
  await w.flush()
  await w.stop()
}
