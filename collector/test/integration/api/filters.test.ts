// The direction and interface filters on every view of "my devices" against "the
// internet", on the embedded engine with a home network's flows, checked against sums
// over the fixture.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { homeNetworkFlows, HOME_DEVICES, HOME_INTERFACES } from '../../support/home-network.js'
import { startTestService, type TestService } from '../../support/service.js'
import { byDevice, sidedTotal as total } from '../../support/sided-sums.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import type { DeviceRow } from '../../../dist/api/sides.js'

interface Answer {
  error: string
  rows: DeviceRow[]
  bytes: Record<string, number[]>
}

async function get(svc: TestService, path: string): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${svc.httpBase}${path}`)
  return { status: res.status, json: (await res.json()) as Answer }
}

void test('direction and interface filters on a home network', async (t) => {
  const svc = await startTestService()
  t.after(() => svc.stop())
  const flows = await insertFixtureFlows(svc.service.engine.client, homeNetworkFlows())
  const devices = async (f: string): Promise<[string, number, number][]> => {
    const r = await get(svc, `/api/devices?from=-1h&limit=50&${f}`)
    assert.equal(r.status, 200, r.json.error)
    return r.json.rows.map((x) => [x.device, x.in_bytes, x.out_bytes])
  }

  await t.test('direction: in, out, or the flow direction', async () => {
    const all = byDevice(flows)
    assert.deepEqual(
      await devices('direction=in'),
      all
        .filter((r) => r[1] > 0)
        .map((r): [string, number, number] => [r[0], r[1], 0])
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    )
    assert.deepEqual(
      (await devices('direction=out')).map((r) => r[1]),
      all.filter((r) => r[2] > 0).map(() => 0),
    )
    const internal = flows.filter((f) => f.direction === 'internal')
    assert.ok(internal.length > 0)
    assert.deepEqual(await devices('direction=internal'), byDevice(internal))
    assert.deepEqual(
      await devices('direction=inbound'),
      byDevice(flows.filter((f) => f.direction === 'inbound')),
    )
    // A window on whole minutes could be read from flows_1m, which names only the sender
    // of an internal flow: per device, the answer must still be raw flows'.
    const minute = Math.floor(Date.now() / 60_000) * 60
    const aligned = await get(svc, `/api/devices?from=${minute - 3600}&to=${minute + 60}&limit=50`)
    assert.equal(aligned.status, 200, aligned.json.error)
    assert.equal((aligned.json as unknown as { source: string }).source, 'flows')
    assert.deepEqual(
      aligned.json.rows.map((x) => [x.device, x.in_bytes, x.out_bytes]),
      all,
    )
    const bad = await get(svc, '/api/devices?direction=transit')
    assert.equal(bad.status, 400)
    assert.match(bad.json.error, /^direction must be in, out or one of inbound, outbound, internal/)
  })

  await t.test('interface: by index or name, on every view', async () => {
    const through = (i: number) => flows.filter((f) => f.in_if === i || f.out_if === i)
    const wlan = byDevice(through(HOME_INTERFACES.wlan))
    assert.deepEqual(
      wlan.map((r) => r[0]),
      [HOME_DEVICES.phone.addr],
    )
    assert.deepEqual(await devices(`interface=${HOME_INTERFACES.wlan}`), wlan)
    assert.deepEqual(await devices('interface=wlan'), wlan)
    assert.deepEqual(await devices('interface=wan'), byDevice(through(HOME_INTERFACES.wan)))
    assert.deepEqual(await devices('interface=nosuch'), [])
    const ts = await get(svc, '/api/timeseries?from=-1h&step=60&interface=lan&direction=out')
    const sum = (a: number[] | undefined): number => (a ?? []).reduce((s, v) => s + v, 0)
    assert.equal(sum(ts.json.bytes['outbound']), total(through(HOME_INTERFACES.lan), 'out'))
    assert.equal(sum(ts.json.bytes['inbound']), 0)
    const bad = await get(svc, `/api/devices?interface=${'x'.repeat(300)}`)
    assert.equal(bad.status, 400)
  })
})
