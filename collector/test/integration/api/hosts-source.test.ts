// The views keyed by a remote address read flows_hosts_1m/_1h/_1d (schema/0007) on the
// embedded engine with a home network's flows: the table the answer names follows the
// window (whole minutes or 24 h: minutes; whole hours or 7 d: hours; 30 d: days), and
// the answer equals raw flows' (source=flows) row for row, names and internal flows
// included. Whole days come from flows_pairs_1d (schema/0010) when no protocol, service
// or app is asked for. A device's first/last seen comes from device_seen, a remote
// host's usage from the hosts' tables, both equal to SQL over raw flows; 30-day views
// read flows_1d.
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Hono } from 'hono'
import { useMigratedEngine } from '../../support/engine.js'
import { rollAhead } from '../../support/roll-ahead.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import { homeNetworkFlows, HOME_DEVICES } from '../../support/home-network.js'
import { createApi } from '../../../dist/api/index.js'
import { parseFilters } from '../../../dist/api/filters.js'
import { DEFAULT_RETENTION } from '../../../dist/api/source.js'
import { usageOf } from '../../../dist/api/usage.js'

const ch = useMigratedEngine('hosts-source')
const NOW = Math.floor(Date.now() / 1000)
const MINUTE = Math.floor(NOW / 60) * 60
const HOUR = Math.floor(NOW / 3600) * 3600
// The fixture flows span the last 30 minutes: each window holds all of them (MINUTES no
// whole hour, which the views that need no time per row would read from the hours).
const MINUTES = { from: MINUTE - 1860, to: MINUTE + 60 }
const HOURS = { from: HOUR - 3600, to: HOUR + 3600 }
const DAYS = { from: Math.floor(NOW / 86400) * 86400 - 86400, to: Math.ceil(NOW / 86400) * 86400 }

interface Answer {
  source: string
  sources: string[]
  from: number
  to: number
  rows: Record<string, unknown>[]
  in_bytes: number
  out_bytes: number
  first_seen: number | null
  last_seen: number | null
  usage: { period: string; in_bytes: number; out_bytes: number }[]
  bytes: { total: number[] }
  error?: string
}

let app: Hono | undefined
const api = async (): Promise<Hono> => {
  if (app) return app
  await insertFixtureFlows(ch.engine.client, homeNetworkFlows(), NOW)
  // The hours and days rolled, so each table answers at its own grain.
  await rollAhead(ch.engine.client)
  await ch.engine.prepareReader()
  app = createApi({ engine: ch.engine, metrics: new Registry(), log: ch.log, maxBodyBytes: 1024 })
  return app
}

async function get(path: string): Promise<Answer> {
  const r = await (await api()).request(path)
  const body = (await r.json()) as Answer
  assert.equal(r.status, 200, `${path}: ${body.error ?? ''}`)
  return body
}

/** The busiest remote address of the fixture, as raw flows answer. */
async function busiestRemote(): Promise<string> {
  const r = await get(`/api/remote?by=host&from=-1h&limit=1&source=flows`)
  const key = r.rows[0]?.['key']
  assert.equal(typeof key, 'string')
  return key as string
}

const GRAINS: Record<string, number> = {
  flows_hosts_1m: 60,
  flows_hosts_1h: 3600,
  flows_hosts_1d: 86400,
  flows_pairs_1d: 86400,
}

/**
 * A raw row's first and last seen as a rollup of `grain` seconds answers them: the start
 * of the grain of the first flow, the end of the grain of the last one (within the window).
 */
const toGrain =
  (to: number, grain: number) =>
  (r: Record<string, unknown>): Record<string, unknown> => {
    const [first, last] = [r['first_seen'], r['last_seen']]
    if (typeof first !== 'number' || typeof last !== 'number') return r
    const start = (t: number): number => Math.floor(t / grain) * grain
    return { ...r, first_seen: start(first), last_seen: Math.min(to, start(last) + grain) }
  }

void test('remote hosts, a remote host and a device talking to it: equal to raw', async () => {
  const remote = await busiestRemote()
  const tv = HOME_DEVICES.tv.addr
  const queries = [
    'api/remote?by=host&limit=50',
    `api/remote?by=host&limit=50&device=${tv}`,
    `api/remote?by=as&remote=${remote}`,
    `api/remote?by=country&remote=${remote}&device=${tv}`,
    `api/devices?remote=${remote}&limit=50`,
    'api/top?by=src_addr&limit=50',
    'api/top?by=dst_addr&direction=outbound&limit=50',
    `api/usage?remote=${remote}`,
    // What flows_pairs_1d does not keep: a service, a protocol.
    `api/remote?by=service&remote=${remote}`,
    'api/remote?by=host&limit=50&proto=udp',
    `api/timeseries?remote=${remote}&step=86400&service=https`,
  ]
  // Of the days, what needs no protocol, service or app reads the pairs.
  const perFlow = (q: string): boolean => /usage|service|proto/.test(q)
  for (const [w, table] of [
    [MINUTES, 'flows_hosts_1m'],
    [HOURS, 'flows_hosts_1h'],
    [DAYS, 'flows_hosts_1d'],
  ] as const) {
    for (const q of queries) {
      if (q.startsWith('api/timeseries') && w !== DAYS) continue
      const path = `/${q}&from=${w.from}&to=${w.to}`
      const auto = await get(path)
      const raw = await get(`${path}&source=flows`)
      const pairs = w === DAYS && !perFlow(q)
      assert.equal(auto.source, pairs ? 'flows_pairs_1d' : table, q)
      assert.equal(raw.source, 'flows', q)
      assert.deepEqual([auto.from, auto.to], [w.from, w.to], `${q}: an aligned window is kept`)
      if (q.startsWith('api/usage'))
        assert.deepEqual([auto.in_bytes, auto.out_bytes], [raw.in_bytes, raw.out_bytes], q)
      else if (q.startsWith('api/timeseries')) {
        assert.ok(
          raw.bytes.total.some((b) => b > 0),
          q,
        )
        assert.deepEqual(auto.bytes, raw.bytes, q)
      } else {
        assert.ok(raw.rows.length > 0, q)
        assert.deepEqual(auto.rows, raw.rows.map(toGrain(w.to, GRAINS[table] ?? 1)), q)
      }
    }
  }
  // Names come with the rows: the host names the flows carried.
  const hosts = await get(`/api/remote?by=host&from=${HOURS.from}&to=${HOURS.to}`)
  assert.ok(hosts.rows.some((r) => r['label'] !== ''))
  // Exporter and interface filters stay on raw flows (the hosts' tables keep neither).
  for (const f of ['exporter=192.168.1.1', 'interface=1']) {
    const r = await get(`/api/remote?by=host&${f}&from=${HOURS.from}&to=${HOURS.to}`)
    assert.equal(r.source, 'flows', f)
  }
  const forced = await (await api()).request(`/api/remote?by=host&source=flows_1h`)
  assert.equal(forced.status, 400)
  // The pairs keep no service, protocol or app: asked for one, forcing them is refused.
  for (const q of ['by=service', 'by=host&proto=udp', 'by=app', 'by=host&exporter=192.168.1.1']) {
    const r = await (await api()).request(`/api/remote?${q}&source=flows_pairs_1d`)
    assert.equal(r.status, 400, q)
  }
})

void test('the console windows: 24 h, 7 d and 30 d of remote hosts; 30 d of devices', async () => {
  const tables: [string, string][] = []
  for (const from of ['-24h', '-7d', '-30d']) {
    const r = await get(`/api/remote?by=host&from=${from}`)
    const raw = await get(`/api/remote?by=host&from=${r.from}&to=${r.to}&source=flows`)
    assert.deepEqual(r.rows, raw.rows, `${from}: the widened window's raw answer`)
    tables.push([from, r.source])
  }
  assert.deepEqual(tables, [
    ['-24h', 'flows_hosts_1m'],
    ['-7d', 'flows_hosts_1h'],
    ['-30d', 'flows_pairs_1d'],
  ])
  const devices = await get('/api/devices?from=-30d')
  assert.equal(devices.source, 'flows_1d')
  assert.equal((devices.from % 86400) + (devices.to % 86400), 0)
  const raw = await get(`/api/devices?from=${devices.from}&to=${devices.to}&source=flows`)
  // flows_1d names only the sender of an internal flow: devices outside it read the same.
  for (const d of [HOME_DEVICES.tv, HOME_DEVICES.phone]) {
    const a = raw.rows.find((r) => r['device'] === d.addr)
    const b = devices.rows.find((r) => r['device'] === d.addr)
    assert.deepEqual([b?.['in_bytes'], b?.['out_bytes']], [a?.['in_bytes'], a?.['out_bytes']])
  }
})

void test('first and last seen: a device from device_seen, a remote host from its tables', async () => {
  await api()
  const seen = async (where: string): Promise<[number, number]> => {
    const [r] = await ch.rows<{ first: number; last: number }>(
      `SELECT toUnixTimestamp(min(toStartOfMinute(time_received))) AS first,
         toUnixTimestamp(max(toStartOfMinute(time_received))) AS last
       FROM flowloft.flows WHERE ${where}`,
    )
    return [Number(r?.first), Number(r?.last) + 60]
  }
  // The end of the last minute, capped at the answer's now (between NOW and the call).
  const within = (got: number | null, end: number): void =>
    assert.ok(got !== null && got <= end && got >= Math.min(NOW, end), `${got} vs ${end}`)

  const tv = HOME_DEVICES.tv.addr
  const u = await get(`/api/usage?device=${tv}&from=-24h`)
  assert.ok(u.sources.includes('device_seen'), u.sources.join())
  // device_seen keeps the rollups' local side: the sender of an internal flow.
  const [first, last] = await seen(
    `multiIf(direction = 'inbound', dst_addr, direction IN ('outbound', 'internal'), src_addr, toIPv6('::')) = toIPv6('${tv}')`,
  )
  assert.equal(u.first_seen, first)
  within(u.last_seen, last)

  const remote = await busiestRemote()
  const r = await get(`/api/usage?remote=${remote}&from=-24h`)
  assert.deepEqual(r.sources, ['flows_pairs_1d', 'flows_hosts_1h', 'flows_hosts_1m'])
  const [rf, rl] = await seen(`toIPv6('${remote}') IN (src_addr, dst_addr)`)
  assert.equal(r.first_seen, rf)
  within(r.last_seen, rl)
  const [sums] = await ch.rows<{ i: number; o: number }>(
    `SELECT sumIf(bytes, dst_addr = toIPv6('${remote}')) AS o, sumIf(bytes, src_addr = toIPv6('${remote}')) AS i
     FROM flowloft.flows WHERE direction IN ('inbound', 'outbound', 'internal')`,
  )
  // Bytes the devices received from it (in) and sent to it (out), every period.
  for (const p of r.usage)
    assert.deepEqual([p.in_bytes, p.out_bytes], [Number(sums?.i), Number(sums?.o)], p.period)
})

void test('7 and 30 days: whole days from the days, the edges from the hours', async () => {
  await api()
  // One device talking to one remote host over two weeks (raw flows keep 15 days).
  const ages = [
    2 * 3600,
    29 * 3600,
    6 * 86400 + 22 * 3600 + 1800,
    7 * 86400 + 1200,
    8 * 86400,
    14 * 86400,
  ]
  const device = '192.168.1.77'
  const remote = '192.0.2.199'
  await ch.engine.client.command({
    query: `INSERT INTO flowloft.flows (time_received, direction, proto, src_addr, dst_addr, src_port, dst_port, bytes, packets)
      SELECT toDateTime(${NOW} - age), 'outbound', 6, toIPv6('${device}'), toIPv6('${remote}'), 40000, 443, bytes, 1
      FROM (SELECT arrayJoin(arrayZip([${ages.join(', ')}], [1, 10, 100, 1000, 10000, 100000])) AS a,
        a.1 AS age, a.2 AS bytes)`,
    // A token of its own: the session keeps the fixture insert's, and the partitions this
    // insert shares with it would be dropped as its duplicates (fixture-flows.ts).
    clickhouse_settings: { insert_deduplication_token: randomUUID() },
  })
  // As the hours count them: a flow is in a period when its hour starts in it; the last
  // day to the minute.
  const want = (days: number): number =>
    ages
      .map((age, i): [number, number] => [NOW - age, 10 ** i])
      .filter(([t]) =>
        days === 1
          ? Math.floor(t / 60) * 60 >= NOW - 86400
          : Math.floor(t / 3600) * 3600 >= NOW - days * 86400,
      )
      .reduce((s, [, b]) => s + b, 0)
  for (const q of [`device=${device}`, `remote=${remote}`, `remote=${remote}&device=${device}`]) {
    const u = await get(`/api/usage?${q}&from=-1h`)
    assert.deepEqual(
      u.usage.map((p) => [p.period, p.out_bytes]),
      [
        ['24h', want(1)],
        ['7d', want(7)],
        ['30d', want(30)],
      ],
      q,
    )
    // To the minute from device_seen; else to the hour, the minutes being gone by then.
    const grain = q.startsWith('device') ? 60 : 3600
    assert.equal(u.first_seen, Math.floor((NOW - 14 * 86400) / grain) * grain, q)
  }
})

void test('last seen in and after the last minute of an hour: to the minute', async () => {
  await api()
  // A remote host's one flow in the 58th minute of an hour two hours ago, asked 20 s
  // before that hour ends (the minute after it, once read as a whole hour) and after it
  // (the hour then whole, read from the hours, made exact to the minute).
  const hour = HOUR - 2 * 3600
  const remote = '192.0.2.201'
  await ch.engine.client.command({
    query: `INSERT INTO flowloft.flows (time_received, direction, proto, src_addr, dst_addr, src_port, dst_port, bytes, packets)
      VALUES (toDateTime(${hour + 58 * 60 + 10}), 'outbound', 6, toIPv6('192.168.1.78'), toIPv6('${remote}'), 40000, 443, 7, 1)`,
    clickhouse_settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
  })
  const f = parseFilters((k) => (k === 'remote' ? remote : undefined))
  for (const [now, last] of [
    [hour + 59 * 60 + 40, hour + 59 * 60],
    [hour + 3600 + 600, hour + 59 * 60],
  ] as const) {
    const u = await usageOf(ch.engine, f, DEFAULT_RETENTION, now)
    assert.deepEqual(
      [u.first_seen, u.last_seen],
      [hour + 58 * 60, last],
      `now = hour + ${now - hour} s`,
    )
    assert.deepEqual(
      u.usage.map((p) => p.in_bytes + p.out_bytes),
      [7, 7, 7],
      `now = hour + ${now - hour} s`,
    )
  }
})
