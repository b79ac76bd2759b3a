// Measures storage: inserts N synthetic flows (default 1,000,000) through the writer
// into a fresh embedded engine, then prints insert rows/s, bytes per flow on disk after
// OPTIMIZE TABLE ... FINAL, and the largest columns. Not a test: a figure to compare
// codec and sort-key changes against.  node collector/dist-test/support/measure-storage.js [rows]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openEngine } from '../../dist/clickhouse/engine.js'
import { migrate } from '../../dist/clickhouse/migrate.js'
import { createWriter } from '../../dist/clickhouse/writer.js'
import { FIXTURE_COLUMNS, fixtureRows } from './fixture-rows.js'
import { createLogger } from '../../dist/observability/log.js'
import { Registry } from '../../dist/observability/metrics.js'

const total = Number(process.argv[2] ?? 1_000_000)
const batch = 50_000
const dataDir = mkdtempSync(join(tmpdir(), 'fl-measure-'))
const log = createLogger('warn')
const engine = await openEngine({
  url: '',
  dataDir,
  limits: { maxExecutionSeconds: 600, maxResultRows: 1000 },
  log,
})
try {
  await migrate(engine.client)
  const writer = createWriter({
    engine,
    columns: FIXTURE_COLUMNS,
    format: 'TabSeparated',
    batchRows: batch,
    batchMs: 1000,
    spoolDir: join(dataDir, 'spool'),
    spoolMaxBytes: 1 << 30,
    log,
    metrics: new Registry(),
  })
  // One hour of traffic ending now, generated before timing so only the insert counts.
  const now = Math.floor(Date.now() / 1000)
  const batches = []
  for (let i = 0; i < total; i += batch) {
    batches.push(
      fixtureRows(i, Math.min(batch, total - i), now - 3600 + Math.floor((i / total) * 3600)),
    )
  }
  const t0 = performance.now()
  for (const b of batches) writer.add(b.tsv, b.rows)
  await writer.flush()
  const secs = (performance.now() - t0) / 1000
  await writer.stop()
  const q = async <T>(query: string): Promise<T[]> =>
    (await engine.client.query({ query, format: 'JSONEachRow' })).json<T>()
  for (const t of ['flows', 'flows_1m', 'flows_1h']) {
    await engine.client.command({ query: `OPTIMIZE TABLE flowloft.${t} FINAL` })
  }
  const sizes = await q<{ table: string; rows: number | string; bytes: number | string }>(
    `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
     WHERE database = 'flowloft' AND active GROUP BY table ORDER BY table`,
  )
  const cols = await q<{ name: string; compressed: number | string; raw: number | string }>(
    `SELECT name, data_compressed_bytes AS compressed, data_uncompressed_bytes AS raw FROM system.columns
     WHERE database = 'flowloft' AND table = 'flows' ORDER BY compressed DESC LIMIT 12`,
  )
  console.log(
    `inserted ${total} rows through the writer in ${secs.toFixed(1)} s: ${Math.round(total / secs)} rows/s (with rollup views)`,
  )
  for (const s of sizes) {
    console.log(
      `${s.table.padEnd(18)} rows ${String(s.rows).padStart(9)}  bytes ${String(s.bytes).padStart(11)}  per flow ${(Number(s.bytes) / total).toFixed(2)}`,
    )
  }
  console.log('largest columns of flows (compressed bytes per flow):')
  for (const c of cols)
    console.log(
      `  ${c.name.padEnd(18)} ${(Number(c.compressed) / total).toFixed(2)}  (raw ${(Number(c.raw) / total).toFixed(2)})`,
    )
} finally {
  await engine.close()
  rmSync(dataDir, { recursive: true, force: true })
}
