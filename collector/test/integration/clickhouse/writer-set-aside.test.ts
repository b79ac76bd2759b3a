// The flows writer's own format on the real embedded engine: a RowBinary batch cut short
// (a torn write) is set aside with its note and the decoder's good batches around it are
// stored; a set-aside batch, fixed and moved back into the spool as
// docs/troubleshooting.md says, is inserted at the next start.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  DatagramBatch,
  Decoder,
  RowOutput,
  INSERT_COLUMNS,
  parseAddress,
  readCaptureFile,
} from '@flowloft/decoder-wasm'
import { capturePath } from '@flowloft/decoder-wasm/testing'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { metricValue } from '../../support/service.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { decodeSpool, encodeSpool } from '../../../dist/clickhouse/spool.js'

const ch = useMigratedEngine('writer-set-aside')

const count = async (): Promise<number> => {
  const [r] = await ch.rows<{ n: string }>('SELECT count() AS n FROM flowloft.flows')
  return Number(r?.n)
}
const truncate = async (): Promise<void> => {
  for (const t of ['flows', 'flows_1m', 'flows_1h'])
    await ch.engine.client.command({ query: `TRUNCATE TABLE flowloft.${t}` })
}
const files = (dir: string, ext: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()

/** A capture's flows as the decoder formats them for the writer. */
function decodedRows(capture: string): { body: Buffer; rows: number } {
  const d = new Decoder()
  const out = new RowOutput()
  const batch = new DatagramBatch(4 << 20, 4096)
  for (const dg of readCaptureFile(capturePath(capture)))
    batch.add(dg.payload, parseAddress(dg.srcAddr), dg.srcPort, Date.now())
  const packed = batch.take()
  let rows = 0
  d.decode(new Uint8Array(packed.buffer), packed.count, (_v, n) => {
    d.formatRows('RowBinary', n, out)
    rows += n
  })
  return { body: Buffer.concat(d.takeRows('RowBinary', out).chunks), rows }
}

void test(
  'a RowBinary batch cut short is set aside with its note; the batches after it are stored',
  { timeout: 60_000 },
  async () => {
    await truncate()
    const spoolDir = join(ch.dataDir, 'spool', 'flows')
    const rejectedDir = join(ch.dataDir, 'spool', 'rejected')
    const metrics = new Registry()
    const writer = fixtureWriter(ch, {
      columns: INSERT_COLUMNS,
      format: 'RowBinary',
      spoolDir,
      metrics,
      maxBackoffMs: 60_000,
    })
    writer.start()
    const good = decodedRows('softflowd-v9.pcap')
    assert.ok(good.rows > 10, `decoded ${good.rows} rows`)
    const torn = good.body.subarray(0, Math.floor(good.body.length / 2) + 3)
    const t0 = Date.now()
    writer.add(good.body, good.rows)
    await writer.flush()
    writer.add(torn, good.rows)
    await writer.flush()
    for (let k = 0; k < 2; k++) {
      writer.add(good.body, good.rows)
      await writer.flush()
    }
    await writer.stop()

    assert.equal(await count(), 3 * good.rows, 'every good batch, none of the torn one')
    const [batch, ...more] = files(rejectedDir, '.batch')
    assert.ok(batch !== undefined && more.length === 0, 'one batch set aside')
    const kept = decodeSpool(readFileSync(join(rejectedDir, batch)))
    assert.deepEqual(kept.body, torn, 'kept as it was refused')
    assert.equal(kept.header.format, 'RowBinary')
    const note = JSON.parse(
      readFileSync(join(rejectedDir, batch.replace(/\.batch$/, '.json')), 'utf8'),
    ) as Record<string, unknown>
    const code = String(note['code'])
    assert.ok(['CANNOT_READ_ALL_DATA', 'ATTEMPT_TO_READ_AFTER_EOF'].includes(code), code)
    assert.equal(note['rows'], good.rows)
    assert.equal(note['source'], 'memory')
    assert.match(String(note['error']), /Code: \d+/)
    const at = Date.parse(String(note['rejected_at']))
    assert.ok(at >= t0 && at <= Date.now())
    const text = metrics.render()
    const series = `flowloft_writer_rejected_batches_total{source="memory",code="${code}"}`
    assert.equal(metricValue(text, series), 1)
    assert.equal(
      metricValue(text, 'flowloft_writer_dropped_rows_total{reason="rejected"}'),
      good.rows,
    )
    assert.equal(metricValue(text, 'flowloft_writer_rows_total'), 3 * good.rows)
    assert.deepEqual(readdirSync(spoolDir), [], 'nothing left waiting')
  },
)

void test(
  'a set-aside batch fixed and moved back into the spool goes in at the next start',
  { timeout: 60_000 },
  async () => {
    await truncate()
    const root = join(ch.dataDir, 'spool-requeue')
    const spoolDir = join(root, 'flows')
    const rejectedDir = join(root, 'rejected')
    const now = Math.floor(Date.now() / 1000)
    const rows = fixtureRows(0, 999, now)
    const first = fixtureWriter(ch, { spoolDir, maxBackoffMs: 60_000 })
    first.start()
    // One line ClickHouse cannot parse refuses the whole batch.
    first.add(Buffer.concat([rows.tsv, Buffer.from('garbage\t1\n')]), 1000)
    await first.flush()
    await first.stop()
    assert.equal(await count(), 0)
    const [name] = files(rejectedDir, '.batch')
    assert.ok(name !== undefined)

    // What docs/troubleshooting.md tells a person to do, flowloft stopped: edit the rows
    // (here: drop the bad line), move the file back under a name the spool takes, delete
    // the note.
    const path = join(rejectedDir, name)
    const refused = decodeSpool(readFileSync(path))
    const fixed = refused.body.toString().replace('garbage\t1\n', '')
    writeFileSync(path, encodeSpool(refused.header, [Buffer.from(fixed)]))
    renameSync(path, join(spoolDir, `0000000000000000-${name.slice(name.indexOf('-flows-') + 7)}`))
    rmSync(path.replace(/\.batch$/, '.json'))

    const metrics = new Registry()
    const next = fixtureWriter(ch, { spoolDir, metrics, maxBackoffMs: 60_000 })
    assert.equal(next.spool.files, 1, 'the spool takes the name')
    next.start()
    await next.flush()
    await next.stop()
    assert.equal(await count(), 999)
    assert.deepEqual(readdirSync(spoolDir), [])
    assert.deepEqual(readdirSync(rejectedDir), [])
    assert.equal(
      metricValue(metrics.render(), 'flowloft_writer_batches_total{source="spool",result="ok"}'),
      1,
    )
  },
)
