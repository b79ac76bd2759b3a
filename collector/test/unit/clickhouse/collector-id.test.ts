import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { ConfigError } from '../../../dist/config/index.js'
import { loadConfig } from '../../../dist/settings.js'
import { collectorId } from '../../../dist/clickhouse/collector-id.js'

void test('collector.id: from the environment or a flag, else this host name', () => {
  assert.equal(
    loadConfig({ flags: new Map(), env: { FLOWLOFT_COLLECTOR_ID: 'edge-a' } }).collector.id,
    'edge-a',
  )
  assert.equal(
    loadConfig({ flags: new Map([['collector-id', 'edge-b']]), env: {} }).collector.id,
    'edge-b',
  )
  assert.equal(loadConfig({ flags: new Map(), env: {} }).collector.id, collectorId('', hostname()))
  assert.equal(collectorId('', 'box 1.lan'), 'box-1.lan')
})

void test('collector.id: anything but a plain name is refused, naming the key', () => {
  for (const bad of ["a'b", 'a b', 'x'.repeat(65), 'café']) {
    assert.throws(
      () => loadConfig({ flags: new Map([['collector-id', bad]]), env: {} }),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith('collector.id must be'),
      bad,
    )
  }
})
