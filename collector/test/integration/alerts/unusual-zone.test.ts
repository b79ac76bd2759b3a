// The unusual-volume rule compares a device's last hour with the same UTC hour of the
// last 14 days, whatever the engine's time zone: a nightly 1 GB backup at 02:00-03:00
// UTC for 20 days, judged two days after Europe's spring clock change, is usual.
// `npm test` runs it again with the engine in Europe/Berlin, where the backup's local
// hour moved from 03:00 to 04:00 on 29 March 2026 (with the engine's toHour, only the
// two days since counted: "7.0 times its usual").
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { devicesOverUsual } from '../../../dist/alerts/unusual.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('alerts-unusual-zone')
const GB = 1_000_000_000
const DEVICE = '::ffff:192.168.1.70'
const utc = (d: number, h: number, m = 0): number => Date.UTC(2026, 2, d, h, m) / 1000

void test('the usual level of an hour is the same UTC hour across a clock change', async () => {
  const c = ch.engine.client
  // The rows are months old: keep the tables' TTL from dropping them meanwhile.
  for (const t of ['flows_1h', 'flows_1m'])
    await c.command({ query: `SYSTEM STOP TTL MERGES flowloft.${t}` })
  const row = (t: number, bytes: number): string =>
    `(toDateTime(${t}), 'outbound', toIPv6('${DEVICE}'), ${bytes}, 1, 1)`
  const days = Array.from({ length: 20 }, (_, k) => row(utc(31 - (k + 1), 2), GB))
  const columns = '(time, direction, local_addr, bytes, packets, flows)'
  await c.command({ query: `INSERT INTO flowloft.flows_1h ${columns} VALUES ${days.join(',')}` })
  const minutes = Array.from({ length: 30 }, (_, i) => row(utc(31, 2, i), GB / 30))
  await c.command({ query: `INSERT INTO flowloft.flows_1m ${columns} VALUES ${minutes.join(',')}` })
  const [tz] = await ch.rows<{ tz: string }>('SELECT timezone() AS tz')

  const to = utc(31, 2, 30)
  assert.deepEqual(await devicesOverUsual(c, { factor: 3, minBytes: 1e8 }, to), [], tz?.tz)
  // Three times the usual 1 GB is unusual, in any zone.
  await c.command({
    query: `INSERT INTO flowloft.flows_1m ${columns} VALUES ${row(utc(31, 2, 31), 3 * GB)}`,
  })
  const raised = await devicesOverUsual(c, { factor: 3, minBytes: 1e8 }, utc(31, 2, 32))
  assert.deepEqual(
    raised.map((r) => [r.subject, r.details['usual']]),
    [['192.168.1.70', GB]],
    tz?.tz,
  )
  assert.match(raised[0]?.message ?? '', /its usual 1\.00 GB at this hour \(02:00 UTC/)
})
