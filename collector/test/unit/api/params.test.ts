// The API's instants: unix seconds, offsets from now, and ISO 8601 read as UTC unless
// the string gives its offset, whatever the machine's time zone (`npm test` runs this
// again in Europe/Berlin, where `Date.parse` reads a bare date-time as local).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HTTPException } from 'hono/http-exception'
import { parseInstant } from '../../../dist/api/params.js'

const NOW = 1_765_000_000
const at = (v: string): number => parseInstant('from', v, NOW)
const utc = (...p: [number, number, number, number?, number?, number?]): number =>
  Date.UTC(p[0], p[1] - 1, p[2], p[3] ?? 0, p[4] ?? 0, p[5] ?? 0) / 1000

void test('an ISO date-time without an offset is UTC in any zone', () => {
  for (const v of [
    '2026-12-04',
    '2026-12-04T00:00',
    '2026-12-04 00:00:00',
    '2026-12-04T00:00:00.000',
  ])
    assert.equal(at(v), utc(2026, 12, 4), `${v} (TZ=${process.env['TZ'] ?? ''})`)
  assert.equal(at('2026-03-29T01:30:15'), utc(2026, 3, 29, 1, 30, 15))
  assert.equal(at('2026-12-04T06:13:20Z'), utc(2026, 12, 4, 6, 13, 20))
  assert.equal(at('2026-12-04t06:13:20z'), utc(2026, 12, 4, 6, 13, 20))
})

void test('an ISO date-time with an offset keeps it', () => {
  assert.equal(at('2026-12-04T05:30+05:30'), utc(2026, 12, 4))
  assert.equal(at('2026-12-04T05:30:00+0530'), utc(2026, 12, 4))
  assert.equal(at('2026-12-03 19:00:00-05:00'), utc(2026, 12, 4))
})

void test('unix seconds, now and offsets from now', () => {
  assert.equal(at('1718000000'), 1_718_000_000)
  assert.equal(at('1718000000.9'), 1_718_000_000)
  assert.equal(at(' now '), NOW)
  assert.equal(at('-1h'), NOW - 3600)
  assert.equal(at('now-15m'), NOW - 900)
})

void test('anything else is a 400 naming the parameter', () => {
  for (const v of [
    'yesterday',
    '2026-12-04T25:00',
    '2026-13-01',
    '2026-12-04T00:00 UTC',
    '12/04/2026',
    '',
  ]) {
    assert.throws(
      () => at(v),
      (e: unknown) =>
        e instanceof HTTPException &&
        e.status === 400 &&
        /^from must be unix seconds/.test(e.message),
      v,
    )
  }
})
