// /api/interfaces and /api/usage (the facts of the console's pages) on the embedded
// engine with a home network's flows, checked against sums over the fixture.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { homeNetworkFlows, HOME_INTERFACES } from '../../support/home-network.js'
import { startTestService, type TestService } from '../../support/service.js'
import { sidedSums as sums, sidedTotal as total } from '../../support/sided-sums.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import type { InterfaceRow } from '../../../dist/api/interfaces.js'

interface Answer {
  error: string
  rows: InterfaceRow[]
  bytes: Record<string, number[]>
  in_bytes: number
  out_bytes: number
  first_seen: number | null
  last_seen: number | null
  usage: { period: string; in_bytes: number; out_bytes: number }[]
  sources: string[]
}

async function get(svc: TestService, path: string): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${svc.httpBase}${path}`)
  return { status: res.status, json: (await res.json()) as Answer }
}

void test('interfaces and usage of a home network', async (t) => {
  const svc = await startTestService()
  t.after(() => svc.stop())
  const flows = await insertFixtureFlows(svc.service.engine.client, homeNetworkFlows())

  await t.test('interfaces: in and out of the devices through each, with names', async () => {
    const r = await get(svc, '/api/interfaces?from=-1h')
    assert.equal(r.status, 200, r.json.error)
    const expected = sums(flows, (f) =>
      [...new Set([f.in_if, f.out_if])].map((i) => `${f.exporter} ${i}`),
    )
    assert.deepEqual(
      r.json.rows.map((x) => [`${x.exporter} ${x.if_index}`, x.in_bytes, x.out_bytes]),
      expected,
    )
    assert.deepEqual(
      r.json.rows.map((x) => x.name),
      expected.map(([k]) => ['', 'wan', 'lan', 'wlan'][Number(k.split(' ')[1])]),
    )
    // The rollups answer the same (an internal flow counts for both sides on them too).
    const rolled = await get(svc, '/api/interfaces?from=-1h&source=flows_1m')
    assert.deepEqual(rolled.json.rows, r.json.rows)
    const wlan = await get(svc, '/api/interfaces?from=-1h&source=flows_1h&interface=wlan')
    assert.deepEqual(
      wlan.json.rows.map((x) => [String(x.if_index), x.in_bytes, x.out_bytes]),
      sums(
        flows.filter((f) => [f.in_if, f.out_if].includes(HOME_INTERFACES.wlan)),
        (f) => [...new Set([f.in_if, f.out_if])].map(String),
      ),
    )
  })

  await t.test('usage: the window, first and last seen, 24 h, 7 d, 30 d', async () => {
    const netflix = flows.filter((f) => f.src_as === 64496 || f.dst_as === 64496)
    const [i, o] = [total(netflix, 'in'), total(netflix, 'out')]
    const now = Date.now() / 1000
    // The whole exporter, internal flows included: the window from raw flows, the last
    // day from flows_1m.
    const exporter = await get(svc, '/api/usage?from=-1h&exporter=192.168.1.1')
    assert.deepEqual(
      [exporter.json.in_bytes, exporter.json.out_bytes, exporter.json.usage[0]?.in_bytes],
      [total(flows, 'in'), total(flows, 'out'), total(flows, 'in')],
    )
    for (const subject of ['as=64496', 'remote=198.51.100.10', 'country=US&service=https']) {
      const u = await get(svc, `/api/usage?from=-1h&${subject}`)
      assert.equal(u.status, 200, u.json.error)
      assert.deepEqual([u.json.in_bytes, u.json.out_bytes], [i, o], subject)
      for (const p of u.json.usage) assert.deepEqual([p.in_bytes, p.out_bytes], [i, o], p.period)
      const first = u.json.first_seen ?? 0
      const last = u.json.last_seen ?? 0
      assert.ok(first > now - 2 * 3600 && first < last && last <= now + 1, `${first} ${last}`)
    }
    const sources = async (q: string): Promise<string[]> =>
      (await get(svc, `/api/usage?${q}`)).json.sources
    assert.deepEqual(await sources('as=64496'), ['flows_1d', 'flows_1h', 'flows_1m'])
    // The days of a remote address from its pairs; with a service, from the hosts' days.
    assert.deepEqual(await sources('remote=198.51.100.10'), [
      'flows_pairs_1d',
      'flows_hosts_1h',
      'flows_hosts_1m',
    ])
    assert.deepEqual(await sources('remote=198.51.100.10&service=https'), [
      'flows_hosts_1d',
      'flows_hosts_1h',
      'flows_hosts_1m',
    ])
    // An exporter with a remote address: neither family holds both.
    assert.deepEqual(await sources('remote=198.51.100.10&exporter=192.168.1.1'), ['flows'])
    const none = await get(svc, '/api/usage?country=ZZ')
    assert.deepEqual(
      [none.json.first_seen, none.json.last_seen, none.json.in_bytes],
      [null, null, 0],
    )
    const bad = await get(svc, '/api/usage?as=big')
    assert.equal(bad.status, 400)
  })
})
