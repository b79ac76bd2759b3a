// The listeners' source check, address and prefix spellings, calendar buckets and the
// `senders` settings: IPv4-mapped sources compare as IPv4, disabled senders are refused,
// refusals are counted per listener (no label per address), secrets never printed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { printable } from '../../../dist/config/index.js'
import { loadValues, toConfig } from '../../../dist/settings.js'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { canonicalPrefix, canonicalSender, prefixBounds } from '../../../dist/senders/address.js'
import { createSenderFilter } from '../../../dist/senders/filter.js'
import { senderMetrics } from '../../../dist/senders/metrics.js'
import { buckets, bucketStart, nextBucket } from '../../../dist/senders/periods.js'
import type { Sender } from '../../../dist/senders/fields.js'

const sender = (address: string, enabled = true): Sender => ({
  address,
  name: '',
  prefixes: [],
  enabled,
  created: '',
  updated: '',
})

void test('source check: registered and enabled only, any spelling, counted per listener', () => {
  const metrics = new Registry()
  const lines: string[] = []
  const m = senderMetrics(metrics, () => 0, true)
  const f = createSenderFilter(
    m,
    createLogger('warn', {}, (l) => lines.push(l)),
  )
  f.reload([sender('192.0.2.10'), sender('2001:db8::1'), sender('192.0.2.11', false)])
  assert.equal(f.accept('192.0.2.10', 'netflow'), true)
  assert.equal(
    f.accept('::ffff:192.0.2.10', 'netflow'),
    true,
    'IPv4-mapped source on a udp6 socket',
  )
  assert.equal(f.accept('2001:0db8:0:0:0:0:0:1', 'ipfix'), true)
  assert.equal(f.accept('192.0.2.11', 'netflow'), false, 'disabled')
  assert.equal(f.accept('192.0.2.12', 'netflow'), false)
  assert.equal(f.accept('192.0.2.12', 'netflow'), false)
  assert.equal(f.accept('2001:db8::2', 'sflow'), false)
  assert.equal(m.rejected.get({ listener: 'netflow' }), 3)
  assert.equal(m.rejected.get({ listener: 'sflow' }), 1)
  const text = metrics.render()
  assert.match(text, /flowloft_senders_rejected_datagrams_total\{listener="netflow"\} 3/)
  assert.doesNotMatch(text, /192\.0\.2\.12/, 'no series per address')
  // The log names the address, once per listener per interval.
  const rejectedLines = lines.filter((l) => l.includes('not registered'))
  assert.equal(rejectedLines.length, 2)
  assert.match(rejectedLines[0] ?? '', /"address":"192\.0\.2\.11"/)

  // A change takes effect at once (the per-source cache is dropped).
  f.reload([sender('192.0.2.12')])
  assert.equal(f.accept('192.0.2.12', 'netflow'), true)
  assert.equal(f.accept('192.0.2.10', 'netflow'), false)
})

void test('addresses and prefixes: one spelling, bounds for IPv6 columns', () => {
  assert.equal(canonicalSender(' ::ffff:10.1.2.3 '), '10.1.2.3')
  assert.equal(canonicalSender('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1')
  assert.equal(canonicalSender('fe80::1%eth0'), 'fe80::1')
  assert.equal(canonicalSender('10.1.2'), null)
  assert.equal(canonicalPrefix('10.1.2.3/8'), '10.0.0.0/8')
  assert.equal(canonicalPrefix('::ffff:10.0.0.0/104'), '10.0.0.0/8')
  assert.equal(canonicalPrefix('2001:db8:1:2::/48'), '2001:db8:1::/48')
  assert.equal(canonicalPrefix('192.0.2.1'), '192.0.2.1/32')
  assert.equal(canonicalPrefix('10.0.0.0/33'), null)
  assert.deepEqual(prefixBounds('192.168.1.0/24'), {
    lo: '::ffff:192.168.1.0',
    hi: '::ffff:192.168.1.255',
  })
  assert.deepEqual(prefixBounds('2001:db8:1::/48'), {
    lo: '2001:db8:1::',
    hi: '2001:db8:1:ffff:ffff:ffff:ffff:ffff',
  })
  assert.deepEqual(prefixBounds('::/80'), { lo: '::', hi: '::ffff:255.255.255.255' })
})

void test('calendar buckets in UTC: months and years of their own lengths', () => {
  const at = (s: string): number => Date.parse(s) / 1000
  assert.equal(bucketStart('minute', at('2024-02-29T23:59:59Z')), at('2024-02-29T23:59:00Z'))
  assert.equal(bucketStart('day', at('2024-02-29T23:59:59Z')), at('2024-02-29T00:00:00Z'))
  assert.equal(bucketStart('month', at('2024-02-29T23:59:59Z')), at('2024-02-01T00:00:00Z'))
  assert.equal(nextBucket('month', at('2024-02-01T00:00:00Z')), at('2024-03-01T00:00:00Z'))
  assert.equal(nextBucket('month', at('2024-12-01T00:00:00Z')), at('2025-01-01T00:00:00Z'))
  assert.equal(nextBucket('year', at('2024-01-01T00:00:00Z')), at('2025-01-01T00:00:00Z'))
  assert.deepEqual(buckets('month', at('2024-11-15T00:00:00Z'), at('2025-01-02T00:00:00Z'), 10), [
    at('2024-11-01T00:00:00Z'),
    at('2024-12-01T00:00:00Z'),
    at('2025-01-01T00:00:00Z'),
  ])
  assert.equal(buckets('hour', 0, 86400, 23), null, 'more buckets than allowed')
  assert.equal(buckets('hour', 0, 86400, 24)?.length, 24)
})

void test('settings: seed checked naming the entry, secrets masked however they look', () => {
  const load = (env: Record<string, string>): ReturnType<typeof toConfig> =>
    toConfig(loadValues({ flags: new Map(), env }))
  const c = load({
    FLOWLOFT_SENDERS_AUTHORIZED_ONLY: 'true',
    FLOWLOFT_SENDERS_SEED: '{"::ffff:192.0.2.1": {"name": "edge", "prefixes": ["10.1.0.0/16"]}}',
  })
  assert.equal(c.senders.authorizedOnly, true)
  assert.deepEqual(c.senders.seed, [
    { address: '192.0.2.1', name: 'edge', prefixes: ['10.1.0.0/16'] },
  ])
  assert.throws(
    () => load({ FLOWLOFT_SENDERS_SEED: '{"192.0.2.1": {"prefixes": ["10.1.0.0/99"]}}' }),
    /senders\.seed\.192\.0\.2\.1\.prefixes\[0\] is not a CIDR.*FLOWLOFT_SENDERS_SEED/,
  )
  assert.throws(
    () => load({ FLOWLOFT_SENDERS_SEED: '{"router1": {}}' }),
    /senders\.seed\.router1 must be an IPv4 or IPv6 address/,
  )
  assert.throws(
    () => load({ FLOWLOFT_SENDERS_SEED: '{"192.0.2.1": {"secret": 1}}' }),
    /unknown field senders\.seed\.192\.0\.2\.1\.secret/,
  )
  const key = 'user:hunter2@example' // parses as a URL: must still be masked whole
  const values = loadValues({
    flags: new Map(),
    env: { FLOWLOFT_API_HMAC_KEY: key, FLOWLOFT_API_BEARER_TOKEN: 'tok-3141' },
  })
  const text = printable(values)
  assert.match(text, /api\.hmac_key: "\*\*\*"/)
  assert.match(text, /api\.bearer_token: "\*\*\*"/)
  assert.doesNotMatch(text, /hunter2|tok-3141/)
})
