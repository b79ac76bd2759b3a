// The usage periods in the appliance's time zone, against dates worked out by hand
// (test/integration/usage/periods-clickhouse.test.ts checks many more against
// ClickHouse's own time-zone functions).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { periodsAt } from '../../../dist/usage/index.js'

const utc = (iso: string): number => Date.parse(iso) / 1000

void test('Berlin, cycles on the 15th: the week and the cycle cross into summer time', () => {
  // Wednesday 2031-03-19 10:30 CET (UTC+1); summer time (UTC+2) from 2031-03-30.
  const p = periodsAt(utc('2031-03-19T09:30:00Z'), 'Europe/Berlin', 15)
  assert.deepEqual(p, {
    today: { from: utc('2031-03-18T23:00:00Z'), to: utc('2031-03-19T23:00:00Z') },
    week: { from: utc('2031-03-16T23:00:00Z'), to: utc('2031-03-23T23:00:00Z') },
    cycle: { from: utc('2031-03-14T23:00:00Z'), to: utc('2031-04-14T22:00:00Z') },
    previous_cycle: { from: utc('2031-02-14T23:00:00Z'), to: utc('2031-03-14T23:00:00Z') },
  })
  // The day summer time begins has 23 hours.
  const dst = periodsAt(utc('2031-03-30T12:00:00Z'), 'Europe/Berlin', 15)
  assert.deepEqual(dst.today, {
    from: utc('2031-03-29T23:00:00Z'),
    to: utc('2031-03-30T22:00:00Z'),
  })
})

void test('a start day past the end of the month is its last day', () => {
  // 2031-03-05 in UTC: the cycle began on 28 February (no 31st) and ends on 31 March.
  const p = periodsAt(utc('2031-03-05T12:00:00Z'), 'UTC', 31)
  assert.deepEqual(p.cycle, { from: utc('2031-02-28T00:00:00Z'), to: utc('2031-03-31T00:00:00Z') })
  assert.deepEqual(p.previous_cycle, {
    from: utc('2031-01-31T00:00:00Z'),
    to: utc('2031-02-28T00:00:00Z'),
  })
  // 2032 is a leap year: the 29th.
  const leap = periodsAt(utc('2032-03-01T00:00:00Z'), 'UTC', 30)
  assert.deepEqual(leap.cycle, {
    from: utc('2032-02-29T00:00:00Z'),
    to: utc('2032-03-30T00:00:00Z'),
  })
})

void test('the first second of a cycle, a day and a week belongs to it; the last before does not', () => {
  const start = utc('2031-03-14T23:00:00Z')
  assert.equal(periodsAt(start, 'Europe/Berlin', 15).cycle.from, start)
  assert.equal(periodsAt(start - 1, 'Europe/Berlin', 15).cycle.to, start)
  // New York: a Monday starts at 04:00 UTC in summer time; Sunday 23:59:59 is last week.
  const monday = utc('2031-06-16T04:00:00Z')
  assert.equal(periodsAt(monday, 'America/New_York', 1).week.from, monday)
  assert.equal(periodsAt(monday - 1, 'America/New_York', 1).week.to, monday)
  assert.equal(periodsAt(monday - 1, 'America/New_York', 1).week.from, monday - 7 * 86400)
})

void test('a zone offset by half an hour: Kolkata', () => {
  const p = periodsAt(utc('2031-03-19T09:30:00Z'), 'Asia/Kolkata', 1)
  assert.deepEqual(p.today, { from: utc('2031-03-18T18:30:00Z'), to: utc('2031-03-19T18:30:00Z') })
  assert.deepEqual(p.cycle, { from: utc('2031-02-28T18:30:00Z'), to: utc('2031-03-31T18:30:00Z') })
})
