// Usage per device and in total over today, this week, the current and the previous
// billing cycle, and data caps, on the embedded engine: flows at fixed times around a
// cycle boundary (the 15th, Berlin time) and a week boundary go in through the real
// writer; raw flows are then emptied, so every figure must come from the rollup. Figures
// are checked against sums over the flows computed here; a cap crossing 80% then 100%
// raises exactly two alerts, not again on the next run, after a restart of the rules, or
// in the next cycle (where they end); /api/usage/cycle and /metrics (promtool) agree.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { createAlerts, type Alert } from '../../../dist/alerts/index.js'
import { createWriter } from '../../../dist/clickhouse/writer.js'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import type { UsageReport } from '../../../dist/usage/index.js'
import { ALL, expand } from '../../appliance/grafana-macros.js'
import { panelSql } from '../../support/dashboard-panels.js'
import { FIXTURE_COLUMNS } from '../../support/fixture-rows.js'
import { metricValue, startTestService, type TestService } from '../../support/service.js'
import { requireTools } from '../../support/tools.js'

const utc = (iso: string): number => Date.parse(iso) / 1000
/** Wednesday 2031-03-19 10:30 in Berlin (CET, UTC+1). */
const NOW = utc('2031-03-19T09:30:00Z')
/** Worked out by hand for Europe/Berlin, cycles from the 15th, weeks from Monday. */
const PERIODS = {
  today: { from: utc('2031-03-18T23:00:00Z'), to: utc('2031-03-19T23:00:00Z') },
  week: { from: utc('2031-03-16T23:00:00Z'), to: utc('2031-03-23T23:00:00Z') },
  cycle: { from: utc('2031-03-14T23:00:00Z'), to: utc('2031-04-14T22:00:00Z') },
  previous_cycle: { from: utc('2031-02-14T23:00:00Z'), to: utc('2031-03-14T23:00:00Z') },
}
type PeriodName = keyof typeof PERIODS

/** Around each edge: before the previous cycle, its first and last second, the cycle's first, Sunday and Monday night, yesterday and today. */
const TIMES = [
  '2031-02-14T22:30:00Z',
  '2031-02-14T23:00:00Z',
  '2031-02-20T12:00:00Z',
  '2031-03-14T22:59:59Z',
  '2031-03-14T23:00:00Z',
  '2031-03-16T22:45:00Z',
  '2031-03-16T23:05:00Z',
  '2031-03-18T22:30:00Z',
  '2031-03-18T23:00:00Z',
  '2031-03-19T09:10:00Z',
].map(utc)

const NAS = '192.168.1.10'
const TV = '192.168.1.20'
const PHONE = 'fd00::30'
const DEVICES = [NAS, TV, PHONE]
const REMOTE4 = '203.0.113.9'
const REMOTE6 = '2001:db8::9'

interface Flow {
  t: number
  src: string
  dst: string
  direction: 'inbound' | 'outbound' | 'internal' | 'transit' | 'unknown'
  bytes: number
}

const v6 = (a: string): string => (a.includes(':') ? a : `::ffff:${a}`)
let sequence = 0
const tsv = (flows: readonly Flow[]): Buffer =>
  Buffer.from(
    flows
      .map(
        (f) =>
          [
            // In the order of FIXTURE_COLUMNS.
            f.t,
            `${f.t}.000`,
            `${f.t}.000`,
            '::ffff:192.168.1.1',
            'ipfix',
            sequence++,
            1,
            v6(f.src),
            v6(f.dst),
            50000,
            443,
            6,
            1,
            2,
            0,
            0,
            '',
            '',
            f.direction,
            f.bytes,
            Math.max(1, Math.floor(f.bytes / 1000)),
          ].join('\t') + '\n',
      )
      .join(''),
  )

/** Every device, at every time: in and out of the internet, to each other, and traffic that is no one's. */
function baseFlows(): Flow[] {
  const flows: Flow[] = []
  let k = 0
  const bytes = (): number => 10_000 + ((k++ * 7919) % 90_000) * 37
  for (const t of TIMES) {
    for (const d of DEVICES) {
      const remote = d.includes(':') ? REMOTE6 : REMOTE4
      flows.push({ t, src: remote, dst: d, direction: 'inbound', bytes: bytes() })
      flows.push({ t, src: d, dst: remote, direction: 'outbound', bytes: bytes() })
    }
    // Not on the line to the internet, or no local side: counted nowhere.
    flows.push({ t, src: NAS, dst: TV, direction: 'internal', bytes: bytes() })
    flows.push({ t, src: REMOTE4, dst: '198.51.100.1', direction: 'transit', bytes: bytes() })
    flows.push({ t, src: '198.51.100.2', dst: REMOTE4, direction: 'unknown', bytes: bytes() })
  }
  return flows
}

/** What a device received and sent in a period, summed here from the flows. */
function expected(flows: readonly Flow[], device: string | undefined, p: PeriodName, now: number) {
  const { from, to } = PERIODS[p]
  const inside = (f: Flow): boolean => f.t >= from && f.t < Math.min(to, now + 1)
  const mine = (a: string): boolean => device === undefined || a === device
  let inBytes = 0
  let outBytes = 0
  for (const f of flows) {
    if (!inside(f)) continue
    if (f.direction === 'inbound' && mine(f.dst)) inBytes += f.bytes
    if (f.direction === 'outbound' && mine(f.src)) outBytes += f.bytes
  }
  return { in_bytes: inBytes, out_bytes: outBytes }
}

const figuresOf = (d: Record<PeriodName, { in_bytes: number; out_bytes: number }>) =>
  Object.fromEntries(Object.keys(PERIODS).map((p) => [p, d[p as PeriodName]]))

const expectedOf = (flows: readonly Flow[], device: string | undefined, now: number) =>
  Object.fromEntries(
    Object.keys(PERIODS).map((p) => [p, expected(flows, device, p as PeriodName, now)]),
  )

const cycleBytes = (flows: readonly Flow[], device: string | undefined, now: number): number => {
  const c = expected(flows, device, 'cycle', now)
  return c.in_bytes + c.out_bytes
}

const capped = (alerts: Alert[] | undefined): Alert[] =>
  (alerts ?? []).filter((a) => a.kind === 'usage_cap')

void test('usage and caps over a cycle and a week boundary, from the rollup', async (t) => {
  const svc: TestService = await startTestService({
    'usage.timezone': 'Europe/Berlin',
    'usage.cycle_start_day': 15,
    'usage.check_schedule': '0 0 1 1 *',
    'usage.cap': '1 TB',
    'usage.device_caps': { nas: '1 GB', [TV]: '10 GB' },
    'usage.groups': { family: { devices: [TV, PHONE], cap: '20 GB' } },
    'enrich.host_aliases': { [NAS]: 'nas' },
    'alerts.exporter_silence_minutes': 0,
  })
  t.after(() => svc.stop())
  const engine = svc.service.engine
  const writer = createWriter({
    engine,
    columns: FIXTURE_COLUMNS,
    format: 'TabSeparated',
    batchRows: 5000,
    batchMs: 100,
    spoolDir: join(svc.dataDir, 'spool', 'usage-test'),
    spoolMaxBytes: 1 << 30,
    log: createLogger('error'),
    metrics: new Registry(),
  })
  writer.start()
  t.after(() => writer.stop())
  const flows = baseFlows()
  const write = async (more: Flow[]): Promise<void> => {
    writer.add(tsv(more), more.length)
    await writer.flush()
  }
  await write(flows)
  // The rollup alone from here on: raw flows are gone, as after their retention.
  const stored = await svc.query<{ n: number }>('SELECT count() AS n FROM flowloft.flows')
  assert.equal(Number(stored[0]?.n), flows.length)
  await engine.client.command({ query: 'TRUNCATE TABLE flowloft.flows' })

  await t.test('per device and in total, each period, against sums over the flows', async () => {
    const r: UsageReport = await svc.service.usage.read(NOW)
    assert.deepEqual(r.periods, PERIODS)
    assert.deepEqual(
      r.devices.map((d) => [d.device, d.name, figuresOf(d)]),
      [...DEVICES]
        .sort((a, b) => cycleBytes(flows, b, NOW) - cycleBytes(flows, a, NOW))
        .map((d) => [d, d === NAS ? 'nas' : '', expectedOf(flows, d, NOW)]),
    )
    assert.deepEqual(figuresOf(r.total), expectedOf(flows, undefined, NOW))
    // Every period holds some bytes, and the periods differ: the edges matter.
    const total = expectedOf(flows, undefined, NOW)
    const sizes = Object.values(total).map((x) => x.in_bytes + x.out_bytes)
    assert.equal(new Set(sizes).size, 4, JSON.stringify(total))
    assert.ok(sizes.every((n) => n > 0))
    assert.deepEqual(
      r.caps.map((c) => [c.id, c.used_bytes, c.cap_bytes, c.devices]),
      [
        ['total', cycleBytes(flows, undefined, NOW), 1e12, []],
        ['device:nas', cycleBytes(flows, NAS, NOW), 1e9, [NAS]],
        [`device:${TV}`, cycleBytes(flows, TV, NOW), 1e10, [TV]],
        [
          'group:family',
          cycleBytes(flows, TV, NOW) + cycleBytes(flows, PHONE, NOW),
          2e10,
          [PHONE, TV].sort(),
        ],
      ],
    )
    assert.ok(r.caps.every((c) => c.level === 0))
  })

  await t.test('/api/usage/cycle: all devices, one device and its caps', async () => {
    const get = async (q: string) => {
      const res = await fetch(`${svc.httpBase}/api/usage/cycle?${q}`)
      return { status: res.status, json: (await res.json()) as UsageReport & { error?: string } }
    }
    const all = await get(`at=${NOW}`)
    assert.equal(all.status, 200, all.json.error)
    assert.deepEqual(figuresOf(all.json.total), expectedOf(flows, undefined, NOW))
    assert.equal(all.json.devices.length, 3)
    for (const d of all.json.devices)
      assert.deepEqual(figuresOf(d), expectedOf(flows, d.device, NOW))
    const nas = await get(`at=${NOW}&device=${NAS}`)
    assert.deepEqual(
      nas.json.devices.map((d) => [d.device, d.name]),
      [[NAS, 'nas']],
    )
    assert.deepEqual(
      nas.json.caps.map((c) => c.id),
      ['total', 'device:nas'],
    )
    const phone = await get(`at=${NOW}&device=${encodeURIComponent(PHONE)}`)
    assert.deepEqual(
      figuresOf(phone.json.devices[0] ?? assert.fail('no phone')),
      expectedOf(flows, PHONE, NOW),
    )
    assert.deepEqual(
      phone.json.caps.map((c) => c.id),
      ['total', 'group:family'],
    )
    assert.equal((await get('device=not-an-address')).status, 400)
    assert.equal((await get('limit=0')).status, 400)
  })

  await t.test('the Grafana panel counts the same, from flows_1h', async () => {
    const sql = expand(panelSql('flowloft-hosts', 'Usage this billing cycle'), {
      from: NOW - 86400,
      to: NOW,
      intervalS: 60,
      vars: { exporter: ALL, host: ALL, cycle_day: '15', usage_tz: 'Europe/Berlin' },
    })
    const rs = await engine.client.query({ query: sql, format: 'JSONEachRow' })
    const rows = await rs.json<Record<string, string | number>>()
    const sum = (x: { in_bytes: number; out_bytes: number }): number => x.in_bytes + x.out_bytes
    assert.deepEqual(
      rows.map((r) => [
        r['address'],
        ...[
          'today_bytes',
          'week_bytes',
          'bytes_in',
          'bytes_out',
          'cycle_bytes',
          'previous_cycle_bytes',
        ].map((k) => Number(r[k])),
      ]),
      [...DEVICES]
        .sort((a, b) => cycleBytes(flows, b, NOW) - cycleBytes(flows, a, NOW))
        .map((d) => {
          const c = expected(flows, d, 'cycle', NOW)
          return [
            d,
            sum(expected(flows, d, 'today', NOW)),
            sum(expected(flows, d, 'week', NOW)),
            c.in_bytes,
            c.out_bytes,
            sum(c),
            sum(expected(flows, d, 'previous_cycle', NOW)),
          ]
        }),
    )
  })

  await t.test('a cap crossing 80% then 100% raises two alerts, once each', async () => {
    const nasCap = 1_000_000_000
    const used = cycleBytes(flows, NAS, NOW)
    assert.ok(used < 0.8 * nasCap, `nas starts at ${used}`)
    assert.deepEqual(capped(await svc.service.alerts.runNow(NOW)), [])

    // 85%: the 80% level.
    const to85 = 850_000_000 - used
    const step1: Flow = { t: NOW + 600, src: NAS, dst: REMOTE4, direction: 'outbound', bytes: to85 }
    await write([step1])
    const first = capped(await svc.service.alerts.runNow(NOW + 3600))
    assert.deepEqual(
      first.map((a) => [a.event_key, a.subject, a.subject_name, a.details['level']]),
      [[`device:nas:80:${PERIODS.cycle.from}`, NAS, 'nas', 80]],
    )
    assert.equal(first[0]?.details['used_bytes'], 850_000_000)
    // 105%: the 100% level, and nothing again for 80%.
    const step2: Flow = {
      t: NOW + 3660,
      src: REMOTE4,
      dst: NAS,
      direction: 'inbound',
      bytes: 200_000_000,
    }
    await write([step2])
    const second = capped(await svc.service.alerts.runNow(NOW + 7200))
    assert.deepEqual(
      second.map((a) => [a.event_key, a.details['level'], a.details['used_bytes']]),
      [[`device:nas:100:${PERIODS.cycle.from}`, 100, 1_050_000_000]],
    )
    assert.deepEqual(capped(await svc.service.alerts.runNow(NOW + 7260)), [])

    // A restart of the rules: what was raised is read back from flowloft.alerts.
    const restarted = createAlerts(svc.config.alerts, {
      run: engine.jobs,
      log: createLogger('error'),
      metrics: new Registry(),
      usage: (now) => svc.service.usage.read(now),
    })
    assert.deepEqual(capped(await restarted.runNow(NOW + 7320)), [])
    const stored = await svc.query<{ event_key: string; resolved: number }>(
      "SELECT event_key, toUnixTimestamp(resolved_at) AS resolved FROM flowloft.alerts FINAL WHERE kind = 'usage_cap' ORDER BY raised_at, event_key",
    )
    assert.deepEqual(
      stored.map((a) => [a.event_key, a.resolved]),
      [
        [`device:nas:80:${PERIODS.cycle.from}`, 0],
        [`device:nas:100:${PERIODS.cycle.from}`, 0],
      ],
    )

    // /metrics: each cap's size and use as of the latest read, and promtool accepts it.
    const text = await svc.metrics()
    assert.equal(
      metricValue(text, 'flowloft_usage_cap_used_bytes{cap="device:nas"}'),
      1_050_000_000,
    )
    assert.equal(metricValue(text, 'flowloft_usage_cap_bytes{cap="device:nas"}'), nasCap)
    assert.equal(
      metricValue(text, 'flowloft_usage_cap_used_bytes{cap="total"}'),
      cycleBytes([...flows, step1, step2], undefined, NOW + 7320),
    )
    assert.equal(
      metricValue(text, `flowloft_usage_device_cycle_bytes{device="${NAS}",direction="out"}`),
      expected([...flows, step1, step2], NAS, 'cycle', NOW + 7320).out_bytes,
    )
    assert.equal(metricValue(text, 'flowloft_usage_cycle_start_seconds'), PERIODS.cycle.from)
    assert.equal(metricValue(text, 'flowloft_alerts_raised_total{kind="usage_cap"}'), 2)
    if (requireTools(t, 'promtool')) {
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
      assert.equal(r.status, 0, `promtool check metrics:\n${r.stdout}${r.stderr}`)
    }

    // The next cycle: the two end, and nothing is raised for it.
    const next = utc('2031-04-15T08:00:00Z')
    assert.deepEqual(capped(await restarted.runNow(next)), [])
    await restarted.stop()
    const ended = await svc.query<{ resolved: number }>(
      "SELECT toUnixTimestamp(resolved_at) AS resolved FROM flowloft.alerts FINAL WHERE kind = 'usage_cap'",
    )
    assert.deepEqual(
      ended.map((a) => a.resolved),
      [next, next],
    )
  })
})
