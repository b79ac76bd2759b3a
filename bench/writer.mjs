// `make bench`: the ClickHouse writer's sustained rows per second on the embedded engine
// (with the rollup views of the real schema), next to a plain TabSeparated insert of the
// same rows into the same engine (the ceiling), and the raw table's bytes per flow on
// disk after merges. Writes bench/out/writer.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { join } from 'node:path'
import { openEngine } from '../collector/dist/clickhouse/engine.js'
import { migrate } from '../collector/dist/clickhouse/migrate.js'
import { createWriter } from '../collector/dist/clickhouse/writer.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../collector/dist/clickhouse/fixture-rows.js'
import { createLogger } from '../collector/dist/observability/log.js'
import { Registry } from '../collector/dist/observability/metrics.js'

const ROWS = Number(process.env.WRITER_BENCH_ROWS ?? 400_000)
const BATCH = 50_000
const ROUNDS = 2
const TARGETS = { ofCeiling: 0.8, bytesPerFlow: 40 }

const dataDir = mkdtempSync(join(os.tmpdir(), 'fh-bench-writer-'))
const log = createLogger('warn')
const engine = await openEngine({
  url: '',
  dataDir,
  limits: { maxExecutionSeconds: 600, maxResultRows: 1000 },
  log,
})

/** Rows of the last hour (the raw TTL drops older rows at insert), built before timing. */
function batches(seed) {
  const now = Math.floor(Date.now() / 1000)
  const out = []
  for (let i = 0; i < ROWS; i += BATCH) {
    out.push(
      fixtureRows(seed + i, Math.min(BATCH, ROWS - i), now - 3600 + Math.floor((i / ROWS) * 3600)),
    )
  }
  return out
}

/** The ceiling: the same TSV batches inserted directly, one insert per batch. */
async function plainInsert(bs) {
  const t0 = performance.now()
  for (const b of bs) {
    await engine.insertTsv({
      table: 'flowhouse.flows',
      columns: FIXTURE_COLUMNS,
      body: [b.tsv],
      // Settings persist on an embedded session: give each insert its own token.
      settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
    })
  }
  return ROWS / ((performance.now() - t0) / 1000)
}

/** The collector's writer: rows queued as they come, batched, inserted, flushed. */
async function throughWriter(bs, round) {
  const writer = createWriter({
    engine,
    columns: FIXTURE_COLUMNS,
    batchRows: BATCH,
    batchMs: 1000,
    spoolDir: join(dataDir, 'spool', String(round)),
    spoolMaxBytes: 1 << 30,
    log,
    metrics: new Registry(),
  })
  writer.start()
  const t0 = performance.now()
  for (const b of bs) writer.add(b.tsv, b.rows)
  await writer.flush()
  const rate = ROWS / ((performance.now() - t0) / 1000)
  await writer.stop()
  return rate
}

try {
  await migrate(engine.client)
  const ceiling = []
  const writer = []
  for (let r = 0; r < ROUNDS; r++) {
    ceiling.push(await plainInsert(batches(r * 2 * ROWS)))
    writer.push(await throughWriter(batches((r * 2 + 1) * ROWS), r))
  }
  const total = 2 * ROUNDS * ROWS
  for (const t of ['flows', 'flows_1m', 'flows_1h']) {
    await engine.client.command({ query: `OPTIMIZE TABLE flowhouse.${t} FINAL` })
  }
  const rs = await engine.client.query({
    query: `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
            WHERE database = 'flowhouse' AND table = 'flows' AND active`,
    format: 'JSONEachRow',
  })
  const [parts] = await rs.json()
  const stored = Number(parts.rows)
  const bytesPerFlow = Number(parts.bytes) / stored
  const best = { ceiling: Math.max(...ceiling), writer: Math.max(...writer) }
  const report = {
    machine: { cpu: os.cpus()[0]?.model, nproc: os.availableParallelism(), node: process.version },
    rowsPerPass: ROWS,
    batchRows: BATCH,
    rowsPerSecond: { plainInsert: ceiling, writer },
    best,
    ofCeiling: best.writer / best.ceiling,
    rawRowsStored: stored,
    rawRowsSent: total,
    bytesPerFlow,
  }
  console.log(
    `\nClickHouse writer, embedded engine (chdb), rollup views on, ${ROWS} rows per pass, batches of ${BATCH}`,
  )
  console.log(
    `  plain TabSeparated insert (ceiling): ${ceiling.map((x) => Math.round(x)).join(', ')} rows/s`,
  )
  console.log(
    `  collector writer:                    ${writer.map((x) => Math.round(x)).join(', ')} rows/s`,
  )
  console.log(`  writer / ceiling (best of each):     ${(report.ofCeiling * 100).toFixed(1)}%`)
  console.log(
    `  raw table after OPTIMIZE FINAL:      ${bytesPerFlow.toFixed(2)} bytes per flow (${stored} rows stored of ${total} sent)`,
  )
  console.log('\nTargets:')
  const line = (ok, text, value) =>
    console.log(`  ${ok ? 'MET    ' : 'NOT MET'}  ${text.padEnd(40)} ${value}`)
  line(
    report.ofCeiling >= TARGETS.ofCeiling,
    'writer >= 80% of the plain insert',
    `${(report.ofCeiling * 100).toFixed(1)}%`,
  )
  line(
    bytesPerFlow <= TARGETS.bytesPerFlow,
    'raw table <= 40 bytes per flow',
    bytesPerFlow.toFixed(2),
  )
  line(stored === total, 'every row stored exactly once', `${stored} / ${total}`)
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
  writeFileSync(
    new URL('./out/writer.json', import.meta.url),
    `${JSON.stringify(report, null, 2)}\n`,
  )
  console.log('\nwritten to bench/out/writer.json')
} finally {
  await engine.close()
  rmSync(dataDir, { recursive: true, force: true })
}
