// The reverse-DNS cache's next expiry, which its owner arms its one sweep timer for:
// never later than the earliest entry, exact again after a sweep, Infinity when empty.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TtlCache } from '../../../../dist/enrich/dns/ttl-cache.js'

void test('next expiry: the earliest entry, exact after each sweep, Infinity when empty', () => {
  const c = new TtlCache<string | null>(10)
  assert.equal(c.nextExpiry(), Infinity)
  c.set('a', 'a.test', 500)
  c.set('b', null, 200)
  assert.equal(c.nextExpiry(), 200)
  assert.deepEqual(c.sweep(300), [['b', null]])
  assert.equal(c.nextExpiry(), 500)
  // Stored again with a later expiry: the bound may stay early, never late...
  c.set('a', 'a.test', 900)
  assert.ok(c.nextExpiry() <= 900)
  // ...and a sweep that finds nothing due makes it exact.
  assert.deepEqual(c.sweep(600), [])
  assert.equal(c.nextExpiry(), 900)
  assert.deepEqual(c.sweep(900), [['a', 'a.test']])
  assert.equal(c.nextExpiry(), Infinity)
  c.set('c', 'c.test', 100)
  c.clear()
  assert.equal(c.nextExpiry(), Infinity)
})

void test('next expiry when the bound pushes the oldest entry out', () => {
  const c = new TtlCache<string>(1)
  c.set('a', 'a.test', 100)
  assert.deepEqual(c.set('b', 'b.test', 700), [['a', 'a.test']])
  assert.ok(c.nextExpiry() <= 700)
  assert.deepEqual(c.sweep(150), [])
  assert.equal(c.nextExpiry(), 700)
})
