// The writer loses nothing and stores nothing twice, on the real embedded engine.
//
// The outage is real: the writer's own engine detaches flowloft.flows for 60 s
// (`DETACH TABLE`), so every insert is refused by ClickHouse ("table does not exist")
// exactly as a server that lost the table or its disk would refuse it, while rows keep
// arriving. Halfway through, the writer is stopped (what SIGTERM does) and a new writer
// is started on the same spool directory (what a restart does). After `ATTACH TABLE`,
// counts and sums must equal what was sent and no row may appear twice.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Writer } from '../../../dist/clickhouse/writer.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { Spool } from '../../../dist/clickhouse/spool.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../../support/fixture-rows.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { rollAhead } from '../../support/roll-ahead.js'

const ch = useMigratedEngine('writer')

type Totals = { rows: number; uniq: number; bytes: number; packets: number }
/** Every rollup of flows, the chained ones too. */
const ROLLUPS = [
  'flowloft.flows_1m',
  'flowloft.flows_1h',
  'flowloft.flows_1d',
  'flowloft.flows_hosts_1m',
  'flowloft.flows_hosts_1h',
  'flowloft.flows_hosts_1d',
  'flowloft.flows_pairs_1d',
  'flowloft.device_traffic_1h',
]

async function totals(table = 'flowloft.flows'): Promise<Totals> {
  const uniq = table.endsWith('flows') ? 'uniqExact(sequence)' : 'sum(flows)'
  const rows = table.endsWith('flows') ? 'count()' : 'sum(flows)'
  const rs = await ch.engine.client.query({
    query: `SELECT ${rows} AS rows, ${uniq} AS uniq, sum(bytes) AS bytes, sum(packets) AS packets FROM ${table}`,
    format: 'JSONEachRow',
  })
  const [t] = await rs.json<Record<keyof Totals, number | string>>()
  if (!t) throw new Error('no totals')
  return {
    rows: Number(t.rows),
    uniq: Number(t.uniq),
    bytes: Number(t.bytes),
    packets: Number(t.packets),
  }
}
const cmd = async (q: string): Promise<void> => {
  await ch.engine.client.command({ query: q })
}
const newWriter = (metrics: Registry, spoolDir: string): Writer =>
  fixtureWriter(ch, { batchRows: 2000, batchMs: 200, spoolDir, maxBackoffMs: 2000, metrics })
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

void test('a 60 s outage with a restart in the middle: every row stored exactly once', async () => {
  // Every row through the views of the scheduled rollups too, as a late replay goes.
  await rollAhead(ch.engine.client)
  const spoolDir = join(ch.dataDir, 'spool', 'flows')
  const m1 = new Registry()
  let writer = newWriter(m1, spoolDir)
  writer.start()
  const sent = { rows: 0, bytes: 0, packets: 0 }
  let feeding = true
  // 100 rows every 50 ms (2,000 rows/s) for the whole test.
  const feeder = (async () => {
    while (feeding) {
      const b = fixtureRows(sent.rows, 100, Math.floor(Date.now() / 1000))
      writer.add(b.tsv, b.rows)
      sent.rows += b.rows
      sent.bytes += b.bytes
      sent.packets += b.packets
      await sleep(50)
    }
  })()

  await sleep(1500)
  const before = (await totals()).rows
  assert.ok(before > 0, 'rows are stored before the outage')
  await cmd('DETACH TABLE flowloft.flows')
  const outageStart = Date.now()

  await sleep(30_000)
  // SIGTERM during the outage: stop() spools what it cannot insert.
  await writer.stop()
  assert.equal(writer.pendingRows, 0)
  const spooled = new Spool(spoolDir)
  assert.ok(spooled.files > 0, 'batches are in the spool')
  assert.ok(m1.render().includes('flowloft_writer_batches_total{source="memory",result="error"}'))
  // Restart: a new writer on the same directory picks the spool up.
  const m2 = new Registry()
  writer = newWriter(m2, spoolDir)
  writer.start()

  await sleep(60_000 - (Date.now() - outageStart))
  await cmd('ATTACH TABLE flowloft.flows')
  const back = Date.now()
  await sleep(3000)
  feeding = false
  await feeder
  await writer.flush()
  await writer.stop()
  const caughtUp = Date.now() - back

  const got = await totals()
  assert.deepEqual(got, { rows: sent.rows, uniq: sent.rows, ...pick(sent) })
  assert.deepEqual(readdirSync(spoolDir), [], 'spool emptied')
  for (const m of [m1, m2]) {
    assert.ok(!/flowloft_writer_dropped_rows_total\{[^}]*\} [1-9]/.test(m.render()), 'no drops')
  }
  // The rollups saw every row once as well.
  for (const t of ROLLUPS) {
    const r = await totals(t)
    assert.deepEqual({ rows: r.rows, ...pick(r) }, { rows: sent.rows, ...pick(sent) }, t)
  }
  console.log(
    `outage ${back - outageStart} ms: ${sent.rows} rows sent, ${got.rows} stored, caught up ${caughtUp} ms after ATTACH`,
  )
})

// 1000 rows go through a synchronous insert, 100 through ClickHouse's async insert.
for (const size of [1000, 100]) {
  void test(`a batch of ${size} replayed after it was stored (crash before the spool file was deleted) is stored once`, async () => {
    await rollAhead(ch.engine.client)
    for (const t of ['flowloft.flows', ...ROLLUPS]) await cmd(`TRUNCATE TABLE ${t}`)
    const spoolDir = join(ch.dataDir, 'spool', `dedup-${size}`)
    const b = fixtureRows(0, size, Math.floor(Date.now() / 1000))
    const header = {
      token: `a0b1c2d3-0000-4000-8000-${String(size).padStart(12, '0')}`,
      rows: b.rows,
      columns: [...FIXTURE_COLUMNS],
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      // The same spool file, written again as if the process died after the insert.
      new Spool(spoolDir).put(header, [b.tsv], 1 << 30)
      const w = newWriter(new Registry(), spoolDir)
      w.start()
      await w.flush()
      await w.stop()
      assert.deepEqual(readdirSync(spoolDir), [])
    }
    assert.deepEqual(await totals(), { rows: size, uniq: size, ...pick(b) })
    // Also down the chains of views (schema/0007: minutes -> hours -> days).
    for (const t of ROLLUPS) {
      const r = await totals(t)
      assert.deepEqual({ rows: r.rows, ...pick(r) }, { rows: size, ...pick(b) }, `${t} not doubled`)
    }
    // Control: another token with the same rows is a new batch and is stored.
    new Spool(spoolDir).put(
      { ...header, token: `a0b1c2d3-0000-4000-8001-${String(size).padStart(12, '0')}` },
      [b.tsv],
      1 << 30,
    )
    const w = newWriter(new Registry(), spoolDir)
    w.start()
    await w.flush()
    await w.stop()
    assert.equal((await totals()).rows, 2 * size)
  })
}

function pick(t: { bytes: number; packets: number }): { bytes: number; packets: number } {
  return { bytes: t.bytes, packets: t.packets }
}
