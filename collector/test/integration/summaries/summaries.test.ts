// Conversation summaries on the embedded engine with fixture flows: requests and replies
// paired into one conversation, top-N per exporter, windows, the log and reading it back,
// skipped overlapping runs, /api/summaries, schedules and config checks.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import cron from 'node-cron'
import { useMigratedEngine } from '../../support/engine.js'
import { insertFixtureFlows, type FixtureFlow } from '../../support/fixture-flows.js'
import { createApi } from '../../../dist/api/index.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { ConfigError } from '../../../dist/config/index.js'
import { loadConfig } from '../../../dist/settings.js'
import {
  lastBoundary,
  parseSummaryWindows,
  windowSchedule,
} from '../../../dist/summaries/config.js'
import {
  createSummaries,
  summariesPath,
  type Summaries,
  type SummariesConfig,
} from '../../../dist/summaries/index.js'
import type { SummaryLine } from '../../../dist/summaries/log-lines.js'

const ch = useMigratedEngine('summaries')
const NOW = Math.floor(Date.now() / 1000)
/** The summaries' window end: just after the newest fixture flow. */
const TO = NOW + 1
const X = '192.0.2.10'
const Y = '198.51.100.1'
const LAPTOP = '192.168.1.30'
const CDN = '203.0.113.7'

const base: Omit<FixtureFlow, 'src_addr' | 'dst_addr' | 'src_port' | 'dst_port' | 'bytes'> = {
  exporter: X,
  flow_type: 'netflow9',
  sampling_rate: 1,
  src_host: '',
  dst_host: '',
  proto: 6,
  proto_name: 'TCP',
  src_as: 0,
  dst_as: 0,
  src_as_name: '',
  dst_as_name: '',
  src_country: '',
  dst_country: '',
  direction: 'outbound',
  in_if: 1,
  out_if: 2,
  packets: 1,
  ago: 60,
}
const flow = (
  src: string,
  srcPort: number,
  dst: string,
  dstPort: number,
  bytes: number,
  more: Partial<FixtureFlow> = {},
): FixtureFlow => ({
  ...base,
  src_addr: src,
  dst_addr: dst,
  src_port: srcPort,
  dst_port: dstPort,
  bytes,
  ...more,
})

// Exporter X, last 5 minutes: one HTTPS conversation seen both ways (a request flow and
// two reply flows), one DNS query and its answer, five small one-way conversations.
// Ten minutes ago (outside 5, inside 20 minutes): the largest conversation of all.
// Exporter Y: one conversation, between two local hosts (stored as internal).
const FLOWS: FixtureFlow[] = [
  flow(LAPTOP, 50100, CDN, 443, 1_000, {
    packets: 10,
    src_host: 'laptop.lan',
    dst_host: 'cdn.example.net',
  }),
  flow(CDN, 443, LAPTOP, 50100, 7_000, { packets: 8, direction: 'inbound', ago: 50 }),
  flow(CDN, 443, LAPTOP, 50100, 2_000, { packets: 4, direction: 'inbound', ago: 40 }),
  flow(LAPTOP, 40000, '198.51.100.53', 53, 80, { proto: 17, proto_name: 'UDP', ago: 30 }),
  flow('198.51.100.53', 53, LAPTOP, 40000, 6_000, {
    proto: 17,
    proto_name: 'UDP',
    direction: 'inbound',
    ago: 30,
  }),
  ...[500, 400, 300, 200, 100].map((b, i) =>
    flow('192.168.1.40', 41000 + i, '192.0.2.99', 22, b, { ago: 20 }),
  ),
  flow('192.168.1.50', 42000, CDN, 443, 1_000_000, { ago: 600 }),
  flow('10.1.1.1', 50000, '10.2.2.2', 80, 5_000, { exporter: Y, ago: 100, direction: 'internal' }),
]

let summaries: Summaries
let metrics: Registry
const config: SummariesConfig = {
  enabled: true,
  windowsMinutes: [5, 20],
  top: 3,
  maxBytes: 1 << 20,
  files: 2,
}

// After the engine's own `before` (root hooks registered later may run first).
let setUp: Promise<void> | undefined
const ready = (): Promise<void> =>
  (setUp ??= (async () => {
    await insertFixtureFlows(ch.engine.client, FLOWS, NOW)
    await ch.engine.prepareReader()
    metrics = new Registry()
    summaries = createSummaries(config, {
      run: ch.engine.jobs,
      dataDir: ch.dataDir,
      log: ch.log,
      metrics,
    })
  })())
after(() => summaries.stop())

void test('a request and its replies are one conversation, bytes each way', async () => {
  await ready()
  const s = await summaries.runNow(5, TO)
  assert.ok(s)
  assert.equal(s.to - s.from, 300)
  const x = s.exporters.find((e) => e.exporter === X)
  assert.ok(x)
  const https = x.conversations.find((c) => c.server_port === 443)
  assert.deepEqual(https, {
    proto: 6,
    proto_name: 'TCP',
    client: LAPTOP,
    client_port: 50100,
    client_host: 'laptop.lan',
    server: CDN,
    server_port: 443,
    server_host: 'cdn.example.net',
    request_bytes: 1_000,
    request_packets: 10,
    reply_bytes: 9_000,
    reply_packets: 12,
    flows: 3,
    internal: false,
  })
  const dns = x.conversations.find((c) => c.server_port === 53)
  assert.equal(dns?.client, LAPTOP)
  assert.equal(dns?.internal, false)
  assert.equal(dns?.request_bytes, 80)
  assert.equal(dns?.reply_bytes, 6_000)
  // No conversation appears twice (once per direction).
  const keys = x.conversations.map(
    (c) => `${c.client}:${c.client_port}-${c.server}:${c.server_port}`,
  )
  assert.equal(new Set(keys).size, keys.length)
})

void test('top N per exporter, largest first; each window sees only its flows', async () => {
  await ready()
  const five = summaries.latest(5)
  assert.ok(five)
  const x = five.exporters.find((e) => e.exporter === X)
  // 7 conversations of X in the window, top 3 kept: HTTPS (10 000), DNS (6 080), SSH 500.
  assert.deepEqual(
    x?.conversations.map((c) => c.request_bytes + c.reply_bytes),
    [10_000, 6_080, 500],
  )
  const y = five.exporters.find((e) => e.exporter === Y)
  assert.deepEqual(
    y?.conversations.map((c) => [c.client, c.server, c.request_bytes]),
    [['10.1.1.1', '10.2.2.2', 5_000]],
  )
  assert.equal(y?.conversations[0]?.internal, true)

  const twenty = await summaries.runNow(20, TO)
  const x20 = twenty?.exporters.find((e) => e.exporter === X)
  assert.equal(x20?.conversations[0]?.client, '192.168.1.50')
  assert.equal(x20?.conversations[0]?.request_bytes, 1_000_000)
  assert.equal(x20?.conversations.length, 3)
  assert.ok(!x.conversations.some((c) => c.client === '192.168.1.50'), 'not in the 5-minute window')

  // A window with no flows: no exporter.
  const empty = await summaries.runNow(5, TO - 3600)
  assert.deepEqual(empty?.exporters, [])
})

void test('the log holds one line per conversation and is read back after a restart', async () => {
  await ready()
  const lines = readFileSync(summariesPath(ch.dataDir), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SummaryLine)
  const five = lines.filter((l) => l.window_minutes === 5 && l.to === TO)
  assert.equal(five.length, 3 + 1)
  assert.deepEqual(
    five.filter((l) => l.exporter === X).map((l) => l.rank),
    [1, 2, 3],
  )
  assert.equal(lines.filter((l) => l.window_minutes === 20).length, 3 + 1)

  // A second instance reads the latest of each window back (the empty run at TO - 3600
  // wrote nothing, so the 5-minute summary ending at TO is the latest in the log).
  const again = createSummaries(config, {
    run: ch.engine.jobs,
    dataDir: ch.dataDir,
    log: ch.log,
    metrics: new Registry(),
  })
  try {
    await again.start()
    assert.equal(scheduled(), 2, 'one job per window')
    assert.equal(again.latest(5)?.to, TO)
    assert.deepEqual(again.latest(5), summaries.latest(5))
    assert.deepEqual(again.latest(20), summaries.latest(20))
  } finally {
    await again.stop()
  }
  assert.equal(scheduled(), 0, 'stop() unschedules every window')
  assert.equal(await again.runNow(5, TO), undefined, 'a stopped instance runs nothing')
})

const scheduled = (): number =>
  [...cron.getTasks().values()].filter((t) => t.name?.startsWith('summaries-')).length

void test('a window queued or running again is skipped and counted', async () => {
  await ready()
  const first = summaries.runNow(5, TO)
  const second = summaries.runNow(5, TO)
  assert.equal(await second, undefined)
  assert.ok(await first)
  assert.equal(metrics.read('flowloft_summaries_skipped_total')[0]?.value, 1)
  const ok = metrics
    .read('flowloft_summaries_runs_total')
    .filter((s) => s.labels['result'] === 'ok')
    .reduce((n, s) => n + s.value, 0)
  assert.equal(ok, 4)
})

void test('/api/summaries serves the latest run: window, exporter, limit', async () => {
  await ready()
  const app = createApi({
    engine: ch.engine,
    metrics: new Registry(),
    log: ch.log,
    maxBodyBytes: 1024,
    summaries,
  })
  const get = async (q: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await app.request(`/api/summaries${q}`)
    return { status: r.status, body: (await r.json()) as Record<string, unknown> }
  }
  const all = await get('')
  assert.equal(all.status, 200)
  assert.equal(all.body['window_minutes'], 5, 'the shortest window by default')
  assert.equal(all.body['to'], TO)
  assert.equal((all.body['exporters'] as unknown[]).length, 2)

  const one = await get(`?window=5&exporter=${X}&limit=2`)
  const exporters = one.body['exporters'] as { exporter: string; conversations: unknown[] }[]
  assert.deepEqual(
    exporters.map((e) => [e.exporter, e.conversations.length]),
    [[X, 2]],
  )
  assert.equal((await get('?window=20')).body['window_minutes'], 20)
  for (const bad of ['?window=7', '?window=x', '?exporter=nope', '?limit=0'])
    assert.equal((await get(bad)).status, 400, bad)

  const off = createApi({
    engine: ch.engine,
    metrics: new Registry(),
    log: ch.log,
    maxBodyBytes: 1024,
    summaries: { ...summaries, config: { ...config, enabled: false } },
  })
  assert.equal((await off.request('/api/summaries')).status, 404)
})

void test('each window runs at its boundaries: schedules and the last boundary', () => {
  for (const w of [1, 5, 20, 60, 480, 1440]) {
    const expr = windowSchedule(w, 15)
    assert.ok(cron.validate(expr), expr)
    const task = cron.createTask(expr, () => undefined)
    const boundary = new Date(2024, 5, 10, 0, 0, 15)
    assert.ok(task.match(boundary), `${expr} at midnight`)
    assert.ok(!task.match(new Date(2024, 5, 10, 0, 0, 0)), `${expr} waits 15 s`)
    if (w > 1) assert.ok(!task.match(new Date(2024, 5, 10, 0, 1, 15)), `${expr} not every minute`)
    assert.ok(task.match(new Date(boundary.getTime() + w * 60_000)), `${expr} after ${w} min`)
    void task.destroy()

    const now = Date.now()
    const b = lastBoundary(w, now)
    const local = new Date(b * 1000)
    assert.ok(b <= now / 1000 && now / 1000 - b < w * 60)
    assert.equal((local.getHours() * 60 + local.getMinutes()) % w, 0)
  }
})

void test('windows must end on the same minutes every day', () => {
  assert.deepEqual(parseSummaryWindows([60, 5, 5, 1440], 'w'), [5, 60, 1440])
  for (const bad of [7, 45, 90, 300, 600])
    assert.throws(
      () => parseSummaryWindows([5, bad], 'summaries.windows_minutes'),
      (e: Error) => {
        assert.ok(e instanceof ConfigError)
        assert.match(e.message, /summaries\.windows_minutes\[1\]/)
        return true
      },
    )
})

void test('summaries and flow_log settings: defaults, YAML lists, env comma lists, errors', () => {
  const dflt = loadConfig({ flags: new Map(), env: {} })
  assert.deepEqual(dflt.summaries, {
    enabled: true,
    windowsMinutes: [5, 20, 60, 480, 1440],
    top: 100,
    maxBytes: 16 << 20,
    files: 5,
  })
  assert.equal(dflt.flowLog.enabled, false)
  const dir = mkdtempSync(join(tmpdir(), 'fl-cfg-'))
  const file = join(dir, 'flowloft.yaml')
  writeFileSync(file, 'summaries:\n  windows_minutes: [60, 15]\nflow_log:\n  enabled: true\n')
  try {
    const c = loadConfig({ file, flags: new Map(), env: {} })
    assert.deepEqual(c.summaries.windowsMinutes, [15, 60])
    assert.equal(c.flowLog.enabled, true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const env = (v: string): number[] =>
    loadConfig({ flags: new Map(), env: { FLOWLOFT_SUMMARIES_WINDOWS_MINUTES: v } }).summaries
      .windowsMinutes
  assert.deepEqual(env('10, 30'), [10, 30])
  assert.deepEqual(env('[1440]'), [1440])
  assert.throws(
    () => env('5,0'),
    /summaries\.windows_minutes\[1\] must be a whole number 1\.\.1440/,
  )
  assert.throws(() => env('5,x'), /summaries\.windows_minutes\[1\]/)
  assert.throws(() => env('25'), /summaries\.windows_minutes\[0\] must divide 60/)
})
