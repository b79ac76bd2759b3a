// A writer of the synthetic fixture rows (fixture-rows.ts) into the test
// engine's flows table, its spool under the test's data directory: the options the
// storage tests share, each test overriding what it is about.
import { join } from 'node:path'
import { createWriter, type Writer, type WriterOptions } from '../../dist/clickhouse/writer.js'
import { FIXTURE_COLUMNS } from './fixture-rows.js'
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
