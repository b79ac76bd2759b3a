// The usage periods (usage/periods.ts, on Node's Intl time zones) against ClickHouse's
// own time-zone functions, for instants spread over three years in zones with summer
// time north and south, half- and quarter-hour offsets and a half-hour summer shift,
// and cycles starting on days that some months lack.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { periodsAt, type Periods } from '../../../dist/usage/index.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('usage-periods', { migrated: false })

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/Santiago',
]
const START_DAYS = [1, 15, 29, 31]

/** The cycle's first date in the month starting on date `m` (SQL). */
const cycleDay = (m: string): string =>
  `addDays(${m}, least({day:UInt8}, toDayOfMonth(toLastDayOfMonth(${m}))) - 1)`
/** Midnight of date `x` in the zone, unix seconds (SQL). */
const midnight = (x: string): string => `toUnixTimestamp(toDateTime(${x}, {tz:String}))`

/** The same periods in ClickHouse: local dates, Monday, the cycle's month, midnight. */
const ORACLE = `
WITH
  toDate(toDateTime(t, {tz:String})) AS d,
  toMonday(d) AS monday,
  toStartOfMonth(d) AS m0,
  if(d >= ${cycleDay('m0')}, m0, addMonths(m0, -1)) AS cm
SELECT t,
  ${midnight('d')} AS today_from, ${midnight('d + 1')} AS today_to,
  ${midnight('monday')} AS week_from, ${midnight('monday + 7')} AS week_to,
  ${midnight(cycleDay('cm'))} AS cycle_from,
  ${midnight(cycleDay('addMonths(cm, 1)'))} AS cycle_to,
  ${midnight(cycleDay('addMonths(cm, -1)'))} AS prev_from
FROM (SELECT arrayJoin({ts:Array(UInt32)}) AS t)
ORDER BY t`

void test('periods agree with ClickHouse in eight zones for four start days', async () => {
  // Every 61 h 7 min 13 s from 2030 to 2033 (all hours of the day and days of the week),
  // plus the seconds around midnight of the 1st, the 28th..31st and summer time changes.
  const ts: number[] = []
  for (let t = Date.UTC(2030, 0, 1) / 1000; t < Date.UTC(2033, 0, 1) / 1000; t += 219_973)
    ts.push(t)
  let compared = 0
  for (const tz of ZONES) {
    const edges: number[] = []
    for (const t of ts.slice(0, 200)) {
      const p = periodsAt(t, tz, 31)
      edges.push(p.today.from - 1, p.today.from, p.cycle.from - 1, p.cycle.from)
    }
    const all = [...new Set([...ts, ...edges])].sort((a, b) => a - b)
    for (const day of START_DAYS) {
      const rs = await ch.engine.client.query({
        query: ORACLE,
        query_params: { tz, day, ts: all },
        format: 'JSONEachRow',
      })
      const rows = await rs.json<Record<string, number>>()
      assert.equal(rows.length, all.length)
      for (const r of rows) {
        const t = Number(r['t'])
        const want: Periods = {
          today: { from: Number(r['today_from']), to: Number(r['today_to']) },
          week: { from: Number(r['week_from']), to: Number(r['week_to']) },
          cycle: { from: Number(r['cycle_from']), to: Number(r['cycle_to']) },
          previous_cycle: { from: Number(r['prev_from']), to: Number(r['cycle_from']) },
        }
        assert.deepEqual(
          periodsAt(t, tz, day),
          want,
          `${tz} day ${day} at ${new Date(t * 1000).toISOString()}`,
        )
        compared++
      }
    }
  }
  assert.ok(compared > 8 * 4 * 500, `${compared} instants compared`)
})
