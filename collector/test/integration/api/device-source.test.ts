// One device's traffic chart and usage, and the whole network's chart, read
// device_traffic_1h (schema/0009) where flows_1h or flows_1d would answer: the answer
// names it, and its numbers equal SQL over raw flows (a rollup's device is the sender of
// an internal flow, so the oracle counts an internal flow for its sender only) and the
// answers from flows_1h and, where that rule does not matter, from raw flows
// (source=flows). Flows of a home network now,
// 3 hours and 3 days ago (so the 24 h usage has whole hours, and 7 d and 30 d days).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Hono } from 'hono'
import { useMigratedEngine } from '../../support/engine.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import { homeNetworkFlows, HOME_DEVICES } from '../../support/home-network.js'
import { createApi } from '../../../dist/api/index.js'

const ch = useMigratedEngine('device-source')
const NOW = Math.floor(Date.now() / 1000)
const DEVICES = [...Object.values(HOME_DEVICES).map((d) => d.addr), '192.168.1.2']

interface Answer {
  source: string
  sources: string[]
  t: number[]
  bytes: Record<string, number[]>
  packets: Record<string, number[]>
  in_bytes: number
  out_bytes: number
  usage: { period: string; in_bytes: number; out_bytes: number }[]
  error?: string
}

let app: Hono | undefined
const api = async (): Promise<Hono> => {
  if (app) return app
  for (const ago of [0, 3 * 3600, 3 * 86400])
    await insertFixtureFlows(ch.engine.client, homeNetworkFlows(), NOW - ago)
  await ch.engine.prepareReader()
  app = createApi({ engine: ch.engine, metrics: new Registry(), log: ch.log, maxBodyBytes: 1024 })
  return app
}

async function get(path: string, status = 200): Promise<Answer> {
  const r = await (await api()).request(path)
  const body = (await r.json()) as Answer
  assert.equal(r.status, status, `${path}: ${body.error ?? ''}`)
  return body
}

/** A device's bytes in and out since `seconds` ago over raw flows, as its sender's. */
async function oracle(device: string, seconds: number): Promise<[number, number]> {
  const [r] = await ch.rows<{ i: string; o: string }>(
    `SELECT toString(sumIf(bytes, direction = 'inbound' AND dst_addr = toIPv6('${device}'))) AS i,
       toString(sumIf(bytes, direction IN ('outbound', 'internal') AND src_addr = toIPv6('${device}'))) AS o
     FROM flowloft.flows WHERE time_received >= toDateTime(${NOW - seconds})`,
  )
  return [Number(r?.i), Number(r?.o)]
}

const sum = (xs: number[] | undefined): number => (xs ?? []).reduce((a, b) => a + b, 0)
/** The steps with bytes, by start: answers over windows widened differently compare. */
const steps = (a: Answer, k: string): Record<number, number> =>
  Object.fromEntries(
    a.t.map((t, i): [number, number] => [t, a.bytes[k]?.[i] ?? 0]).filter(([, v]) => v !== 0),
  )

void test("a device traffic chart over 30 days, and the whole network's, read device_traffic_1h", async () => {
  for (const d of DEVICES) {
    const q = `/api/timeseries?device=${encodeURIComponent(d)}&from=-30d&step=21600`
    const a = await get(q)
    assert.equal(a.source, 'device_traffic_1h', d)
    const [i, o] = await oracle(d, 30 * 86400)
    assert.ok(i + o > 0, `${d} has traffic`)
    assert.deepEqual([sum(a.bytes['inbound']), sum(a.bytes['outbound'])], [i, o], d)
    // The same series as flows_1h, the table it replaces.
    const h = await get(`${q}&source=flows_1h`)
    assert.equal(h.source, 'flows_1h')
    assert.deepEqual([a.t, a.bytes, a.packets], [h.t, h.bytes, h.packets], d)
    // What a device sends, or receives from outside, counts alike in raw flows.
    for (const dir of ['out', 'inbound']) {
      const r = await get(`${q}&direction=${dir}&source=flows`)
      const x = await get(`${q}&direction=${dir}`)
      assert.equal(x.source, 'device_traffic_1h', `${d} ${dir}`)
      assert.deepEqual(steps(x, 'total'), steps(r, 'total'), `${d} ${dir}`)
    }
  }
  // A window short enough for the minutes, or a step not of whole hours: not the hours.
  const short = await get(`/api/timeseries?device=${DEVICES[0]}&from=-1h&step=60`)
  assert.notEqual(short.source, 'device_traffic_1h')
  // Other filters than a direction: the table keeps nothing else.
  const other = await get(`/api/timeseries?device=${DEVICES[0]}&as=64496&from=-30d&step=21600`)
  assert.equal(other.source, 'flows_1h')
  await get('/api/timeseries?as=64496&from=-30d&step=21600&source=device_traffic_1h', 400)
  // The whole network's series: every device's hours, the same as flows_1h's.
  const all = await get('/api/timeseries?from=-30d&step=21600')
  assert.equal(all.source, 'device_traffic_1h')
  const all1h = await get('/api/timeseries?from=-30d&step=21600&source=flows_1h')
  assert.ok(sum(all1h.bytes['total']) > 0)
  assert.deepEqual([all.t, all.bytes, all.packets], [all1h.t, all1h.bytes, all1h.packets])
  await get(
    `/api/timeseries?device=${DEVICES[0]}&from=-30d&step=1800&source=device_traffic_1h`,
    400,
  )
})

void test('a device usage reads device_traffic_1h, its last day the minutes at the edges', async () => {
  for (const d of DEVICES) {
    const [i24, o24] = await oracle(d, 86400)
    const [i30, o30] = await oracle(d, 30 * 86400)
    assert.ok(i30 + o30 > i24 + o24 && i24 + o24 > 0, `${d}: traffic before and in the last day`)
    for (const [from, source, want] of [
      ['-1d', 'flows_1m', [i24, o24]],
      ['-7d', 'device_traffic_1h', [i30, o30]],
      ['-30d', 'device_traffic_1h', [i30, o30]],
    ] as const) {
      const u = await get(`/api/usage?device=${encodeURIComponent(d)}&from=${from}`)
      assert.equal(u.source, source, `${d} ${from}`)
      assert.deepEqual(u.sources, ['device_traffic_1h', 'flows_1m', 'device_seen'])
      assert.deepEqual([u.in_bytes, u.out_bytes], want, `${d} ${from}`)
      assert.deepEqual(
        u.usage.map((p) => [p.period, p.in_bytes, p.out_bytes]),
        [
          ['24h', i24, o24],
          ['7d', i30, o30],
          ['30d', i30, o30],
        ],
        `${d} ${from}`,
      )
    }
    // With a direction the device's hours still answer; with an AS, flows_1d/_1h/_1m.
    const out = await get(`/api/usage?device=${encodeURIComponent(d)}&direction=out&from=-30d`)
    assert.deepEqual([out.source, out.in_bytes, out.out_bytes], ['device_traffic_1h', 0, o30])
    const as = await get(`/api/usage?device=${encodeURIComponent(d)}&as=64496&from=-30d`)
    assert.deepEqual(as.sources, ['flows_1d', 'flows_1h', 'flows_1m'])
  }
})

/** Each key's bytes in an answer's rows (or its interfaces'). */
const byKey = (rows: Array<{ key?: string; if_index?: number; bytes: number }>): object =>
  Object.fromEntries(rows.map((r) => [r.key ?? String(r.if_index), r.bytes]))

void test("a device's remote side and interfaces never come from device_traffic_1h", async () => {
  // The minutes over a day: whole hours stitched from a coarser table must keep what is
  // asked (the app, the country, ...), which the device's hours do not.
  for (const d of DEVICES) {
    for (const by of ['app', 'country', 'as', 'service', 'proto']) {
      const q = `/api/remote?by=${by}&device=${encodeURIComponent(d)}&from=-1d&limit=100`
      const m = (await get(`${q}&source=flows_1m`)) as unknown as {
        rows: Array<{ key: string; bytes: number }>
      }
      const h = (await get(`${q}&source=flows_1h`)) as unknown as typeof m
      assert.ok(h.rows.length > 0, `${d} ${by}`)
      assert.deepEqual(byKey(m.rows), byKey(h.rows), `${d} by=${by}`)
    }
    const q = `/api/interfaces?device=${encodeURIComponent(d)}&from=-1d`
    const m = (await get(`${q}&source=flows_1m`)) as unknown as {
      rows: Array<{ if_index: number; bytes: number }>
    }
    const h = (await get(`${q}&source=flows_1h`)) as unknown as typeof m
    assert.ok(h.rows.length > 0, `${d} interfaces`)
    assert.deepEqual(byKey(m.rows), byKey(h.rows), `${d} interfaces`)
  }
})
