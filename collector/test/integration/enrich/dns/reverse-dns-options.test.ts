// The reverse-DNS component alone against a real dnsmasq: which addresses are looked up
// (lookup_local / lookup_remote, never multicast), ip_as_unknown, expiry handing the
// address back to the workers, and the queue bound counted as rate_limited.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createLogger } from '../../../../dist/observability/log.js'
import { Registry } from '../../../../dist/observability/metrics.js'
import { startBlackHoleDns, startDnsmasq } from '../../../support/dnsmasq.js'
import { eventually } from '../../../support/service.js'
import { requireTools } from '../../../support/tools.js'
import type { DnsConfig } from '../../../../dist/enrich/dns/config.js'
import { createReverseDns } from '../../../../dist/enrich/dns/reverse-dns.js'

const BASE: DnsConfig = {
  enabled: true,
  servers: [],
  timeoutMs: 300,
  tries: 1,
  ttlSeconds: 1,
  negativeTtlSeconds: 1,
  concurrency: 4,
  ratePerSecond: 100,
  maxEntries: 1000,
  lookupLocal: true,
  lookupRemote: false,
  ipAsUnknown: true,
}

/** Sum of a family's series, or of those with `label` as a label value. */
function series(metrics: Registry, name: string, label?: string): number {
  return metrics
    .read(name)
    .filter((s) => label === undefined || Object.values(s.labels).includes(label))
    .reduce((t, s) => t + s.value, 0)
}

/** Reverse DNS against a dnsmasq that knows 10.0.0.7, the names it publishes, its metrics. */
async function withDnsmasq(t: TestContext, config: Partial<DnsConfig>) {
  const dns = await startDnsmasq(['--ptr-record=7.0.0.10.in-addr.arpa,seven.lan.test'])
  t.after(() => dns.stop())
  const metrics = new Registry()
  const names: Array<[string, string | null]> = []
  const rdns = createReverseDns(
    { ...BASE, servers: [dns.server], ...config },
    {
      log: createLogger('error'),
      metrics,
      isLocal: () => false,
      onName: (addr, name) => names.push([addr, name]),
    },
  )
  rdns.start()
  t.after(() => rdns.stop())
  return { rdns, metrics, names }
}

void test('local addresses only, the IP as name when there is none, expiry forgets', async (t) => {
  if (!requireTools(t, 'dnsmasq')) return
  const { rdns, metrics, names } = await withDnsmasq(t, {})
  rdns.request(['10.0.0.7', '10.0.0.8', '198.51.100.9', '224.0.0.1', '10.0.0.7'], 2)
  await eventually(async () => Promise.resolve(names.length >= 2), 5000, 20)
  assert.deepEqual([...names].sort(), [
    ['10.0.0.7', 'seven.lan.test'],
    ['10.0.0.8', '10.0.0.8'], // NXDOMAIN, ip_as_unknown
  ])
  const lookups = 'flowloft_enrich_dns_lookups_total'
  assert.equal(series(metrics, lookups, 'ok'), 1)
  assert.equal(series(metrics, lookups, 'nxdomain'), 1)
  assert.equal(series(metrics, 'flowloft_enrich_dns_skipped_total', 'remote'), 1)
  assert.equal(series(metrics, 'flowloft_enrich_dns_skipped_total', 'not_unicast'), 1)
  assert.equal(series(metrics, 'flowloft_enrich_dns_unnamed_dropped_total'), 2)
  // Both expire after a second: the workers are told to forget them.
  await eventually(async () => Promise.resolve(names.length >= 4), 5000, 50)
  assert.deepEqual(names.slice(2).sort(), [
    ['10.0.0.7', null],
    ['10.0.0.8', null],
  ])
  assert.equal(rdns.size, 0)
  // Seen again once the cache is empty: looked up and forgotten again (the expiry sweep,
  // armed per entry, is armed anew).
  rdns.request(['10.0.0.7'])
  await eventually(async () => Promise.resolve(names.length >= 6), 5000, 50)
  assert.deepEqual(names.slice(4), [
    ['10.0.0.7', 'seven.lan.test'],
    ['10.0.0.7', null],
  ])
  assert.equal(rdns.size, 0)
})

void test('an empty cache arms no timer; an entry arms one sweep for its expiry', async (t) => {
  const hole = await startBlackHoleDns()
  t.after(() => hole.stop())
  const timeouts = t.mock.method(globalThis, 'setTimeout')
  const intervals = t.mock.method(globalThis, 'setInterval')
  const sweeps = (): number[] =>
    timeouts.mock.calls.map((c) => Number(c.arguments[1])).filter((ms) => ms > 1000)
  const rdns = createReverseDns(
    { ...BASE, servers: [hole.server], ratePerSecond: 1, concurrency: 1, lookupRemote: true },
    { log: createLogger('error'), metrics: new Registry(), isLocal: () => false, onName: () => {} },
  )
  rdns.start()
  t.after(() => rdns.stop())
  assert.deepEqual(sweeps(), [])
  assert.equal(intervals.mock.callCount(), 0)
  // Beyond the queue bound: cached as rate limited, asked again in a minute.
  rdns.request(Array.from({ length: 4100 }, (_, k) => `10.${k >> 8}.${k & 255}.1`))
  const armed = sweeps()
  assert.equal(armed.length, 1, `one sweep timer, not one per entry: ${armed.join(' ')}`)
  assert.ok((armed[0] ?? 0) > 59_000 && (armed[0] ?? 0) <= 60_000, `armed for ${armed[0]} ms`)
  assert.equal(intervals.mock.callCount(), 0)
})

void test('addresses beyond the queue bound are counted as rate_limited', async (t) => {
  const hole = await startBlackHoleDns()
  t.after(() => hole.stop())
  const metrics = new Registry()
  const rdns = createReverseDns(
    { ...BASE, servers: [hole.server], ratePerSecond: 1, concurrency: 1, lookupRemote: true },
    { log: createLogger('error'), metrics, isLocal: () => false, onName: () => undefined },
  )
  rdns.start()
  t.after(() => rdns.stop())
  const addrs = Array.from({ length: 4200 }, (_, k) => `10.${k >> 8}.${k & 255}.1`)
  rdns.request(addrs)
  // 4096 are queued (one of them is started at once); the rest are rate limited.
  assert.equal(series(metrics, 'flowloft_enrich_dns_lookups_total', 'rate_limited'), 4200 - 4096)
  assert.equal(series(metrics, 'flowloft_enrich_dns_pending'), 4096)
})

void test('failed lookups wait longer with each failure in a row; an answer resets it', async (t) => {
  if (!requireTools(t, 'dnsmasq')) return
  // No upstream: dnsmasq refuses addresses on the internet (an error) and answers its own
  // record.
  const { rdns, metrics, names } = await withDnsmasq(t, {
    negativeTtlSeconds: 200,
    concurrency: 1,
    lookupRemote: true,
    ipAsUnknown: false,
  })
  const wait = (): number => series(metrics, 'flowloft_enrich_dns_retry_seconds')
  const done = async (n: number): Promise<void> =>
    eventually(
      async () => Promise.resolve(series(metrics, 'flowloft_enrich_dns_lookups_total') >= n),
      5000,
      20,
    )
  assert.equal(wait(), 60)
  rdns.request(['8.8.8.8'])
  await done(1)
  assert.equal(series(metrics, 'flowloft_enrich_dns_lookups_total', 'error'), 1)
  assert.equal(wait(), 120)
  rdns.request(['1.1.1.1'])
  await done(2)
  assert.equal(wait(), 200) // 240, capped at negative_ttl_seconds
  rdns.request(['10.0.0.7'])
  await done(3)
  assert.deepEqual(names, [['10.0.0.7', 'seven.lan.test']])
  assert.equal(wait(), 60)
})
