// Every Grafana dashboard in grafana/dashboards: unique uids, panels on the provisioned
// datasource, variables defined where used; then every panel's SQL, expanded as the
// ClickHouse datasource expands its macros and variables (a concrete value and "All"),
// runs on the real embedded engine for 1 h, 2 d and 30 d ranges (raw flows, flows_1m and
// flows_1h in turn) over fixture flows spread across 30 days, with the expected shape.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { parse } from 'yaml'
import { openEngine, type Engine } from '../clickhouse/engine.js'
import { migrate } from '../clickhouse/migrate.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../clickhouse/fixture-rows.js'
import { createLogger } from '../observability/log.js'
import { ALL, expand, variablesUsed } from './grafana-macros.js'

const GRAFANA = new URL('../../../grafana/', import.meta.url).pathname

interface Target {
  refId: string
  datasource?: { type?: string; uid?: string }
  editorType?: string
  format?: number
  rawSql?: string
}
interface Panel {
  id: number
  type: string
  title: string
  datasource?: { type?: string; uid?: string }
  targets?: Target[]
}
interface Variable {
  name: string
  type: string
  query?: string
  includeAll?: boolean
  datasource?: { uid?: string }
}
interface Dashboard {
  uid: string
  title: string
  panels: Panel[]
  templating: { list: Variable[] }
}

const files = readdirSync(join(GRAFANA, 'dashboards')).filter((f) => f.endsWith('.json'))
const dashboards = files.map(
  (f) =>
    [f, JSON.parse(readFileSync(join(GRAFANA, 'dashboards', f), 'utf8')) as Dashboard] as const,
)
const provisioned = parse(
  readFileSync(join(GRAFANA, 'provisioning/datasources/clickhouse.yaml'), 'utf8'),
) as { datasources: { uid: string; type: string; jsonData: Record<string, unknown> }[] }
const DS_UID = provisioned.datasources[0]?.uid ?? ''

void test('the datasource is provisioned with a fixed uid and a read-only user', () => {
  const ds = provisioned.datasources[0]
  assert.ok(ds)
  assert.equal(ds.type, 'grafana-clickhouse-datasource')
  assert.match(DS_UID, /^[\w-]+$/)
  for (const k of ['host', 'port', 'protocol', 'username', 'defaultDatabase'])
    assert.ok(ds.jsonData[k] !== undefined, `jsonData.${k}`)
  assert.equal(ds.jsonData['username'], 'grafana')
  const raw = readFileSync(join(GRAFANA, 'provisioning/datasources/clickhouse.yaml'), 'utf8')
  assert.match(raw, /secureJsonData:\s*\n\s+password:/)
})

void test('dashboards: unique uids, panels on the provisioned datasource, variables resolve', () => {
  assert.ok(dashboards.length >= 7, `${dashboards.length} dashboards`)
  const uids = dashboards.map(([, d]) => d.uid)
  assert.equal(new Set(uids).size, uids.length, `duplicate uid in ${uids.join(', ')}`)
  for (const [file, d] of dashboards) {
    const vars = new Set(d.templating.list.map((v) => v.name))
    for (const want of ['exporter', 'direction', 'host'])
      assert.ok(vars.has(want), `${file}: $${want}`)
    for (const v of d.templating.list) {
      if (v.type === 'query') {
        assert.equal(v.datasource?.uid, DS_UID, `${file}: variable ${v.name} datasource`)
        for (const u of variablesUsed(v.query ?? ''))
          assert.ok(vars.has(u), `${file}: ${v.name} uses $${u}`)
      }
    }
    const ids = new Set<number>()
    for (const p of d.panels) {
      assert.ok(!ids.has(p.id), `${file}: duplicate panel id ${p.id}`)
      ids.add(p.id)
      assert.equal(p.datasource?.uid, DS_UID, `${file}: "${p.title}" datasource`)
      assert.ok(p.targets?.length, `${file}: "${p.title}" has no query`)
      for (const t of p.targets ?? []) {
        assert.equal(t.datasource?.uid ?? DS_UID, DS_UID, `${file}: "${p.title}" target datasource`)
        assert.equal(t.editorType, 'sql')
        assert.equal(t.format, p.type === 'timeseries' ? 0 : 1, `${file}: "${p.title}" format`)
        for (const u of variablesUsed(t.rawSql ?? ''))
          assert.ok(vars.has(u), `${file}: "${p.title}" uses undefined $${u}`)
        if (p.type === 'timeseries') assert.match(t.rawSql ?? '', /ORDER BY time\s*$/)
      }
    }
  }
})

// ---- on the engine ----

let dataDir = ''
let engine: Engine
const NOW = Math.floor(Date.now() / 1000)
const HOUR = 3600
const DAY = 86400

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-dashboards-'))
  engine = await openEngine({
    url: '',
    dataDir,
    limits: { maxExecutionSeconds: 30, maxResultRows: 100000 },
    log: createLogger('error'),
  })
  await migrate(engine.client)
  // Rows after the views exist: every 5 minutes over the last 2 hours, then every 3
  // hours back to 30 days. Rows older than a table's TTL vanish from that table only
  // (raw 15 d, flows_1m 7 d); flows_1h keeps them all. Each insert has its own token.
  const times: number[] = []
  for (let t = NOW - 60; t > NOW - 2 * HOUR; t -= 300) times.push(t)
  for (let t = NOW - 2 * HOUR; t > NOW - 30 * DAY; t -= 3 * HOUR) times.push(t)
  let first = 0
  for (const t of times) {
    const b = fixtureRows(first, 50, t)
    first += b.rows
    await engine.client.insert({
      table: 'flowloft.flows',
      columns: [...FIXTURE_COLUMNS],
      values: Readable.from([b.tsv], { objectMode: false }),
      format: 'TabSeparated',
      clickhouse_settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
    })
  }
})
after(async () => {
  await engine?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

interface Result {
  meta: { name: string; type: string }[]
  data: Record<string, unknown>[]
  rows: number
}
async function run(sql: string): Promise<Result> {
  const rs = await engine.client.query({ query: sql, format: 'JSON' })
  return rs.json<Record<string, unknown>>() as unknown as Promise<Result>
}

const RANGES = [
  { name: '1h', seconds: HOUR, mustHaveRows: true },
  { name: '2d', seconds: 2 * DAY, mustHaveRows: true },
  { name: '30d', seconds: 30 * DAY, mustHaveRows: true },
] as const

void test('the fixture reached every table the ranges read', async () => {
  const r = await run(
    `SELECT (SELECT count() FROM flowloft.flows) AS raw, (SELECT count() FROM flowloft.flows_1m) AS m1,
       (SELECT count() FROM flowloft.flows_1h) AS h1, (SELECT min(time) FROM flowloft.flows_1h) AS oldest`,
  )
  const row = r.data[0] ?? {}
  console.log(`fixture rows: ${JSON.stringify(row)}`)
  for (const k of ['raw', 'm1', 'h1']) assert.ok(Number(row[k]) > 0, k)
})

for (const range of RANGES) {
  void test(`every panel runs for a ${range.name} range, with "All" and with concrete values`, async () => {
    const from = NOW - range.seconds
    const to = NOW
    const intervalS = Math.max(1, Math.round(range.seconds / 1000))
    let panelsWithRows = 0
    let runs = 0
    for (const [file, d] of dashboards) {
      // "All" for every variable, then a concrete value of each from its own query.
      const all: Record<string, string> = {}
      for (const v of d.templating.list) all[v.name] = ALL
      const concrete: Record<string, string> = { ...all }
      for (const v of d.templating.list) {
        if (v.type === 'custom') concrete[v.name] = (v.query ?? '').split(',')[0]?.trim() ?? ''
        else if (v.type === 'query') {
          const r = await run(expand(v.query ?? '', { from, to, intervalS, vars: all }))
          const first = r.data[0]
          assert.ok(first, `${file}: variable ${v.name} has no values`)
          concrete[v.name] = String(Object.values(first)[0])
        }
      }
      for (const p of d.panels) {
        for (const t of p.targets ?? []) {
          let anyRows = false
          for (const vars of [all, concrete]) {
            const sql = expand(t.rawSql ?? '', { from, to, intervalS, vars })
            let r: Result
            try {
              r = await run(sql)
            } catch (err) {
              assert.fail(`${file}: "${p.title}" (${range.name}) failed: ${String(err)}\n${sql}`)
            }
            runs++
            if (r.rows > 0) anyRows = true
            if (p.type === 'timeseries') {
              const first = r.meta[0]
              assert.ok(first, `${file}: "${p.title}" has no columns`)
              assert.match(
                first.type,
                /^DateTime/,
                `${file}: "${p.title}" first column ${first.type}`,
              )
              const times = r.data.map((row) => String(row[first.name]))
              assert.deepEqual(
                times,
                [...times].sort(),
                `${file}: "${p.title}" not ordered by time`,
              )
              if (r.rows > 1)
                assert.ok(
                  new Set(times).size > 1 || r.meta.length > 2,
                  `${file}: "${p.title}" one bucket`,
                )
            }
          }
          if (anyRows) panelsWithRows++
          else if (range.mustHaveRows)
            assert.fail(`${file}: "${p.title}" (${range.name}) returned no rows`)
        }
      }
    }
    console.log(`${range.name}: ${runs} queries, ${panelsWithRows} panels with rows`)
    assert.ok(panelsWithRows > 0)
  })
}
