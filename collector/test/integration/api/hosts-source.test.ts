// The views keyed by a remote address read flows_hosts_1m/_1h/_1d (schema/0007) on the
// embedded engine with a home network's flows: the table the answer names follows the
// window (whole minutes or 24 h: minutes; whole hours or 7 d: hours; 30 d: days), and
// the answer equals raw flows' (source=flows) row for row, names and internal flows
// included; 30-day views read flows_1d.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Hono } from 'hono'
import { useMigratedEngine } from '../../support/engine.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import { homeNetworkFlows, HOME_DEVICES } from '../../support/home-network.js'
import { createApi } from '../../../dist/api/index.js'

const ch = useMigratedEngine('hosts-source')
const NOW = Math.floor(Date.now() / 1000)
const MINUTE = Math.floor(NOW / 60) * 60
const HOUR = Math.floor(NOW / 3600) * 3600
// The fixture flows span the last 30 minutes: both windows hold all of them.
const MINUTES = { from: MINUTE - 3600, to: MINUTE + 60 }
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
  error?: string
}

let app: Hono | undefined
const api = async (): Promise<Hono> => {
  if (app) return app
  await insertFixtureFlows(ch.engine.client, homeNetworkFlows(), NOW)
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
  ]
  for (const [w, table] of [
    [MINUTES, 'flows_hosts_1m'],
    [HOURS, 'flows_hosts_1h'],
    [DAYS, 'flows_hosts_1d'],
  ] as const) {
    for (const q of queries) {
      const path = `/${q}&from=${w.from}&to=${w.to}`
      const auto = await get(path)
      const raw = await get(`${path}&source=flows`)
      assert.equal(auto.source, table, q)
      assert.equal(raw.source, 'flows', q)
      assert.deepEqual([auto.from, auto.to], [w.from, w.to], `${q}: an aligned window is kept`)
      assert.ok(raw.rows.length > 0, q)
      assert.deepEqual(auto.rows, raw.rows.map(toGrain(w.to, GRAINS[table] ?? 1)), q)
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
    ['-30d', 'flows_hosts_1d'],
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
