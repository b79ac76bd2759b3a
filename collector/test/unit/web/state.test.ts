// The console's live ranges (web/state.js): a length turned into a range and read back
// from the URL is the same length, up to the longest range (400 days), also past what
// five digits of minutes hold (a fixed range of 70 days made live).
import { test } from 'node:test'
import assert from 'node:assert/strict'

// A plain JavaScript module of the console, without types of its own.
const STATE: string = '../../../dist/web/state.js'
const state = (await import(STATE)) as {
  rangeOf(seconds: number): string
  rangeSeconds(range: string): number | undefined
}

void test('a length made a range reads back as that length', () => {
  const DAY = 86400
  for (const [seconds, range] of [
    [3600, '1h'],
    [720, '12m'],
    [100, '5m'],
    [90 * 60, '90m'],
    [69 * DAY, '99360m'],
    [70 * DAY, '1680h'],
    [399 * DAY + 1234, '9576h'],
    [500 * DAY, '9600h'],
  ] as const) {
    assert.equal(state.rangeOf(seconds), range, String(seconds))
    const back = state.rangeSeconds(range)
    assert.ok(back !== undefined, range)
    assert.ok(Math.abs(back - Math.min(400 * DAY, Math.max(300, seconds))) < 3600, range)
  }
})
