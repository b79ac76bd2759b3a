// The per-hour and per-day rollups are UTC's whatever the engine's time zone
// (schema/0012): flows over two days, one batch at the middle of each hour, reach
// flows_1h, flows_1d and device_traffic_1h at whole UTC hours and days, with raw flows'
// sums per UTC hour and day; and a window of whole days read with them (rollupRows,
// the API's stitching of the days from flows_1d) sums what raw flows hold there.
// `npm test` runs it again with the engine in Asia/Kolkata (UTC+5:30), where a local
// hour starts at :30 UTC and a local day at 18:30 UTC.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rollupRows } from '../../../dist/api/sides-sql.js'
import { useMigratedEngine } from '../../support/engine.js'
import { writeFixtureBatches } from '../../support/fixture-writer.js'
import { assertRollupEqualsRaw } from '../../support/rollup-oracle.js'

const ch = useMigratedEngine('rollup-utc')

const HOUR = 3600
const DAY = 86400
const today = Math.floor(Date.now() / 1000 / DAY) * DAY
/** The first hour with flows: two days before today's UTC midnight. */
const FIRST = today - 2 * DAY
const HOURS = 2 * 24 + Math.floor((Date.now() / 1000 - today) / HOUR)

const SUMS = `toString(sum(bytes)) AS b, toString(sum(packets)) AS p`

void test('the hours and days of the rollups are UTC, whatever the engine zone', async () => {
  const zone = await ch.rows<{ tz: string }>('SELECT timezone() AS tz')
  const tz = zone[0]?.tz ?? ''
  assert.equal(tz, process.env['TZ'] ?? tz, 'the engine runs in the zone of the test')
  // One batch 30 min 7 s into each hour (in Kolkata, 7 s into a local hour).
  await writeFixtureBatches(ch, HOURS, 1, 40, (k) => FIRST + k * HOUR + 1807)

  for (const [table, grain] of [
    ['flows_1h', HOUR],
    ['flows_1d', DAY],
    ['device_traffic_1h', HOUR],
  ] as const) {
    const off = await ch.rows<{ n: string }>(
      `SELECT toString(count()) AS n FROM flowloft.${table} WHERE toUInt32(time) % ${grain} != 0`,
    )
    assert.equal(off[0]?.n, '0', `${table} (${tz}): every row at a whole UTC grain`)
    const key = table === 'device_traffic_1h' ? 'toString(local_addr) AS l, ' : ''
    const rawKey =
      table === 'device_traffic_1h'
        ? `toString(multiIf(direction = 'inbound', dst_addr, direction IN ('outbound', 'internal'), src_addr, toIPv6('::'))) AS l, `
        : ''
    await assertRollupEqualsRaw(
      ch,
      table,
      `SELECT ${rawKey}intDiv(toUInt32(time_received), ${grain}) * ${grain} AS t, ${SUMS}
        FROM flowloft.flows GROUP BY ${rawKey ? 'l, ' : ''}t`,
      `SELECT ${key}toUInt32(time) AS t, ${SUMS} FROM flowloft.${table} GROUP BY ${key ? 'l, ' : ''}t`,
      `(${tz})`,
    )
  }

  // A window of the two whole days and today's hours so far, read as the API stitches
  // it: the days from flows_1d, the rest from flows_1h. Before 0012 in Kolkata its first
  // day started at 18:30 UTC and today's first 5.5 hours came twice.
  const from = FIRST - 3 * HOUR
  const to = today + (HOURS - 48) * HOUR
  const stitched = rollupRows('flows_1h', true)
    .replaceAll('{from:UInt32}', String(from))
    .replaceAll('{to:UInt32}', String(to))
  const [got] = await ch.rows<{ b: string }>(`SELECT toString(sum(bytes)) AS b FROM ${stitched}`)
  const [want] = await ch.rows<{ b: string }>(
    `SELECT toString(sum(bytes)) AS b FROM flowloft.flows
      WHERE time_received >= ${from} AND time_received < ${to}`,
  )
  assert.ok(Number(want?.b) > 0)
  assert.equal(got?.b, want?.b, `stitched days and hours (${tz})`)
})
