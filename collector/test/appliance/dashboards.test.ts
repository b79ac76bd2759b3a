// Every Grafana dashboard in grafana/dashboards: unique uids, panels on the provisioned
// datasource, variables defined where used; then every panel's SQL, expanded as the
// ClickHouse datasource expands its macros and variables (a concrete value and "All"),
// runs on the real embedded engine for 1 h, 2 d and 30 d ranges (raw flows, flows_1m and
// flows_1h in turn) over fixture flows spread across 30 days, with the expected shape.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { openEngine, type Engine } from '../../dist/clickhouse/engine.js'
import { migrate } from '../../dist/clickhouse/migrate.js'
import { createLogger } from '../../dist/observability/log.js'
import {
  GRAFANA,
  RANGES,
  dashboards,
  insertDashboardFixture,
  runEveryPanel,
  runOn,
  type Run,
} from '../support/dashboard-panels.js'
import { variablesUsed } from './grafana-macros.js'

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
let run: Run
const NOW = Math.floor(Date.now() / 1000)

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-dashboards-'))
  engine = await openEngine({
    url: '',
    dataDir,
    limits: { maxExecutionSeconds: 30, maxResultRows: 100000 },
    log: createLogger('error'),
  })
  await migrate(engine.client)
  await insertDashboardFixture(engine.client, NOW)
  run = runOn(engine.client)
})
after(async () => {
  await engine?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

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
    const { runs, panelsWithRows } = await runEveryPanel(run, range, NOW)
    console.log(`${range.name}: ${runs} queries, ${panelsWithRows} panels with rows`)
    assert.ok(panelsWithRows > 0)
  })
}
