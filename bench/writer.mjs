// `make bench`: the ClickHouse writer's sustained rows per second on the embedded engine
// (with the rollup views of the real schema), on the rows the collector really writes:
// the bench's softflowd NetFlow v9 fixture (bench/fixtures.mjs) decoded by the decode
// worker's BatchDecoder into RowBinary and TSV rows with every column (INSERT_COLUMNS),
// received now (the raw table's 15-day TTL keeps them). Each of three rounds inserts a
// fresh pass of rows four ways, in a rotated order:
// - plain insert of each batch of RowBinary rows through `Engine.insertRows`, what the
//   writer uses (a file chdb reads with `FROM INFILE`, clickhouse/file-insert.ts): the ceiling;
// - the collector's writer on the RowBinary rows (batching by rows and age, spool, dedup
//   token, flush);
// - the same rows as TSV through the same file path (the writer's path before RowBinary);
// - the TSV rows as inline data through chdb's raw insert (the path before the file),
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
import { DatagramBatch, INSERT_COLUMNS } from '@flowloft/decoder-wasm'
import {
  BatchDecoder,
  createLogger,
  createWriter,
  migrate,
  openEngine,
  Registry,
} from '@flowloft/collector'
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
const TABLE = 'flowloft.flows'
/** The listener's batch of datagrams (decode.batch_datagrams) and an exporter, 127.0.0.1. */
const BATCH_DATAGRAMS = 2048
const EXPORTER = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1])
const EXPORTER_PORT = 40000

const fixture = (await loadFixtures()).find((f) => f.protocol === 'v9')
const decoder = new BatchDecoder(undefined, undefined, undefined, { rowBinary: true, tsv: true })
let cursor = 0

/** Datagrams packed as the listener packs them, received now; decoded to row chunks of both formats. */
function decode(datagrams) {
  const batch = new DatagramBatch(4 << 20, BATCH_DATAGRAMS)
  for (const d of datagrams) {
    if (!batch.add(d, EXPORTER, EXPORTER_PORT, Date.now())) throw new Error('batch full')
  }
  const r = decoder.decode(batch.take())
  for (const [key, n] of Object.entries(r.outcomes)) {
    if (!key.endsWith('|ok')) throw new Error(`fixture datagrams did not decode: ${key} x${n}`)
  }
  const chunks = (list, rows) =>
    list.map((c, i) => ({
      body: Buffer.from(c.buffer, c.byteOffset, c.byteLength),
      rows: rows[i] ?? 0,
    }))
  return { binary: chunks(r.binary, r.binaryRows), tsv: chunks(r.tsv, r.tsvRows) }
}

decode(fixture.prime)

/**
 * One pass: at least ROWS rows decoded from the fixture's data (cycled, continuing where
 * the last pass stopped), as the decode results hand them to the writer, and grouped
 * into batches of about BATCH rows for the plain inserts. Built before timing.
 */
function pass() {
  const chunks = { binary: [], tsv: [] }
  let rows = 0
  while (rows < ROWS) {
    const datagrams = []
    for (let i = 0; i < BATCH_DATAGRAMS; i++) {
      datagrams.push(fixture.data[cursor++ % fixture.data.length])
    }
    const d = decode(datagrams)
    chunks.binary.push(...d.binary)
    chunks.tsv.push(...d.tsv)
    rows += d.binary.reduce((n, c) => n + c.rows, 0)
  }
  const batches = (list) => {
    const out = []
    let open = { chunks: [], rows: 0 }
    for (const c of list) {
      open.chunks.push(c.body)
      open.rows += c.rows
      if (open.rows >= PLAIN_BATCH) {
        out.push(open)
        open = { chunks: [], rows: 0 }
      }
    }
    if (open.rows > 0) out.push(open)
    return out
  }
  const bytes = (list) => list.reduce((s, c) => s + c.body.byteLength, 0)
  return {
    chunks,
    batches: { binary: batches(chunks.binary), tsv: batches(chunks.tsv) },
    rows,
    bytes: { binary: bytes(chunks.binary), tsv: bytes(chunks.tsv) },
  }
}

const dataDir = mkdtempSync(join(os.tmpdir(), 'fl-bench-writer-'))
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
async function eachBatch(p, format, insertOne) {
  const t0 = performance.now()
  for (const b of p.batches[format]) await insertOne(b)
  return p.rows / ((performance.now() - t0) / 1000)
}

/** Each batch of a pass's `key` rows inserted directly through `Engine.insertRows` as `format`. */
const fileInsert = (key, format) => (p) =>
  eachBatch(p, key, (b) =>
    engine.insertRows({
      table: TABLE,
      columns: INSERT_COLUMNS,
      format,
      body: b.chunks,
      settings: insertSettings(),
    }),
  )
/** The ceiling: the RowBinary rows, what the writer inserts. */
const plainInsert = fileInsert('binary', 'RowBinary')
/** The same rows as TSV, through the same file path. */
const tsvFileInsert = fileInsert('tsv', 'TabSeparated')

/** A second session on the same data, for chdb's raw insert of inline data. */
const inline = createChdbConnection({ path: join(dataDir, 'clickhouse') })

/** The TSV batches as inline data through chdb's raw insert. */
const inlineInsert = (p) =>
  eachBatch(p, 'tsv', (b) =>
    inline.chdb.rawInsert({
      table: TABLE,
      columns: INSERT_COLUMNS,
      values: Buffer.concat(b.chunks),
      format: 'TabSeparated',
      settings: insertSettings(),
    }),
  )

/** The collector's writer: decode results queued as they come, batched, inserted, flushed. */
async function throughWriter(p, round) {
  const writer = createWriter({
    engine,
    columns: INSERT_COLUMNS,
    format: 'RowBinary',
    batchRows: BATCH,
    batchMs: 1000,
    spoolDir: join(dataDir, 'spool', String(round)),
    spoolMaxBytes: 1 << 30,
    log,
    metrics: new Registry(),
  })
  writer.start()
  const t0 = performance.now()
  for (const c of p.chunks.binary) writer.add(c.body, c.rows)
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
  const copy = 'flowloft.flows_storage_bench'
  await engine.client.command({ query: `CREATE TABLE ${copy} AS ${TABLE}` })
  const body = []
  let rows = 0
  for (let i = 0; i < fixture.data.length; i += BATCH_DATAGRAMS) {
    for (const c of decode(fixture.data.slice(i, i + BATCH_DATAGRAMS)).binary) {
      body.push(c.body)
      rows += c.rows
    }
  }
  await engine.insertRows({
    table: copy,
    columns: INSERT_COLUMNS,
    format: 'RowBinary',
    body,
    settings: insertSettings(),
  })
  await engine.client.command({ query: `OPTIMIZE TABLE ${copy} FINAL` })
  const rs = await engine.client.query({
    query: `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
            WHERE database = 'flowloft' AND table = 'flows_storage_bench' AND active`,
    format: 'JSONEachRow',
  })
  const [parts] = await rs.json()
  if (Number(parts.rows) !== rows) throw new Error(`storage copy: ${parts.rows} of ${rows} rows`)
  return { rows, bytesPerFlow: Number(parts.bytes) / rows }
}

try {
  await migrate(engine.client)
  const rates = { plainInsert: [], writer: [], tsvFileInsert: [], inlineInsert: [] }
  let total = 0
  const rowBytes = { binary: 0, tsv: 0 }
  const ways = [
    ['plainInsert', plainInsert],
    ['writer', throughWriter],
    ['tsvFileInsert', tsvFileInsert],
    ['inlineInsert', inlineInsert],
  ]
  for (let r = 0; r < ROUNDS; r++) {
    // The order rotates each round (merges of the previous pass's parts run in the
    // background and slow whatever comes next).
    for (const [name, run] of [...ways.slice(r % 4), ...ways.slice(0, r % 4)]) {
      const p = pass()
      total += p.rows
      rowBytes.binary += p.bytes.binary
      rowBytes.tsv += p.bytes.tsv
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
    rows: 'softflowd v9 fixture decoded by BatchDecoder, all columns',
    columns: INSERT_COLUMNS.length,
    rowBinaryBytesPerRow: rowBytes.binary / total,
    tsvBytesPerRow: rowBytes.tsv / total,
    rowsPerPass: ROWS,
    batchRows: BATCH,
    plainBatchRows: PLAIN_BATCH,
    rowsPerSecond: rates,
    best,
    ofCeiling: best.writer / best.plainInsert,
    binaryOverTsvFile: best.plainInsert / best.tsvFileInsert,
    tsvFileOverInline: best.tsvFileInsert / best.inlineInsert,
    rawRowsStored: stored,
    rawRowsSent: total,
    bytesPerFlow: storage.bytesPerFlow,
    bytesPerFlowRows: storage.rows,
  }
  const list = (xs) => xs.map((x) => Math.round(x)).join(', ')
  console.log(
    `\nClickHouse writer, embedded engine (chdb), rollup views on; decoded v9 rows, ` +
      `${INSERT_COLUMNS.length} columns, ${report.rowBinaryBytesPerRow.toFixed(0)} RowBinary ` +
      `(${report.tsvBytesPerRow.toFixed(0)} TSV) bytes per row; ` +
      `at least ${ROWS} rows per pass; writer batch_rows ${BATCH}, plain inserts of ${PLAIN_BATCH}`,
  )
  console.log(`  RowBinary via FROM INFILE (ceiling): ${list(rates.plainInsert)} rows/s`)
  console.log(`  collector writer (RowBinary):        ${list(rates.writer)} rows/s`)
  console.log(`  TSV via FROM INFILE:                ${list(rates.tsvFileInsert)} rows/s`)
  console.log(`  TSV inline, chdb raw insert:         ${list(rates.inlineInsert)} rows/s`)
  console.log(`  writer / ceiling (best of each):     ${(report.ofCeiling * 100).toFixed(1)}%`)
  console.log(
    `  RowBinary / TSV file / TSV inline:   ${report.binaryOverTsvFile.toFixed(2)}x TSV file, TSV file ${report.tsvFileOverInline.toFixed(2)}x inline`,
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
