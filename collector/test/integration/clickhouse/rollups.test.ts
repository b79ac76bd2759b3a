// Rollups on the real embedded engine: rows inserted through the writer (timestamps of
// now: a TTL drops rows already expired at insert) reach flows_1m and flows_1h through
// the materialized views with the same sums of bytes, packets and flows as the raw
// table, in total and per dashboard key, also after merges; exporters and interfaces
// list what was seen.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ROLLUP_LOCAL_ADDR_SQL, ROLLUP_SERVICE_PORT_SQL } from '@flowloft/decoder-wasm'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('rollups')

const KEY = `exporter, in_if, out_if, direction, proto, service_port, src_country, dst_country, src_as, dst_as, local_addr, app`
// The rollup keys as the flows contract defines them, computed over the raw rows: the
// views of schema/0002_rollups.sql (app added by 0006_apps.sql) must agree.
const RAW = `SELECT toStartOfHour(time_received) AS t, exporter, in_if, out_if, direction, proto,
    ${ROLLUP_SERVICE_PORT_SQL} AS service_port,
    src_country, dst_country, src_as, dst_as,
    ${ROLLUP_LOCAL_ADDR_SQL} AS local_addr, app,
    sum(bytes) AS b, sum(packets) AS p, count() AS f
  FROM flowloft.flows GROUP BY t, ${KEY}`
const ROLLUP = (table: string): string => `SELECT toStartOfHour(time) AS t, ${KEY},
    sum(bytes) AS b, sum(packets) AS p, sum(flows) AS f FROM flowloft.${table} GROUP BY t, ${KEY}`

void test('flows_1m and flows_1h sums equal the raw table, per key and in total', async () => {
  const writer = fixtureWriter(ch)
  writer.start()
  const now = Math.floor(Date.now() / 1000)
  const sent = { rows: 0, bytes: 0, packets: 0 }
  // 60,000 rows over the last three hours, in 12 batches.
  for (let k = 0; k < 12; k++) {
    const b = fixtureRows(k * 5000, 5000, now - k * 900)
    writer.add(b.tsv, b.rows)
    sent.rows += b.rows
    sent.bytes += b.bytes
    sent.packets += b.packets
  }
  await writer.flush()
  await writer.stop()

  type T = { b: number; p: number; f: number }
  const total = async (table: string, flows: string): Promise<T> => {
    const [r] = await ch.rows<T>(
      `SELECT sum(bytes) AS b, sum(packets) AS p, ${flows} AS f FROM flowloft.${table}`,
    )
    return { b: Number(r?.b), p: Number(r?.p), f: Number(r?.f) }
  }
  const want = { b: sent.bytes, p: sent.packets, f: sent.rows }
  assert.deepEqual(await total('flows', 'count()'), want)
  const canon = (rs: Record<string, unknown>[]): string[] => rs.map((r) => JSON.stringify(r)).sort()
  const raw = canon(await ch.rows(RAW))
  for (const t of ['flows_1m', 'flows_1h']) {
    assert.deepEqual(await total(t, 'sum(flows)'), want, `${t} total`)
    assert.deepEqual(canon(await ch.rows(ROLLUP(t))), raw, `${t} per key`)
    await ch.engine.client.command({ query: `OPTIMIZE TABLE flowloft.${t} FINAL` })
    assert.deepEqual(await total(t, 'sum(flows)'), want, `${t} total after merging`)
  }
  // Rollups are smaller than the raw table (else they are not worth their disk).
  const [c] = await ch.rows<{ raw: number; m1: number; h1: number }>(
    `SELECT (SELECT count() FROM flowloft.flows) AS raw, (SELECT count() FROM flowloft.flows_1m) AS m1,
       (SELECT count() FROM flowloft.flows_1h) AS h1`,
  )
  console.log(`rows: raw ${c?.raw}, flows_1m ${c?.m1}, flows_1h ${c?.h1}`)

  const exporters = await ch.rows<{ exporter: string; flow_type: string }>(
    'SELECT exporter, flow_type FROM flowloft.exporters FINAL ORDER BY exporter',
  )
  assert.deepEqual(
    exporters.map((e) => e.exporter),
    ['::ffff:192.0.2.1', '::ffff:192.0.2.2', '::ffff:192.0.2.3'],
  )
  assert.ok(exporters.every((e) => e.flow_type === 'ipfix'))
  const [ifs] = await ch.rows<{ n: number }>('SELECT count() AS n FROM flowloft.interfaces FINAL')
  assert.equal(Number(ifs?.n), 3 * 4, 'interfaces 1..4 of each exporter (in and out)')
})
