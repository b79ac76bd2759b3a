// The alert rules on the embedded engine with seeded flows: a first run learns the
// history and stays quiet for new devices (learning period), a learned device's new
// country and AS raise one alert listing both, allow-lists and repeats stay quiet, a
// device over its hourly threshold and a silent exporter raise one alert while the
// condition lasts and are resolved when it ends, a device far above its usual level for
// the hour raises one; /api/alerts and /metrics show them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useMigratedEngine } from '../../support/engine.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import { talk, type Talk } from '../../support/alert-flows.js'
import { createAlerts, type Alert, type Alerts } from '../../../dist/alerts/index.js'
import { createApi } from '../../../dist/api/index.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { loadConfig } from '../../../dist/settings.js'

const ch = useMigratedEngine('alerts-rules')
// After the engine's own `before` (root hooks registered later may run first).
let setUp: Promise<void> | undefined
const ready = (): Promise<void> => (setUp ??= ch.engine.prepareReader())
const NOW = Math.floor(Date.now() / 1000)
const DAY = 86_400
const LAPTOP = '192.168.1.30'
const TV = '192.168.1.77'
const CAMERA = '192.168.1.88'
const NAS = '192.168.1.60'

async function seed(talks: Talk[]): Promise<void> {
  await ready()
  await insertFixtureFlows(ch.engine.client, talks.map(talk), NOW)
}

function alertsWith(set: Record<string, unknown>, metrics = new Registry()): Alerts {
  const config = loadConfig({
    flags: new Map(),
    env: {},
    set: {
      'alerts.enabled': true,
      'alerts.learning_days': 1,
      'alerts.allow_countries': ['fr'],
      'alerts.allow_asns': [64501],
      'alerts.exporter_silence_minutes': 0,
      ...set,
    },
  }).alerts
  return createAlerts(config, { run: ch.engine.jobs, log: ch.log, metrics })
}

const counter = (m: Registry, name: string, labels: Record<string, string> = {}): number =>
  m
    .read(name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0)

const kinds = (alerts: Alert[] | undefined): string[] =>
  (alerts ?? []).map((a) => `${a.kind} ${a.subject}`).sort()

const metrics = new Registry()
let main: Alerts

void test('a first run learns the history and a new install stays quiet', async () => {
  // The laptop has used Germany and AS64500 for two days; the TV is new today and talks
  // to the US and Russia.
  await seed([
    { device: LAPTOP, name: 'laptop.lan', country: 'DE', as: 64500, ago: 2 * DAY },
    { device: LAPTOP, name: 'laptop.lan', country: 'DE', as: 64500, ago: 120 },
    { device: TV, name: 'tv.lan', country: 'US', as: 64496, ago: 300 },
    { device: TV, name: 'tv.lan', country: 'RU', as: 64510, ago: 240, direction: 'inbound' },
  ])
  main = alertsWith({}, metrics)
  const raised = await main.runNow(NOW)
  assert.deepEqual(kinds(raised), [], 'nothing: the laptop is known, the TV is learning')
  assert.equal(counter(metrics, 'flowloft_alerts_quieted_total', { reason: 'learning' }), 4)
  const seen = await ch.rows<{ device: string; kind: string; value: string }>(
    `SELECT replaceOne(toString(device), '::ffff:', '') AS device, kind, value
     FROM flowloft.alert_seen GROUP BY device, kind, value ORDER BY device, kind, value`,
  )
  assert.deepEqual(
    seen.map((s) => `${s.device} ${s.kind} ${s.value}`),
    [
      `${LAPTOP} as 64500`,
      `${LAPTOP} country DE`,
      `${TV} as 64496`,
      `${TV} as 64510`,
      `${TV} country RU`,
      `${TV} country US`,
    ],
  )
  assert.equal(counter(metrics, 'flowloft_alerts_runs_total', { result: 'ok' }), 1)
})

void test('a learned device talking somewhere new raises one alert listing what is new', async () => {
  await seed([
    // New for the laptop: the Netherlands and AS64497 (one alert for both).
    {
      device: LAPTOP,
      name: 'laptop.lan',
      country: 'NL',
      as: 64497,
      asName: 'EXAMPLE-VIDEO',
      ago: 60,
      bytes: 5000,
    },
    // Known: nothing.
    { device: LAPTOP, name: 'laptop.lan', country: 'DE', as: 64500, ago: 60 },
    // Allow-listed (alerts.allow_countries: fr, alerts.allow_asns: 64501): nothing.
    { device: LAPTOP, name: 'laptop.lan', country: 'FR', as: 64501, ago: 60 },
    // The TV is still learning: nothing.
    { device: TV, name: 'tv.lan', country: 'JP', as: 64520, ago: 60 },
  ])
  const raised = (await main.runNow(NOW + 30)) ?? []
  assert.deepEqual(kinds(raised), [`new_destination ${LAPTOP}`])
  const [a] = raised
  assert.ok(a)
  assert.equal(a.subject_name, 'laptop.lan')
  assert.equal(a.title, 'laptop.lan talked to somewhere new')
  assert.equal(
    a.message,
    'laptop.lan (192.168.1.30) talked for the first time to country NL, AS64497 EXAMPLE-VIDEO.',
    'countries first, then ASes, named',
  )
  const listed = (a.details['new'] as { kind: string; value: string | number; bytes: number }[])
    .map((u) => `${u.kind} ${u.value} ${u.bytes}`)
    .sort()
  assert.deepEqual(listed, ['as 64497 5000', 'country NL 5000'])
  assert.equal(counter(metrics, 'flowloft_alerts_quieted_total', { reason: 'allowed' }), 2)
  assert.equal(counter(metrics, 'flowloft_alerts_quieted_total', { reason: 'learning' }), 6)
  assert.equal(counter(metrics, 'flowloft_alerts_raised_total', { kind: 'new_destination' }), 1)
})

void test('one event is one alert: the next runs re-read the window and stay quiet', async () => {
  await seed([{ device: LAPTOP, name: 'laptop.lan', country: 'NL', as: 64497, ago: 30 }])
  assert.deepEqual(kinds(await main.runNow(NOW + 60)), [])
  assert.deepEqual(kinds(await main.runNow(NOW + 90)), [])
  // A new process reads on from what was learned: still nothing.
  assert.deepEqual(kinds(await alertsWith({}).runNow(NOW + 120)), [])
  assert.equal(counter(metrics, 'flowloft_alerts_raised_total', { kind: 'new_destination' }), 1)
  const stored = await ch.rows<{ n: number }>(
    "SELECT count() AS n FROM flowloft.alerts FINAL WHERE kind = 'new_destination'",
  )
  assert.equal(stored[0]?.n, 1)
})

void test('without a learning period a new device alerts at once', async () => {
  await seed([{ device: CAMERA, name: '', country: 'CN', as: 64530, ago: 50 }])
  const m = new Registry()
  const raised = (await alertsWith({ 'alerts.learning_days': 0 }, m).runNow(NOW + 150)) ?? []
  assert.deepEqual(kinds(raised), [`new_destination ${CAMERA}`])
  assert.equal(raised[0]?.title, `${CAMERA} talked to somewhere new`, 'no name: the address')
  assert.equal(counter(m, 'flowloft_alerts_quieted_total', { reason: 'learning' }), 0)
})

void test('a device over its hourly threshold raises one alert until it is back under', async () => {
  await seed([
    { device: NAS, name: 'nas.lan', bytes: 4_000_000, ago: 1800, direction: 'inbound' },
    { device: NAS, name: 'nas.lan', bytes: 3_000_000, ago: 600 },
    // Over the threshold, but more than an hour ago.
    { device: TV, name: 'tv.lan', bytes: 9_000_000, ago: 3 * 3600 },
  ])
  const m = new Registry()
  const volume = alertsWith({ 'alerts.device_bytes_per_hour': 5_000_000 }, m)
  const raised = (await volume.runNow(NOW + 180)) ?? []
  assert.deepEqual(kinds(raised), [`device_volume ${NAS}`])
  const a = raised[0]
  assert.ok(a)
  assert.equal(a.details['bytes'], 7_000_000)
  assert.equal(a.details['bytes_in'], 4_000_000)
  assert.equal(a.details['bytes_out'], 3_000_000)
  assert.equal(
    a.message,
    'nas.lan (192.168.1.60) moved 7.00 MB in the last hour (4.00 MB in, 3.00 MB out), above 5.00 MB.',
  )
  assert.deepEqual(kinds(await volume.runNow(NOW + 240)), [], 'still over: the same alert')
  // A new process knows the alert is open.
  assert.deepEqual(
    kinds(await alertsWith({ 'alerts.device_bytes_per_hour': 5_000_000 }).runNow(NOW + 250)),
    [],
  )
  // Two hours on, the NAS's hour is quiet: resolved.
  assert.deepEqual(kinds(await volume.runNow(NOW + 2 * 3600)), [])
  assert.equal(counter(m, 'flowloft_alerts_resolved_total', { kind: 'device_volume' }), 1)
  await volume.idle()
  const stored = await ch.rows<{ resolved: number }>(
    `SELECT toUnixTimestamp(resolved_at) AS resolved FROM flowloft.alerts FINAL WHERE id = '${a.id}'`,
  )
  assert.deepEqual(stored, [{ resolved: NOW + 2 * 3600 }])
})

void test('an exporter that stops sending raises one alert, resolved when it sends again', async () => {
  const QUIET = '192.0.2.50'
  await seed([{ device: NAS, exporter: QUIET, ago: 1800 }])
  const m = new Registry()
  const silence = alertsWith({ 'alerts.exporter_silence_minutes': 15 }, m)
  const raised = (await silence.runNow(NOW + 200)) ?? []
  assert.deepEqual(
    kinds(raised),
    [`exporter_silent ${QUIET}`],
    'the router, which sends, is not silent',
  )
  assert.match(raised[0]?.message ?? '', /^Exporter 192\.0\.2\.50 has sent no flows for 33 minutes/)
  assert.deepEqual(kinds(await silence.runNow(NOW + 260)), [])
  await seed([{ device: NAS, exporter: QUIET, ago: 0 }])
  assert.deepEqual(kinds(await silence.runNow(NOW + 270)), [])
  assert.equal(counter(m, 'flowloft_alerts_resolved_total', { kind: 'exporter_silent' }), 1)
  assert.equal(counter(m, 'flowloft_alerts_raised_total', { kind: 'exporter_silent' }), 1)
})

void test('/api/alerts serves the alerts, newest first, by kind, subject and state', async () => {
  await ready()
  const app = createApi({
    engine: ch.engine,
    metrics: new Registry(),
    log: ch.log,
    maxBodyBytes: 1024,
    alerts: true,
  })
  const get = async (q: string): Promise<{ status: number; alerts: Alert[] }> => {
    const r = await app.request(`/api/alerts${q}`)
    const body = (await r.json()) as { alerts: Alert[] }
    return { status: r.status, alerts: body.alerts }
  }
  const all = await get('')
  assert.equal(all.status, 200)
  assert.deepEqual(
    all.alerts.map((a) => `${a.kind} ${a.subject}`),
    [
      'exporter_silent 192.0.2.50',
      `device_volume ${NAS}`,
      `new_destination ${CAMERA}`,
      `new_destination ${LAPTOP}`,
    ],
  )
  const [silent, volume] = all.alerts
  assert.equal(silent?.resolved_at, NOW + 270)
  assert.equal(volume?.resolved_at, NOW + 2 * 3600)
  assert.equal(volume?.delivery, 'none', 'no webhook configured')
  assert.deepEqual(
    (await get('?kind=new_destination&subject=192.168.1.30')).alerts.map((a) => a.subject),
    [LAPTOP],
  )
  assert.deepEqual((await get('?open=true')).alerts, [], 'both lasting conditions ended')
  assert.equal((await get(`?from=${NOW + 190}`)).alerts.length, 1)
  assert.equal((await get('?limit=2')).alerts.length, 2)
  for (const bad of ['?kind=nope', '?open=maybe', '?subject=x', '?limit=0', '?from=yesterday'])
    assert.equal((await app.request(`/api/alerts${bad}`)).status, 400, bad)
  const off = createApi({
    engine: ch.engine,
    metrics: new Registry(),
    log: ch.log,
    maxBodyBytes: 1024,
  })
  assert.equal((await off.request('/api/alerts')).status, 404)
})

void test('a device far above its usual level for the hour raises one alert', async () => {
  const MEDIA = '192.168.1.70'
  const STEADY = '192.168.1.71'
  const NEWBIE = '192.168.1.72'
  const RUN = NOW + 400
  // The run's last hour is mostly in the hour of `mid`; history at that hour on each of
  // the 14 days before (days without traffic count as nothing).
  const mid = Math.floor(RUN / 60) * 60 - 1800
  const at = (t: number): number => NOW - t
  const history = (device: string, name: string, bytes: number, days: number): Talk[] =>
    Array.from({ length: days }, (_, k) => ({ device, name, bytes, ago: at(mid - (k + 1) * DAY) }))
  await seed([
    // Usually 1 MB at this hour, now 20 MB: unusual.
    ...history(MEDIA, 'media.lan', 1_000_000, 14),
    { device: MEDIA, name: 'media.lan', bytes: 20_000_000, ago: at(mid) },
    // Usually 10 MB, now 12 MB: usual.
    ...history(STEADY, 'steady.lan', 10_000_000, 14),
    { device: STEADY, name: 'steady.lan', bytes: 12_000_000, ago: at(mid) },
    // Two days of history only: not judged.
    ...history(NEWBIE, 'newbie.lan', 1_000_000, 2),
    { device: NEWBIE, name: 'newbie.lan', bytes: 20_000_000, ago: at(mid) },
  ])
  const m = new Registry()
  const set = { 'alerts.unusual_factor': 3, 'alerts.unusual_min_bytes': 5_000_000 }
  const unusual = alertsWith(set, m)
  const raised = (await unusual.runNow(RUN)) ?? []
  assert.deepEqual(kinds(raised), [`device_unusual ${MEDIA}`])
  const a = raised[0]
  assert.ok(a)
  assert.equal(a.details['bytes'], 20_000_000)
  assert.equal(a.details['usual'], 1_000_000, '14 MB over 14 days')
  assert.match(
    a.message,
    /^media\.lan \(192\.168\.1\.70\) moved 20\.0 MB in the last hour, 20\.0 times its usual 1\.00 MB at this hour \(\d\d:00 UTC, the average of the last 14 days\)\.$/,
  )
  assert.deepEqual(kinds(await unusual.runNow(RUN + 30)), [], 'the same condition: no new alert')
  // With the rule off, nothing.
  assert.deepEqual(kinds(await alertsWith({ 'alerts.unusual_factor': 0 }).runNow(RUN + 40)), [])
  assert.equal(counter(m, 'flowloft_alerts_raised_total', { kind: 'device_unusual' }), 1)
})
