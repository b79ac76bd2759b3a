// The collector's whole life on ClickHouse with only the rights the appliance gives it:
// chdb opened under the users.d `collector` user's grants and profile (users-d.ts), then a
// real collector on that engine: migrations from an empty database and retention at
// start, NetFlow stored through the writer, the API's reads, the disk-limit job, a
// summaries run, and a restart. Nothing it does may be refused.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURE_COLUMNS, fixtureRows } from '../support/fixture-rows.js'
import { retentionTables, ttlDays } from '../../dist/clickhouse/retention.js'
import { createJobs } from '../../dist/jobs/index.js'
import { createLogger, type Logger } from '../../dist/observability/log.js'
import { Registry } from '../../dist/observability/metrics.js'
import { openChdbAs, type ChdbAsUser } from '../support/chdb-as-user.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue, startTestService, type TestService } from '../support/service.js'
import { burst } from '../support/udp-load.js'

const DAY = 86400
const RETENTION = {
  'retention.raw_days': 14,
  'retention.rollup_1m_days': 6,
  'retention.rollup_1h_days': 399,
  'retention.counters_days': 29,
}
const FLOWS_PER_DATAGRAM = 30
const DATAGRAMS = 400

let dataDir = ''
let chdb: ChdbAsUser
const lines: Record<string, unknown>[] = []
const log: Logger = createLogger('info', {}, (l) =>
  lines.push(JSON.parse(l) as Record<string, unknown>),
)
let svc: TestService | undefined

const errors = (): string[] =>
  lines.filter((l) => l['level'] === 'error').map((l) => JSON.stringify(l))

before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-collector-grants-'))
  chdb = openChdbAs(dataDir, 'collector')
})
after(async () => {
  await svc?.stop()
  chdb.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const start = (): Promise<TestService> =>
  startTestService({ data_dir: dataDir, ...RETENTION, 'summaries.enabled': true }, log)

void test('the users file gives chdb the collector user of users.d', async () => {
  svc = await start()
  // The writer's session: the API's reads set limits of their own.
  const rs = await svc.service.engine.client.query({
    query: `SELECT getSetting('max_memory_usage') AS memory, toString(getSetting('async_insert')) AS async`,
    format: 'JSONEachRow',
  })
  const [s] = await rs.json<{ memory: string; async: string }>()
  assert.equal(String(s?.memory), chdb.files.user.settings['max_memory_usage'])
  assert.match(String(s?.async), /^(0|false)$/)
  // What users.d does not grant is refused: another database, a table function.
  await assert.rejects(
    svc.service.engine.client.command({
      query: 'CREATE TABLE default.t (a UInt8) ENGINE = Memory',
    }),
    /ACCESS_DENIED|Not enough privileges/,
  )
  await assert.rejects(
    svc.service.engine.client.query({ query: "SELECT * FROM file('x.tsv')" }),
    /ACCESS_DENIED|Not enough privileges/,
  )
})

void test('start from an empty database: every migration and retention ALTER runs', () => {
  const migrated = lines.find((l) => l['msg'] === 'schema migrated')
  assert.ok(migrated, 'no "schema migrated" line')
  assert.ok((migrated['applied'] as string[]).length >= 4, JSON.stringify(migrated))
  const retention = lines.find((l) => l['msg'] === 'retention applied')
  // Every table with a TTL (the service sets each one a day shorter than the schema).
  const tables = retentionTables({
    rawDays: 0,
    rollup1mDays: 0,
    rollup1hDays: 0,
    countersDays: 0,
    systemLogDays: 0,
  })
  assert.equal(
    (retention?.['changed'] as string[] | undefined)?.length,
    tables.length,
    JSON.stringify(retention),
  )
  assert.deepEqual(errors(), [])
})

void test('NetFlow is stored through the writer and read through the API', async () => {
  assert.ok(svc)
  const s = svc
  const flows = Array.from({ length: FLOWS_PER_DATAGRAM }, (_, k) => ({
    src: `10.0.${k}.1`,
    dst: `192.168.1.${k + 1}`,
    srcPort: 1000 + k,
    dstPort: 443,
    proto: 6,
  }))
  const sent = await burst(s.netflowPort, () => v5Now(flows), DATAGRAMS, 32)
  const want = sent.sent * FLOWS_PER_DATAGRAM
  let stored = 0
  await eventually(async () => {
    const [r] = await s.query<{ n: number }>('SELECT count() AS n FROM flows')
    stored = Number(r?.n)
    return stored === want
  }, 30_000)
  console.log(`collector grants: ${want} flows sent, ${stored} stored`)
  const now = Math.floor(Date.now() / 1000)
  // Raw flows, then the rollups (a 2-day and a 30-day window).
  for (const path of [
    '/api/top?by=src_addr',
    `/api/top?by=exporter&from=${now - 2 * DAY}`,
    `/api/top?by=dst_port&from=${now - 30 * DAY}`,
    '/api/timeseries',
    `/api/timeseries?from=${now - 30 * DAY}`,
    '/api/exporters',
    '/api/status',
    '/readyz',
  ]) {
    const res = await fetch(`${s.httpBase}${path}`)
    assert.equal(res.status, 200, `${path}: ${await res.text()}`)
  }
  const [m1] = await s.query<{ n: number }>('SELECT sum(flows) AS n FROM flows_1m')
  assert.equal(Number(m1?.n), want)
  assert.deepEqual(errors(), [])
})

void test('retention: the TTLs follow the configured days', async () => {
  assert.ok(svc)
  const tables = await svc.service.engine.read<{ name: string; engine_full: string }>({
    query: `SELECT name, engine_full FROM system.tables WHERE database = 'flowloft'
      AND name IN ('flows', 'flows_1m', 'flows_1h', 'sflow_counters')`,
  })
  const days = Object.fromEntries(tables.map((t) => [t.name, ttlDays(t.engine_full)]))
  assert.deepEqual(days, { flows: 14, flows_1m: 6, flows_1h: 399, sflow_counters: 29 })
})

void test('the disk-limit job drops the oldest partitions', async () => {
  assert.ok(svc)
  const engine = svc.service.engine
  // Three older days of raw flows: partitions the limit may drop.
  for (const back of [3, 2, 1]) {
    const b = fixtureRows(back * 1000, 200, Math.floor(Date.now() / 1000) - back * DAY)
    await engine.insertRows({
      table: 'flowloft.flows',
      columns: FIXTURE_COLUMNS,
      format: 'TabSeparated',
      body: [b.tsv],
      settings: { async_insert: 0 },
    })
  }
  const metrics = new Registry()
  const jobs = createJobs({
    client: engine.client,
    maxDiskBytes: 1,
    schedule: '* * * * *',
    log,
    metrics,
  })
  await jobs.checkDisk()
  const dropped = metricValue(
    metrics.render(),
    'flowloft_retention_dropped_partitions_total{table="flows"}',
  )
  assert.ok(dropped >= 3, `dropped ${dropped} partitions of flows`)
  assert.deepEqual(errors(), [])
})

void test('a summaries run reads the flows it summarizes', async () => {
  assert.ok(svc)
  const s = await svc.service.summaries.runNow(5, Math.floor(Date.now() / 1000) + 60)
  assert.ok(s, 'summaries run failed or was skipped')
  assert.ok(s.exporters.length > 0, JSON.stringify(s))
  assert.deepEqual(errors(), [])
})

void test('a restart on the migrated database runs clean', async () => {
  assert.ok(svc)
  await svc.stop()
  svc = undefined
  lines.length = 0
  svc = await start()
  const [r] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
  assert.ok(Number(r?.n) > 0)
  assert.equal(
    lines.find((l) => l['msg'] === 'schema migrated'),
    undefined,
  )
  assert.deepEqual(errors(), [])
})
