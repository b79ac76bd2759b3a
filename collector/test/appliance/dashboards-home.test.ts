// The Grafana panels answer a home owner's questions with the right numbers: a named
// home network (support/home-network.ts: a router exporting NetFlow v9, named devices,
// ASes, countries and interfaces) is inserted next to the 30-day dashboard fixture, and
// chosen panels run on the real engine for 1 h, 2 d and 30 d (raw flows, flows_1m,
// flows_1h) with single and multi-select variable values. Expected rows are summed
// here from the same flows; the "other" series is checked against SQL on raw flows.
// The alerts panel lists what the product's rules raised (the TV over a volume
// threshold, the fixture's silent exporter) as the API reads them.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listAlerts } from '../../dist/alerts/index.js'
import type { Engine } from '../../dist/clickhouse/engine.js'
import { serviceLabel } from '../../dist/api/sides.js'
import { insertFixtureFlows, type FixtureFlow } from '../support/fixture-flows.js'
import { HOME_DEVICES, homeNetworkFlows } from '../support/home-network.js'
import {
  MAX_SERIES,
  RANGES,
  dashboards,
  fixtureEngine,
  panelSql,
  raiseAlerts,
  runOn,
  SILENT_EXPORTER,
  type Run,
} from '../support/dashboard-panels.js'
import { ALL, expand } from './grafana-macros.js'

const NOW = Math.floor(Date.now() / 1000)
const ROUTER = '192.168.1.1'
const flows = homeNetworkFlows()
let dataDir = ''
let engine: Engine
let run: Run
const VOLUME = 150_000_000
let raised: { kind: string; subject: string }[] = []
/** The panel's names of the kinds raised here (the console's). */
const ALERT_NAMES: Record<string, string> = {
  device_volume: 'volume',
  exporter_silent: 'exporter silent',
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-dashboards-home-'))
  engine = await fixtureEngine(dataDir, NOW)
  await insertFixtureFlows(engine.client, flows, NOW)
  // The TV moves about 246 MB in the half hour, the other devices less than 100 MB.
  raised = await raiseAlerts(engine, NOW, { 'alerts.device_bytes_per_hour': VOLUME })
  run = runOn(engine.client)
})
after(async () => {
  await engine?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

type Vars = Record<string, string | string[]>

/** Run a panel for `range` with every variable "All" but those in `set`. */
async function panel(
  uid: string,
  title: string,
  range: (typeof RANGES)[number],
  set: Vars = {},
): Promise<Record<string, unknown>[]> {
  const d = dashboards.find(([, x]) => x.uid === uid)?.[1]
  assert.ok(d, uid)
  const vars: Vars = Object.fromEntries(d.templating.list.map((v) => [v.name, ALL]))
  const sql = expand(panelSql(uid, title), {
    from: NOW - range.seconds,
    to: NOW,
    intervalS: Math.max(1, Math.round(range.seconds / 1000)),
    vars: { ...vars, ...set },
  })
  return (await run(sql)).data
}

/** Sums by key of `flows`: [key, bytes in, bytes out] ordered by total, then key. */
function sums(
  list: FixtureFlow[],
  keyOf: (f: FixtureFlow) => string | undefined,
  isIn: (f: FixtureFlow) => boolean = (f) => f.direction === 'inbound',
): [string, number, number][] {
  const m = new Map<string, [number, number]>()
  for (const f of list) {
    const k = keyOf(f)
    if (k === undefined) continue
    const s = m.get(k) ?? [0, 0]
    s[isIn(f) ? 0 : 1] += f.bytes
    m.set(k, s)
  }
  return [...m]
    .map(([k, [i, o]]) => [k, i, o] as [string, number, number])
    .sort((a, b) => b[1] + b[2] - (a[1] + a[2]) || (a[0] < b[0] ? -1 : 1))
}

const inOut = flows.filter((f) => f.direction !== 'internal')
const isIn = (f: FixtureFlow): boolean => f.direction === 'inbound'
const device = (f: FixtureFlow): string => (isIn(f) ? f.dst_addr : f.src_addr)
const deviceName = (addr: string): string =>
  Object.values(HOME_DEVICES).find((d) => d.addr === addr)?.name || addr
const asName = (asn: number): string =>
  flows.find((f) => f.src_as === asn)?.src_as_name ??
  flows.find((f) => f.dst_as === asn)?.dst_as_name ??
  ''
const remoteAs = (f: FixtureFlow): number => (isIn(f) ? f.src_as : f.dst_as)
/** The columns `cols` of each row, byte counts as numbers (UInt64 comes as text). */
const pick = (rows: Record<string, unknown>[], cols: string[]): unknown[][] =>
  rows.map((r) => cols.map((c) => (c.startsWith('bytes') ? Number(r[c]) : r[c])))
const num = (v: unknown): number => Number(v)

for (const range of RANGES) {
  void test(`${range.name}: devices, ASes and countries of the router, by name, in and out`, async () => {
    const router = { exporter: [ROUTER] }
    const devices = sums(inOut, device)
    const rows = await panel('flowloft-overview', 'Top devices', range, router)
    assert.deepEqual(
      pick(rows, ['address', 'name', 'bytes_in', 'bytes_out']),
      devices.map(([a, i, o]) => [a, deviceName(a), i, o]),
    )
    const ases = sums(inOut, (f) => String(remoteAs(f)))
    const asRows = await panel('flowloft-countries-ases', 'Top ASes', range, router)
    assert.deepEqual(
      pick(asRows, ['asn', 'as_name', 'bytes_in', 'bytes_out']),
      ases.map(([a, i, o]) => [a, asName(Number(a)), i, o]),
    )
    const countries = sums(inOut, (f) => (isIn(f) ? f.src_country : f.dst_country) || '-')
    const cRows = await panel('flowloft-countries-ases', 'Top countries', range, router)
    assert.deepEqual(pick(cRows, ['country', 'bytes_in', 'bytes_out']), countries)
    // The map: every known country with its bytes both ways.
    const map = await panel(
      'flowloft-countries-ases',
      'Remote countries (bytes in and out)',
      range,
      router,
    )
    assert.deepEqual(
      map.map((r) => [r['country'], num(r['bytes'])]),
      countries.filter(([c]) => c !== '-').map(([c, i, o]) => [c, i + o]),
    )
  })

  void test(`${range.name}: multi-select devices and exporters`, async () => {
    const two: string[] = [HOME_DEVICES.tv.addr, HOME_DEVICES.laptop.addr]
    const rows = await panel('flowloft-hosts', 'Devices', range, { host: two })
    assert.deepEqual(
      pick(rows, ['address', 'name', 'bytes_in', 'bytes_out']),
      sums(
        inOut.filter((f) => two.includes(device(f))),
        device,
      ).map(([a, i, o]) => [a, deviceName(a), i, o]),
    )
    // Two exporters: the router's devices first (the most bytes), then the fixture's.
    const both = await panel('flowloft-hosts', 'Devices', range, {
      exporter: [ROUTER, '192.0.2.1'],
    })
    const home = sums(inOut, device)
    assert.deepEqual(pick(both.slice(0, home.length), ['address', 'bytes_in', 'bytes_out']), home)
    // The rest: the fixture exporter's local sides, none of them the router's.
    const homeAddrs = new Set(home.map(([a]) => a))
    const rest = both.slice(home.length).map((r) => String(r['address']))
    assert.ok(rest.length > 0, 'no rows of the second exporter')
    assert.ok(!rest.some((a) => homeAddrs.has(a)), rest.join(' '))
  })

  void test(`${range.name}: interfaces and services by name`, async () => {
    const router = { exporter: [ROUTER] }
    const ifs = new Map<string, [number, number]>()
    for (const f of flows) {
      for (const [name, k] of [
        [f.in_if_name, 0],
        [f.out_if_name, 1],
      ] as const) {
        const s = ifs.get(name ?? '') ?? [0, 0]
        s[k] += f.bytes
        ifs.set(name ?? '', s)
      }
    }
    const rows = await panel(
      'flowloft-exporters-interfaces',
      'Interfaces (bytes in and out over the range)',
      range,
      router,
    )
    assert.deepEqual(
      pick(rows, ['exporter_ip', 'if_name', 'bytes_in', 'bytes_out']),
      [...ifs]
        .sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]))
        .map(([n, [i, o]]) => [ROUTER, n, i, o]),
    )
    // Services named as the console names them (https, quic, dns, ssh).
    const services = new Map<string, number>()
    for (const f of flows) {
      const port = Math.min(f.src_port, f.dst_port)
      const key = `${f.proto === 6 ? 'tcp' : 'udp'}/${port < 1024 ? port : 0}`
      services.set(key, (services.get(key) ?? 0) + f.bytes)
    }
    const sRows = await panel(
      'flowloft-protocols-ports',
      'Top services (port below 1024; other = both ports above)',
      range,
      router,
    )
    assert.deepEqual(
      sRows.map((r) => [r['service'], r['service_key'], num(r['bytes'])]),
      [...services].sort((a, b) => b[1] - a[1]).map(([k, b]) => [serviceLabel(k), k, b]),
    )
  })

  void test(`${range.name}: AS chart series are named`, async () => {
    const rows = await panel('flowloft-countries-ases', 'Bandwidth by remote AS', range, {
      exporter: [ROUTER],
    })
    const want = new Set(
      sums(inOut, (f) => String(remoteAs(f))).map(([a]) => `AS${a} ${asName(Number(a))}`),
    )
    assert.deepEqual(new Set(rows.map((r) => r['series'])), want)
  })
}

for (const range of RANGES) {
  void test(`${range.name}: alerts as the API lists them; the device variable keeps its own`, async () => {
    assert.deepEqual(
      raised.map((a) => `${a.kind} ${a.subject}`),
      [`device_volume ${HOME_DEVICES.tv.addr}`],
    )
    const api = await listAlerts((q) => engine.read(q), {
      limit: 100,
      from: NOW - range.seconds,
    })
    assert.deepEqual(api.map((a) => `${a.kind} ${a.subject}`).sort(), [
      `device_volume ${HOME_DEVICES.tv.addr}`,
      `exporter_silent ${SILENT_EXPORTER}`,
    ])
    const cols = ['alert', 'subject', 'name', 'message', 'status']
    const shown = (list: typeof api): string[][] =>
      list.map((a) => [
        ALERT_NAMES[a.kind] ?? a.kind,
        a.subject,
        a.subject_name || a.subject,
        a.message,
        a.resolved_at > 0 ? 'ended' : 'ongoing',
      ])
    const rows = await panel('flowloft-overview', 'Alerts (newest first)', range)
    assert.deepEqual(pick(rows, cols), shown(api))
    assert.match(String(rows[0]?.['time']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    const tv = await panel('flowloft-overview', 'Alerts (newest first)', range, {
      host: [HOME_DEVICES.tv.addr],
    })
    assert.deepEqual(pick(tv, cols), shown(api.filter((a) => a.subject === HOME_DEVICES.tv.addr)))
    assert.equal(tv[0]?.['name'], HOME_DEVICES.tv.name)
    const laptop = await panel('flowloft-overview', 'Alerts (newest first)', range, {
      host: [HOME_DEVICES.laptop.addr, HOME_DEVICES.phone.addr],
    })
    assert.deepEqual(laptop, [])
  })
}

void test('service names are the console names of the same ports', () => {
  const sql = panelSql('flowloft-protocols-ports', 'Bandwidth by service')
  const m = /transform\(toUInt32\(service_port\), \[([\d, ]+)\], \[([^\]]+)\]/.exec(sql)
  assert.ok(m, 'no port names in the service chart')
  const ports = (m[1] ?? '').split(', ').map(Number)
  const names = (m[2] ?? '').split(', ').map((x) => x.replace(/^'|'$/g, ''))
  assert.equal(ports.length, names.length)
  for (const [i, port] of ports.entries())
    assert.equal(names[i], serviceLabel(`tcp/${port}`), `port ${port}`)
})

// "other": the top keys by name, the rest summed; checked against raw flows (1 h and
// 2 d: raw flows hold the whole range; the chart reads raw flows, then flows_1m).
for (const range of RANGES.filter((r) => r.seconds <= 2 * 86400)) {
  void test(`${range.name}: per-device chart, top ${MAX_SERIES - 1} by name and "other"`, async () => {
    const rows = await panel('flowloft-hosts', 'Per device, in + out', range)
    const step = Math.max(1, Math.round(range.seconds / 1000))
    const bytesOf = new Map<string, number>()
    for (const r of rows) {
      const s = String(r['series'])
      // The bucket's step: raw flows use the interval, flows_1m at least a minute.
      const k = range.seconds <= 6 * 3600 ? step : Math.max(step, 60)
      bytesOf.set(s, (bytesOf.get(s) ?? 0) + (num(r['bps']) * k) / 8)
    }
    const oracle = await run(`
      SELECT replaceRegexpOne(toString(a), '^::ffff:', '') AS addr, sum(bytes) AS bytes
      FROM (SELECT if(direction = 'inbound', dst_addr, src_addr) AS a, bytes FROM flowloft.flows
        WHERE time_received >= toDateTime(${NOW - range.seconds}) AND time_received <= toDateTime(${NOW})
          AND direction IN ('inbound', 'outbound'))
      GROUP BY addr ORDER BY bytes DESC, addr`)
    const all = oracle.data.map((r) => [String(r['addr']), num(r['bytes'])] as const)
    assert.ok(all.length > MAX_SERIES, `${all.length} devices`)
    const top = all.slice(0, MAX_SERIES - 1)
    const other = all.slice(MAX_SERIES - 1).reduce((n, [, b]) => n + b, 0)
    const want = new Map([...top.map(([a, b]) => [deviceName(a), b] as const), ['other', other]])
    assert.deepEqual(new Set(bytesOf.keys()), new Set(want.keys()))
    for (const [s, b] of want) {
      const got = bytesOf.get(s) ?? 0
      assert.ok(Math.abs(got - b) <= 1e-6 * b, `${s}: ${got} bytes, raw flows ${b}`)
    }
    console.log(
      `${range.name}: ${bytesOf.size} series, other ${other} bytes of ${all.length} devices`,
    )
  })
}
