// The summaries' windows on the local wall clock (summaries/config.ts): every boundary
// is at a whole multiple of the window on the wall clock, and each window starts at the
// boundary before its end, so the windows tile time with no overlap and no gap, also
// over the days of a clock change (23 and 25 hours; Europe, North America and Australia
// change within the weeks checked). `npm test` runs it again in
// Europe/Berlin, where 2026-03-29 and 2026-10-25 have such changes; there the day
// windows of those days are checked by their UTC instants too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lastBoundary, windowStart } from '../../../dist/summaries/config.js'

const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone
const wall = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})
/** Minutes into the local day, from the zone's own rules (not Date's local methods). */
const intoDay = (t: number): number => {
  const [h, m] = wall
    .format(new Date(t * 1000))
    .split(':')
    .map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}
const utc = (text: string): number => Date.parse(text) / 1000
const iso = (t: number): string => new Date(t * 1000).toISOString()

/** Every boundary of a window met between two instants, minute by minute. */
function boundaries(minutes: number, from: number, to: number): number[] {
  const seen = new Set<number>()
  for (let t = from; t < to; t += 60) seen.add(lastBoundary(minutes, t * 1000))
  return [...seen].sort((a, b) => a - b)
}

void test('windows tile the wall clock across the clock changes', () => {
  for (const [from, to] of [
    [utc('2026-03-05T00:00Z'), utc('2026-04-08T00:00Z')],
    [utc('2026-09-30T00:00Z'), utc('2026-11-04T00:00Z')],
  ] as const) {
    for (const minutes of [5, 20, 60, 480, 1440]) {
      const bs = boundaries(minutes, from, to)
      assert.ok(bs.length >= 2, `${minutes}`)
      for (const b of bs) {
        // At a multiple, or where the clock jumped over one (Havana skips a midnight).
        const jumped = (intoDay(b) - intoDay(b - 60) + 1440) % 1440 !== 1
        if (!jumped) assert.equal(intoDay(b) % minutes, 0, `${minutes}: ${iso(b)} (${ZONE})`)
      }
      for (let k = 1; k < bs.length; k++)
        assert.equal(
          windowStart(minutes, bs[k] ?? 0),
          bs[k - 1],
          `${minutes}: the window ending ${iso(bs[k] ?? 0)} (${ZONE})`,
        )
    }
  }
  // An end that is no boundary: the window's minutes before it.
  const odd = utc('2026-03-29T10:07Z')
  assert.equal(windowStart(60, odd), odd - 3600)
})

void test(
  "Berlin's days of a clock change are 23 and 25 hours",
  { skip: ZONE !== 'Europe/Berlin' },
  () => {
    // 10:00 on the spring day: its midnight was still winter time.
    assert.equal(lastBoundary(1440, utc('2026-03-29T08:00Z') * 1000), utc('2026-03-28T23:00Z'))
    assert.equal(windowStart(1440, utc('2026-03-29T22:00Z')), utc('2026-03-28T23:00Z'))
    // 08:00 on the autumn day: its midnight was summer time.
    assert.equal(lastBoundary(1440, utc('2026-10-25T07:00Z') * 1000), utc('2026-10-24T22:00Z'))
    assert.equal(windowStart(1440, utc('2026-10-25T23:00Z')), utc('2026-10-24T22:00Z'))
    assert.equal(windowStart(480, utc('2026-03-29T06:00Z')), utc('2026-03-28T23:00Z'))
  },
)
