// /api/top and /api/timeseries pick their table (source.ts) on the embedded engine with
// fixture flows: on windows of whole minutes or hours a rollup answers, and its answer
// equals the raw table's; long windows go to flows_1h; what the rollups lack stays raw.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useMigratedEngine } from '../../support/engine.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { fixtureFlows, insertFixtureFlows } from '../../support/fixture-flows.js'
import { createApi } from '../../../dist/api/index.js'
import { chooseSource, DEFAULT_RETENTION, finestStep } from '../../../dist/api/source.js'
import type { TopRow } from '../../../dist/api/top.js'
import type { Hono } from 'hono'

const ch = useMigratedEngine('top-source')
const NOW = Math.floor(Date.now() / 1000)
const MINUTE = Math.floor(NOW / 60) * 60
const HOUR = Math.floor(NOW / 3600) * 3600
// The fixture flows span the last 30 minutes: both windows hold all of them.
const MINUTES = { from: MINUTE - 3600, to: MINUTE + 60 }
const HOURS = { from: HOUR - 3600, to: HOUR + 3600 }

interface Top {
  source: string
  from: number
  to: number
  rows: TopRow[]
}
interface Series {
  source: string
  from: number
  step: number
  t: number[]
  bytes: Record<string, number[]>
  packets: Record<string, number[]>
}

let app: Hono | undefined
const api = async (): Promise<Hono> => {
  if (app) return app
  await insertFixtureFlows(ch.engine.client, fixtureFlows(), NOW)
  await ch.engine.prepareReader()
  app = createApi({ engine: ch.engine, metrics: new Registry(), log: ch.log, maxBodyBytes: 1024 })
  return app
}

async function get<T>(path: string): Promise<T> {
  const r = await (await api()).request(path)
  const body = (await r.json()) as T & { error?: string }
  assert.equal(r.status, 200, `${path}: ${body.error ?? ''}`)
  return body
}

const total = (rows: TopRow[]): number => rows.reduce((s, r) => s + r.bytes, 0)
const allBytes = fixtureFlows().reduce((s, f) => s + f.bytes, 0)

// Each dimension the rollups hold, with the direction filter it needs.
const ROLLED = [
  'by=src_country',
  'by=dst_country',
  'by=src_as&direction=inbound',
  'by=dst_as',
  'by=proto',
  'by=in_if',
  'by=out_if',
  'by=exporter',
  'by=local_addr',
  'by=service_port',
  'by=src_addr&direction=outbound',
  'by=dst_addr&direction=inbound',
]

void test('on whole minutes flows_1m answers, on whole hours flows_1h: equal to raw', async () => {
  for (const [w, table] of [
    [MINUTES, 'flows_1m'],
    [HOURS, 'flows_1h'],
  ] as const) {
    for (const q of ROLLED) {
      const path = `/api/top?${q}&from=${w.from}&to=${w.to}&limit=20`
      const auto = await get<Top>(path)
      const raw = await get<Top>(`${path}&source=flows`)
      assert.equal(auto.source, table, q)
      assert.equal(raw.source, 'flows', q)
      assert.ok(raw.rows.length > 0, q)
      assert.deepEqual(auto.rows, raw.rows, `${q} on ${table}`)
      assert.deepEqual([auto.from, auto.to], [w.from, w.to], 'an aligned window is kept')
    }
  }
  // Names the rollups do not keep come from their own tables.
  const ases = await get<Top>(
    `/api/top?by=src_as&direction=inbound&from=${HOURS.from}&to=${HOURS.to}`,
  )
  assert.deepEqual(ases.rows[0]?.label, 'EXAMPLE-CDN')
  const protos = await get<Top>(`/api/top?by=proto&from=${MINUTES.from}&to=${MINUTES.to}`)
  assert.deepEqual(
    protos.rows.map((r) => r.key),
    ['TCP', 'UDP'],
  )
})

void test('what the rollups do not hold is read from raw flows', async () => {
  for (const q of ['by=src_host', 'by=dst_host', 'by=dst_port', 'by=src_port']) {
    const r = await get<Top>(`/api/top?${q}&from=${HOURS.from}&to=${HOURS.to}`)
    assert.equal(r.source, 'flows', q)
    assert.ok(r.rows.length > 0, q)
  }
  const forced = await (await api()).request(`/api/top?by=dst_host&source=flows_1h`)
  assert.equal(forced.status, 400)
  const bad = await (await api()).request(`/api/top?by=proto&source=flows_5m`)
  assert.equal(bad.status, 400)
})

void test('short unaligned windows read raw; 24 hours flows_1m; 7 days the hours', async () => {
  // An hour less a second: never on whole minutes (from=-1h is, when now is).
  const hour = await get<Top>(`/api/top?by=proto&from=-3599s`)
  assert.equal(hour.source, 'flows')
  const day = await get<Top>(`/api/top?by=proto&from=-24h`)
  assert.equal(day.source, 'flows_1m')
  assert.equal(day.from % 60, 0)
  const week = await get<Top>(`/api/top?by=dst_as&from=-7d`)
  assert.equal(week.source, 'flows_1h')
  assert.equal(week.from % 3600, 0)
  assert.equal(week.to % 3600, 0)
  assert.ok(week.to >= NOW && week.to - week.from >= 7 * 86400)
  assert.equal(total(week.rows), allBytes)
  assert.deepEqual(week.rows, (await get<Top>(`/api/top?by=dst_as&from=-7d&source=flows`)).rows)

  // The whole network's hours: device_traffic_1h, flows_1h's sums (device-source.test).
  const series = await get<Series>(`/api/timeseries?from=-7d`)
  assert.equal(series.source, 'device_traffic_1h')
  assert.equal(series.step % 3600, 0)
  assert.equal(
    (series.bytes['total'] ?? []).reduce((s, v) => s + v, 0),
    allBytes,
  )
})

void test('time series: per minute on flows_1m equals raw, step by step', async () => {
  const path = `/api/timeseries?from=${MINUTES.from}&to=${MINUTES.to}&step=60`
  const auto = await get<Series>(path)
  const raw = await get<Series>(`${path}&source=flows`)
  assert.equal(auto.source, 'flows_1m')
  assert.equal(raw.source, 'flows')
  assert.deepEqual(auto.t, raw.t)
  assert.deepEqual(auto.bytes, raw.bytes)
  assert.deepEqual(auto.packets, raw.packets)
  assert.equal(
    (auto.bytes['inbound'] ?? []).filter((v) => v > 0).length,
    30,
    'one inbound step per fixture minute',
  )
  // A step that is not whole minutes cannot come from the minute rollup.
  const odd = await get<Series>(`/api/timeseries?from=${MINUTES.from}&to=${MINUTES.to}&step=30`)
  assert.equal(odd.source, 'flows')
})

void test('the choice follows retention: beyond raw flows, the rollup that still has it', () => {
  const now = HOUR + 1234
  const choose = (from: number, to: number, step?: number): string =>
    chooseSource({
      window: { from, to },
      rollup: true,
      retention: DEFAULT_RETENTION,
      now,
      ...(step === undefined ? {} : { step }),
    }).source
  // One unaligned day, 20 days ago: raw flows (15 days) and flows_1m (7) are gone.
  assert.equal(choose(now - 20 * 86400, now - 19 * 86400), 'flows_1h')
  // One unaligned day, 10 days ago: raw flows still have it, flows_1m does not.
  assert.equal(choose(now - 10 * 86400, now - 9 * 86400), 'flows')
  // Two unaligned days within the week: widened to minutes.
  assert.equal(choose(now - 2 * 86400, now), 'flows_1m')
  // A whole hour is served by flows_1h exactly, but not with a one-minute step.
  assert.equal(choose(HOUR - 3600, HOUR), 'flows_1h')
  assert.equal(choose(HOUR - 3600, HOUR, 60), 'flows_1m')
  assert.equal(choose(HOUR - 3600, HOUR, 10), 'flows')
  const narrow = chooseSource({
    window: { from: now - 600, to: now },
    rollup: false,
    retention: DEFAULT_RETENTION,
    now,
  })
  assert.deepEqual(narrow, { source: 'flows', from: now - 600, to: now })
  // An approximate rollup is not taken because the edges fall on whole hours or minutes,
  // only for a window that must be widened anyway, or one raw flows no longer reach.
  const approx = (from: number, to: number): string =>
    chooseSource({
      window: { from, to },
      rollup: true,
      approximate: true,
      retention: DEFAULT_RETENTION,
      now,
    }).source
  assert.equal(approx(HOUR - 3600, HOUR), 'flows')
  assert.equal(approx(now - 2 * 86400, now), 'flows_1m')
  assert.equal(approx(now - 20 * 86400, now - 19 * 86400), 'flows_1h')
})

void test('steps are never finer than the data kept for the window', async () => {
  const now = HOUR + 1234
  const finest = (from: number, to: number): number =>
    finestStep({ from, to }, DEFAULT_RETENTION, now)
  assert.equal(finest(now - 3600, now), 1)
  assert.equal(finest(now - 10 * 86400, now - 9 * 86400), 1)
  // Raw flows gone, minutes kept: minutes; minutes gone too: hours.
  assert.equal(finest(now - 16 * 86400, now - 15.9 * 86400), 3600)
  const short = { ...DEFAULT_RETENTION, rawDays: 1 }
  assert.equal(finestStep({ from: now - 3 * 86400, to: now }, short, now), 60)
  assert.equal(finestStep({ from: now - 8 * 86400, to: now }, short, now), 3600)
  // Asked per minute over a window only flows_1h still has: per hour.
  const old = HOUR - 20 * 86400 + 600
  const s = await get<Series>(`/api/timeseries?from=${old}&to=${old + 3 * 3600}&step=60`)
  assert.equal(s.source, 'device_traffic_1h')
  assert.equal(s.step, 3600)
  assert.equal(s.t.length, 4)
})
