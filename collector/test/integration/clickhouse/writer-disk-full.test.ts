// A full disk while flows are being written, on the real embedded engine. The whole data
// directory (ClickHouse's parts, the spool, the per-insert files) is an 8 MiB tmpfs.
// While flowloft.flows is detached, batches go to the spool; then a filler file takes
// every free byte, so spool writes, spool replays (their insert file) and ClickHouse
// itself fail with ENOSPC while rows keep arriving, and the memory bound is reached.
// Then the filler shrinks 256 KiB at a time until an insert succeeds, and is removed.
// Nothing may throw; every row handed to the writer is stored once or counted dropped;
// no half-written file is left; recovery starts with about one insert's worth freed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { metricValue } from '../../support/service.js'
import { fillDisk, freeBytes, tmpfsUnavailable } from '../../support/tmpfs.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { replayReserve, Spool } from '../../../dist/clickhouse/spool.js'
import { Quarantine } from '../../../dist/clickhouse/spool-quarantine.js'

const unavailable = tmpfsUnavailable()
const ch = unavailable ? undefined : useMigratedEngine('disk-full', { tmpfsBytes: 8 << 20 })
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

void test(
  'a full disk: no throw, every row stored or counted, no half files',
  { timeout: 120_000 },
  async (t) => {
    if (!ch) {
      t.skip(unavailable)
      return
    }
    const metrics = new Registry()
    const writer = fixtureWriter(ch, {
      batchRows: 2000,
      batchMs: 500,
      maxPendingRows: 10_000,
      maxBackoffMs: 500,
      metrics,
    })
    const m = (series: string): number => metricValue(metrics.render(), series)
    const stored = (): number => m('flowloft_writer_rows_total')
    const cmd = async (q: string): Promise<void> => {
      await ch.engine.client.command({ query: q })
    }
    writer.start()
    let sent = 0
    let feeding = true
    // 200 rows every 50 ms (4,000 rows/s) for the whole test; add() must never throw.
    const feeder = (async () => {
      while (feeding) {
        const b = fixtureRows(sent, 200, Math.floor(Date.now() / 1000))
        writer.add(b.tsv, b.rows)
        sent += b.rows
        await sleep(50)
      }
    })()
    const until = async (what: string, check: () => boolean, ms = 20_000): Promise<void> => {
      const end = Date.now() + ms
      while (!check()) {
        if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`)
        await sleep(50)
      }
    }
    const filler = join(ch.dataDir, 'filler')
    let freed = 0
    try {
      await until('rows stored', () => stored() > 0)
      await cmd('DETACH TABLE flowloft.flows')
      await until('batches spooled', () => writer.spool.files >= 3)
      fillDisk(filler)
      await until(
        'spool writes refused, rows dropped at the memory bound',
        () =>
          m('flowloft_writer_io_errors_total{op="spool_write",code="LOW_SPACE"}') > 0 &&
          m('flowloft_writer_dropped_rows_total{reason="memory"}') > 0,
      )
      // The table is back, the disk still full: replays fail on their insert file.
      await cmd('ATTACH TABLE flowloft.flows')
      await until(
        'ENOSPC counted on insert files',
        () => m('flowloft_writer_io_errors_total{op="insert_file",code="ENOSPC"}') > 0,
      )
      // Free 256 KiB at a time until an insert goes in.
      const before = stored()
      while (stored() === before) {
        truncateSync(filler, Math.max(0, statSync(filler).size - (256 << 10)))
        freed = freeBytes(ch.dataDir)
        await sleep(400)
      }
      rmSync(filler)
      await sleep(1000)
    } finally {
      feeding = false
      await feeder
      if (existsSync(filler)) rmSync(filler)
      await cmd('ATTACH TABLE flowloft.flows').catch(() => undefined) // if the test failed early
      await writer.flush()
      await writer.stop()
    }

    const [r] = await ch.rows<{ n: string; u: string }>(
      'SELECT count() AS n, uniqExact(sequence) AS u FROM flowloft.flows',
    )
    const rows = Number(r?.n)
    const drop = (reason: string): number =>
      m(`flowloft_writer_dropped_rows_total{reason="${reason}"}`)
    const memory = drop('memory')
    const others = ['spool_full', 'rejected', 'spool_error'].map(drop)
    assert.equal(Number(r?.u), rows, 'no row stored twice')
    assert.equal(rows, stored(), 'rows_total counts what was stored')
    assert.equal(sent, rows + memory + others.reduce((x, y) => x + y), 'handed = stored + dropped')
    assert.deepEqual(others, [0, 0, 0], 'only memory drops')
    assert.ok(memory > 0, 'the memory bound was reached')
    // What the first insert after the fill needed: its file (a spool file of ~2000 rows)
    // and ClickHouse's reservation for the part (at least 1 MiB): the replay reserve.
    const batch = fixtureRows(0, 2000, Math.floor(Date.now() / 1000)).tsv.length
    assert.ok(freed <= replayReserve(batch), `recovered with ${freed} bytes free`)
    // No half-written file anywhere: the per-insert folder and the spool are empty.
    assert.deepEqual(readdirSync(join(ch.dataDir, 'inserting')), [])
    assert.deepEqual(readdirSync(join(ch.dataDir, 'spool', 'flows')), [])
    assert.deepEqual(readdirSync(join(ch.dataDir, 'spool', 'rejected')), [])
    const io = metrics
      .read('flowloft_writer_io_errors_total')
      .map((s) => `${s.labels['op']}/${s.labels['code']}=${s.value}`)
    console.log(
      `tmpfs 8 MiB: ${sent} rows handed, ${rows} stored, ${memory} dropped (memory); ` +
        `first insert after the fill with ${Math.round(freed / 1024)} KiB free; io errors ${io.join(' ')}`,
    )
  },
)

void test('a spool or rejected-batch write that hits ENOSPC leaves no file behind', (t) => {
  if (!ch) {
    t.skip(unavailable)
    return
  }
  const dir = join(ch.dataDir, 'spool-enospc')
  const spool = new Spool(dir, () => 0) // no reserve: the write itself must fail
  const quarantine = new Quarantine({ dir, label: 'x', maxFiles: 10, maxBytes: 1 << 30 })
  const filler = join(ch.dataDir, 'filler')
  const b = fixtureRows(0, 2000, Math.floor(Date.now() / 1000))
  const h = { token: 'a0b1c2d3-0000-4000-8000-000000000001', rows: b.rows, columns: ['x'] }
  try {
    fillDisk(filler)
    const r = spool.put(h, [b.tsv], 1 << 30)
    assert.ok(typeof r === 'object', `put on a full disk returned ${String(r)}`)
    assert.deepEqual([r.op, r.code], ['spool_write', 'ENOSPC'])
    const q = quarantine.write(quarantine.pathFor('y'), b.tsv)
    assert.deepEqual([q?.op, q?.code], ['rejected_write', 'ENOSPC'])
    assert.deepEqual(readdirSync(dir), [], 'no half-written file')
    assert.equal(spool.files, 0)
  } finally {
    rmSync(filler)
  }
  assert.equal(spool.put(h, [b.tsv], 1 << 30), 'ok', 'space is back')
  assert.equal(new Spool(dir).files, 1)
})
