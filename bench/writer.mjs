// `make bench`: the ClickHouse writer's sustained rows per second on the embedded engine
// (with the rollup views of the real schema), on the rows the collector really writes:
// the bench's softflowd NetFlow v9 fixture (bench/fixtures.mjs) decoded by the decode
// worker's BatchDecoder into TSV with every column (TSV_COLUMNS), received now (the raw
// table's 15-day TTL keeps them). Each of three rounds inserts a fresh pass of rows four
// ways, in a rotated order:
// - plain insert of each batch through `Engine.insertTsv`, what the writer uses (a file
//   chdb reads with `file()`, clickhouse/file-insert.ts): the ceiling;
// - the collector's writer (batching by rows and age, spool, dedup token, flush);
// - the same batches as inline data through chdb's raw insert (the writer's path before
//   the file insert);
// - @clickhouse/client's insert over the chdb connection (`engine.client.insert`, the
//   path before the raw insert),
// so each path's gain shows in the same run. The plain inserts use batches of the size
// the writer joins batches up to when it is behind, as it is here.
// The passes cycle the fixture's ~100k distinct rows, which would compress far better
// than traffic does: the bytes per flow on disk are measured apart, on one cycle of the
// fixture inserted into a copy of the raw table, after merges. Writes
// bench/out/writer.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { DatagramBatch, TSV_COLUMNS } from '@flowhouse/decoder-wasm'
import { BatchDecoder } from '../collector/dist/decode/batch-decoder.js'
import { openEngine } from '../collector/dist/clickhouse/engine.js'
import { migrate } from '../collector/dist/clickhouse/migrate.js'
import { createWriter } from '../collector/dist/clickhouse/writer.js'
import { createLogger } from '../collector/dist/observability/log.js'
import { Registry } from '../collector/dist/observability/metrics.js'
import { loadFixtures } from './fixtures.mjs'
import { createChdbConnection } from 'chdb/connection'

// A pass stays under the writer's 1 M-row memory bound: it is handed over at once.
const ROWS = Number(process.env.WRITER_BENCH_ROWS ?? 900_000)
const BATCH = 50_000
/**
 * The plain inserts' batch: what the writer joins waiting batches up to (writer.ts: half
 * its 1 M-row memory bound by default).
 */
const PLAIN_BATCH = 500_000
const ROUNDS = 3
const TARGETS = { ofCeiling: 0.8, bytesPerFlow: 40 }
const TABLE = 'flowhouse.flows'
/** The listener's batch of datagrams (decode.batch_datagrams) and an exporter, 127.0.0.1. */
const BATCH_DATAGRAMS = 2048
const EXPORTER = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1])
const EXPORTER_PORT = 40000

const fixture = (await loadFixtures()).find((f) => f.protocol === 'v9')
const decoder = new BatchDecoder()
let cursor = 0

/** Datagrams packed as the listener packs them, received now; decoded to TSV chunks. */
function decode(datagrams) {
  const batch = new DatagramBatch(4 << 20, BATCH_DATAGRAMS)
  for (const d of datagrams) {
    if (!batch.add(d, EXPORTER, EXPORTER_PORT, Date.now())) throw new Error('batch full')
  }
  const r = decoder.decodeToTsv(batch.take())
  for (const [key, n] of Object.entries(r.outcomes)) {
    if (!key.endsWith('|ok')) throw new Error(`fixture datagrams did not decode: ${key} x${n}`)
  }
  return r.tsv.map((c, i) => ({
    tsv: Buffer.from(c.buffer, c.byteOffset, c.byteLength),
    rows: r.tsvRows[i] ?? 0,
  }))
}

decode(fixture.prime)

/**
 * One pass: at least ROWS rows decoded from the fixture's data (cycled, continuing where
 * the last pass stopped), as the decode results hand them to the writer, and grouped
 * into batches of about BATCH rows for the plain inserts. Built before timing.
 */
function pass() {
  const chunks = []
  let rows = 0
  while (rows < ROWS) {
    const datagrams = []
    for (let i = 0; i < BATCH_DATAGRAMS; i++) {
      datagrams.push(fixture.data[cursor++ % fixture.data.length])
    }
    for (const c of decode(datagrams)) {
      chunks.push(c)
      rows += c.rows
    }
  }
  const batches = []
  let open = { chunks: [], rows: 0 }
  for (const c of chunks) {
    open.chunks.push(c.tsv)
    open.rows += c.rows
    if (open.rows >= PLAIN_BATCH) {
      batches.push(open)
      open = { chunks: [], rows: 0 }
    }
  }
  if (open.rows > 0) batches.push(open)
  const bytes = chunks.reduce((s, c) => s + c.tsv.byteLength, 0)
  return { chunks, batches, rows, bytes }
}

const dataDir = mkdtempSync(join(os.tmpdir(), 'fh-bench-writer-'))
const log = createLogger('warn')
const engine = await openEngine({
  url: '',
  dataDir,
  limits: { maxExecutionSeconds: 600, maxResultRows: 1000 },
  log,
})

// Settings persist on an embedded session: give each insert its own token.
const insertSettings = () => ({ async_insert: 0, insert_deduplication_token: randomUUID() })

/** Rows per second of inserting each batch of a pass with `insertOne`, one after another. */
async function eachBatch(p, insertOne) {
  const t0 = performance.now()
  for (const b of p.batches) await insertOne(b)
  return p.rows / ((performance.now() - t0) / 1000)
}

/** The ceiling: each batch inserted directly through `Engine.insertTsv`. */
const plainInsert = (p) =>
  eachBatch(p, (b) =>
    engine.insertTsv({
      table: TABLE,
      columns: TSV_COLUMNS,
      body: b.chunks,
      settings: insertSettings(),
    }),
  )

/** A second session on the same data, for chdb's raw insert of inline data. */
const inline = createChdbConnection({ path: join(dataDir, 'clickhouse') })

/** The same batches as inline data through chdb's raw insert. */
const inlineInsert = (p) =>
  eachBatch(p, (b) =>
    inline.chdb.rawInsert({
      table: TABLE,
      columns: TSV_COLUMNS,
      values: Buffer.concat(b.chunks),
      format: 'TabSeparated',
      settings: insertSettings(),
    }),
  )

/** The same batches through @clickhouse/client's insert on the chdb connection. */
const clientInsert = (p) =>
  eachBatch(p, (b) =>
    engine.client.insert({
      table: TABLE,
      columns: [...TSV_COLUMNS],
      values: Readable.from(b.chunks, { objectMode: false }),
      format: 'TabSeparated',
      clickhouse_settings: insertSettings(),
    }),
  )

/** The collector's writer: decode results queued as they come, batched, inserted, flushed. */
async function throughWriter(p, round) {
  const writer = createWriter({
    engine,
    columns: TSV_COLUMNS,
    batchRows: BATCH,
    batchMs: 1000,
    spoolDir: join(dataDir, 'spool', String(round)),
    spoolMaxBytes: 1 << 30,
    log,
    metrics: new Registry(),
  })
  writer.start()
  const t0 = performance.now()
  for (const c of p.chunks) writer.add(c.tsv, c.rows)
  await writer.flush()
  const rate = p.rows / ((performance.now() - t0) / 1000)
  await writer.stop()
  return rate
}

/**
 * Bytes per flow on disk for one cycle of the fixture's data (its distinct rows), in a
 * copy of the raw table (same columns, codecs, sort key and TTL), after OPTIMIZE FINAL.
 */
async function bytesPerFlow() {
  const copy = 'flowhouse.flows_storage_bench'
  await engine.client.command({ query: `CREATE TABLE ${copy} AS ${TABLE}` })
  const body = []
  let rows = 0
  for (let i = 0; i < fixture.data.length; i += BATCH_DATAGRAMS) {
    for (const c of decode(fixture.data.slice(i, i + BATCH_DATAGRAMS))) {
      body.push(c.tsv)
      rows += c.rows
    }
  }
  await engine.insertTsv({ table: copy, columns: TSV_COLUMNS, body, settings: insertSettings() })
  await engine.client.command({ query: `OPTIMIZE TABLE ${copy} FINAL` })
  const rs = await engine.client.query({
    query: `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
            WHERE database = 'flowhouse' AND table = 'flows_storage_bench' AND active`,
    format: 'JSONEachRow',
  })
  const [parts] = await rs.json()
  if (Number(parts.rows) !== rows) throw new Error(`storage copy: ${parts.rows} of ${rows} rows`)
  return { rows, bytesPerFlow: Number(parts.bytes) / rows }
}

try {
  await migrate(engine.client)
  const rates = { plainInsert: [], writer: [], inlineInsert: [], clientInsert: [] }
  let total = 0
  let tsvBytes = 0
  const ways = [
    ['plainInsert', plainInsert],
    ['writer', throughWriter],
    ['inlineInsert', inlineInsert],
    ['clientInsert', clientInsert],
  ]
  for (let r = 0; r < ROUNDS; r++) {
    // The order rotates each round (merges of the previous pass's parts run in the
    // background and slow whatever comes next).
    for (const [name, run] of [...ways.slice(r % 4), ...ways.slice(0, r % 4)]) {
      const p = pass()
      total += p.rows
      tsvBytes += p.bytes
      rates[name].push(await run(p, r))
    }
  }
  const [{ n }] = await (
    await engine.client.query({ query: `SELECT count() AS n FROM ${TABLE}`, format: 'JSONEachRow' })
  ).json()
  const stored = Number(n)
  const storage = await bytesPerFlow()
  const best = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, Math.max(...v)]))
  const report = {
    machine: {
      cpu: os.cpus()[0]?.model,
      nproc: os.availableParallelism(),
      node: process.version,
      loadAverageAtStart: os.loadavg()[0],
    },
    rows: 'softflowd v9 fixture decoded by BatchDecoder, all TSV columns',
    columns: TSV_COLUMNS.length,
    tsvBytesPerRow: tsvBytes / total,
    rowsPerPass: ROWS,
    batchRows: BATCH,
    plainBatchRows: PLAIN_BATCH,
    rowsPerSecond: rates,
    best,
    ofCeiling: best.writer / best.plainInsert,
    fileOverInline: best.plainInsert / best.inlineInsert,
    fileOverClient: best.plainInsert / best.clientInsert,
    rawRowsStored: stored,
    rawRowsSent: total,
    bytesPerFlow: storage.bytesPerFlow,
    bytesPerFlowRows: storage.rows,
  }
  const list = (xs) => xs.map((x) => Math.round(x)).join(', ')
  console.log(
    `\nClickHouse writer, embedded engine (chdb), rollup views on; decoded v9 rows, ` +
      `${TSV_COLUMNS.length} columns, ${report.tsvBytesPerRow.toFixed(0)} TSV bytes per row; ` +
      `at least ${ROWS} rows per pass; writer batch_rows ${BATCH}, plain inserts of ${PLAIN_BATCH}`,
  )
  console.log(`  plain insert via file() (ceiling):   ${list(rates.plainInsert)} rows/s`)
  console.log(`  collector writer:                    ${list(rates.writer)} rows/s`)
  console.log(`  inline data, chdb raw insert:        ${list(rates.inlineInsert)} rows/s`)
  console.log(`  @clickhouse/client insert (chdb):    ${list(rates.clientInsert)} rows/s`)
  console.log(`  writer / ceiling (best of each):     ${(report.ofCeiling * 100).toFixed(1)}%`)
  console.log(
    `  file / inline / client (best):       ${report.fileOverInline.toFixed(2)}x inline, ${report.fileOverClient.toFixed(2)}x client`,
  )
  console.log(`  rows stored / sent:                  ${stored} / ${total}`)
  console.log(
    `  raw table after OPTIMIZE FINAL:      ${storage.bytesPerFlow.toFixed(2)} bytes per flow (one cycle of the fixture, ${storage.rows} rows)`,
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
    storage.bytesPerFlow <= TARGETS.bytesPerFlow,
    'raw table <= 40 bytes per flow',
    storage.bytesPerFlow.toFixed(2),
  )
  line(stored === total, 'every row stored exactly once', `${stored} / ${total}`)
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
  writeFileSync(
    new URL('./out/writer.json', import.meta.url),
    `${JSON.stringify(report, null, 2)}\n`,
  )
  console.log('\nwritten to bench/out/writer.json')
} finally {
  await inline.close()
  await engine.close()
  rmSync(dataDir, { recursive: true, force: true })
}
