// /api/devices, /api/devices/{addr}, /api/remote and filtered /api/timeseries on the
// embedded engine with a home network's flows, checked against sums over the fixture.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { homeNetworkFlows, HOME_DEVICES } from '../../support/home-network.js'
import { startTestService, type TestService } from '../../support/service.js'
import { byDevice } from '../../support/sided-sums.js'
import { insertFixtureFlows, type FixtureFlow } from '../../support/fixture-flows.js'
import type { DeviceRow, RemoteRow } from '../../../dist/api/sides.js'

/** The fields these endpoints answer with (one shape for all, as each test reads a few). */
interface Answer {
  error: string
  rows: (DeviceRow & RemoteRow)[]
  filtered: boolean
  source: string
  bytes: Record<string, number[]>
  first_seen: number | null
  last_seen: number
  usage: { period: string; in_bytes: number; out_bytes: number }[]
}

async function get(svc: TestService, path: string): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${svc.httpBase}${path}`)
  return { status: res.status, json: (await res.json()) as Answer }
}

/** The fixture's remote ASes by bytes, with their names. */
const REMOTE_ASES = [
  ['64496', 'EXAMPLE-STREAM'],
  ['64497', 'EXAMPLE-VIDEO'],
  ['64500', 'EXAMPLE-CLOUD'],
  ['64501', 'EXAMPLE-BACKUP'],
]

function deviceSums(flows: FixtureFlow[]): Map<string, { in: number; out: number }> {
  return new Map(byDevice(flows).map(([d, i, o]) => [d, { in: i, out: o }]))
}

void test('devices and the remote side of a home network', async (t) => {
  const svc = await startTestService()
  t.after(() => svc.stop())
  const flows = await insertFixtureFlows(svc.service.engine.client, homeNetworkFlows())
  const expected = deviceSums(flows)

  await t.test('local devices with names, in and out, IPv4 and IPv6', async () => {
    const r = await get(svc, '/api/devices?from=-1h&limit=20')
    assert.equal(r.status, 200, r.json.error)
    const order = [...expected.entries()].sort((a, b) => b[1].in + b[1].out - (a[1].in + a[1].out))
    assert.deepEqual(
      r.json.rows.map((x) => x.device),
      order.map(([d]) => d),
    )
    for (const row of r.json.rows) {
      const e = expected.get(row.device)
      assert.deepEqual([row.in_bytes, row.out_bytes], [e?.in, e?.out], row.device)
    }
    const tv = r.json.rows[0]
    assert.equal(tv?.device, HOME_DEVICES.tv.addr)
    assert.equal(tv?.name, 'living-room-tv')
    assert.ok(tv && tv.first_seen < tv.last_seen)
    const phone = r.json.rows.find((x) => x.device === HOME_DEVICES.phone.addr)
    assert.equal(phone?.name, 'phone.lan')
    assert.equal(r.json.rows.find((x) => x.device === HOME_DEVICES.nas.addr)?.name, '')
  })

  await t.test('remote countries and ASes are the internet side only', async () => {
    const c = await get(svc, '/api/remote?by=country&from=-1h')
    assert.deepEqual(
      c.json.rows.map((x) => x.key),
      ['US', 'NL', 'DE', 'FR'],
    )
    const us = flows.filter((f) => f.src_country === 'US' || f.dst_country === 'US')
    assert.deepEqual(
      [c.json.rows[0]?.in_bytes, c.json.rows[0]?.out_bytes],
      [
        us.filter((f) => f.direction === 'inbound').reduce((s, f) => s + f.bytes, 0),
        us.filter((f) => f.direction === 'outbound').reduce((s, f) => s + f.bytes, 0),
      ],
    )
    const as = await get(svc, '/api/remote?by=as&from=-1h')
    assert.deepEqual(
      as.json.rows.map((x) => [x.key, x.label]),
      REMOTE_ASES,
    )
  })

  await t.test('services by port name, never client ports', async () => {
    const s = await get(svc, '/api/remote?by=service&from=-1h')
    assert.deepEqual(
      s.json.rows.map((x) => [x.key, x.label]),
      [
        ['tcp/443', 'https'],
        ['udp/443', 'quic'],
        ['tcp/22', 'ssh'],
      ],
    )
    // The laptop's own view includes its DNS to the Pi-hole on the LAN.
    const laptop = await get(
      svc,
      `/api/remote?by=service&from=-1h&device=${HOME_DEVICES.laptop.addr}`,
    )
    assert.deepEqual(
      laptop.json.rows.map((x) => x.label),
      ['https', 'dns'],
    )
    const hosts = await get(svc, `/api/remote?by=host&from=-1h&device=${HOME_DEVICES.laptop.addr}`)
    assert.deepEqual(
      hosts.json.rows.map((x) => [x.key, x.label, x.internal]),
      [
        ['203.0.113.7', 'cloud.example.net', false],
        ['192.168.1.2', 'pihole.lan', true],
      ],
    )
    // Without a device the remote side is the internet: no row is internal.
    const internet = await get(svc, '/api/remote?by=host&from=-1h')
    assert.ok(internet.json.rows.length > 0)
    assert.deepEqual(
      internet.json.rows.map((x) => x.internal),
      internet.json.rows.map(() => false),
    )
  })

  await t.test('filters: country, service name, remote prefix (v4 and v6), AS', async () => {
    const devices = async (f: string): Promise<string[]> =>
      (await get(svc, `/api/devices?from=-1h&${f}`)).json.rows.map((x) => x.device)
    assert.deepEqual(await devices('country=us'), [HOME_DEVICES.tv.addr])
    assert.deepEqual(await devices('service=quic'), [HOME_DEVICES.phone.addr])
    assert.deepEqual(await devices('service=tcp/22'), [HOME_DEVICES.nas.addr])
    assert.deepEqual(await devices('remote=203.0.113.0/24'), [
      HOME_DEVICES.laptop.addr,
      HOME_DEVICES.nas.addr,
    ])
    assert.deepEqual(await devices('remote=2001:db8:ff::/48'), [HOME_DEVICES.phone.addr])
    assert.deepEqual(await devices('as=64496&proto=tcp'), [HOME_DEVICES.tv.addr])
    assert.deepEqual(await devices('as=64496&proto=udp'), [])
    const bad = await get(svc, '/api/devices?country=USA')
    assert.equal(bad.status, 400)
    assert.match(bad.json.error, /^country must be a two-letter country code/)
    const badAddr = await get(svc, '/api/remote?device=nope')
    assert.equal(badAddr.status, 400)
    assert.match(badAddr.json.error, /^device must be an IP address/)
  })

  await t.test('a device: its series in and out, usage and first/last seen', async () => {
    const tv = expected.get(HOME_DEVICES.tv.addr)
    const ts = await get(svc, `/api/timeseries?from=-1h&step=60&device=${HOME_DEVICES.tv.addr}`)
    assert.equal(ts.status, 200)
    assert.equal(ts.json.filtered, true)
    assert.equal(ts.json.source, 'flows')
    const sum = (a: number[] | undefined): number => (a ?? []).reduce((s, v) => s + v, 0)
    assert.equal(sum(ts.json.bytes['inbound']), tv?.in)
    assert.equal(sum(ts.json.bytes['outbound']), tv?.out)

    const d = await get(svc, `/api/devices/${HOME_DEVICES.tv.addr}`)
    assert.equal(d.status, 200)
    const day = d.json.usage.find((u) => u.period === '24h')
    assert.deepEqual([day?.in_bytes, day?.out_bytes], [tv?.in, tv?.out])
    assert.equal(d.json.usage.find((u) => u.period === '30d')?.in_bytes, tv?.in)
    const now = Date.now() / 1000
    const first = d.json.first_seen ?? 0
    assert.ok(first > now - 3 * 3600 && first < d.json.last_seen)
    assert.ok(d.json.last_seen <= now + 1)
    const phone = await get(svc, `/api/devices/${encodeURIComponent(HOME_DEVICES.phone.addr)}`)
    assert.equal(phone.json.usage[0]?.in_bytes, expected.get(HOME_DEVICES.phone.addr)?.in)
    const none = await get(svc, '/api/devices/192.168.1.99')
    assert.equal(none.json.first_seen, null)
  })

  await t.test('the rollups answer the same, with names from raw flows and as_names', async () => {
    const raw = await get(svc, '/api/devices?from=-1h&limit=20')
    const rolled = await get(svc, '/api/devices?from=-1h&limit=20&source=flows_1m')
    assert.equal(rolled.status, 200, rolled.json.error)
    assert.equal(rolled.json.source, 'flows_1m')
    // Devices that talk only to the internet read the same; the rollups count an internal
    // flow for its sender only.
    for (const d of [HOME_DEVICES.tv, HOME_DEVICES.phone, HOME_DEVICES.nas]) {
      const a = raw.json.rows.find((r) => r.device === d.addr)
      const b = rolled.json.rows.find((r) => r.device === d.addr)
      assert.deepEqual(
        [b?.name, b?.in_bytes, b?.out_bytes, b?.flows],
        [d.name, a?.in_bytes, a?.out_bytes, a?.flows],
        d.addr,
      )
    }
    const as = await get(svc, '/api/remote?by=as&from=-1h&source=flows_1h')
    assert.deepEqual(
      as.json.rows.map((x) => [x.key, x.label]),
      REMOTE_ASES,
    )
    const services = await get(svc, '/api/remote?by=service&from=-1h&source=flows_1m&country=NL')
    assert.deepEqual(
      services.json.rows.map((x) => [x.key, x.label, x.in_bytes]),
      [['udp/443', 'quic', expected.get(HOME_DEVICES.phone.addr)?.in]],
    )
    const hosts = await get(svc, '/api/remote?by=host&from=-1h&source=flows_1m')
    assert.equal(hosts.status, 400)
    assert.match(hosts.json.error, /flows_1m does not hold this dimension/)
    const ts = await get(
      svc,
      `/api/timeseries?from=-1h&step=60&source=flows_1m&device=${HOME_DEVICES.tv.addr}`,
    )
    assert.equal(ts.json.source, 'flows_1m')
    assert.equal(
      (ts.json.bytes['inbound'] ?? []).reduce((x, v) => x + v, 0),
      expected.get(HOME_DEVICES.tv.addr)?.in,
    )
  })
})
