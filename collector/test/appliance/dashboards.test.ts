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
import type { Engine } from '../../dist/clickhouse/engine.js'
import {
  GRAFANA,
  RANGES,
  allDashboards,
  dashboards,
  fixtureEngine,
  runEveryPanel,
  runOn,
  type Link,
  type Panel,
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
    for (const want of ['exporter', 'direction', 'host', 'country', 'asn', 'console'])
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

/** The console's own URL parser (collector/src/web/state.js, as built). */
interface ConsoleState {
  view: string
  subject: Record<string, string>
  from: number | null
  to: number | null
}
const STATE_JS = new URL('../../dist/web/state.js', import.meta.url).href
const { readState } = (await import(STATE_JS)) as { readState: (search: string) => ConsoleState }

/** Data links of a panel: [column, link]. */
const dataLinks = (p: Panel): [string, Link][] =>
  (p.fieldConfig?.overrides ?? []).flatMap((o) =>
    ((o.properties.find((x) => x.id === 'links')?.value ?? []) as Link[]).map(
      (l) => [o.matcher.options, l] as [string, Link],
    ),
  )

void test('links: to other dashboards with their variables, to console pages it understands', () => {
  const byUid = new Map(allDashboards.map(([, d]) => [d.uid, d]))
  let toDashboards = 0
  let toConsole = 0
  for (const [file, d] of allDashboards) {
    const all = d.links.find((l) => l.type === 'dashboards')
    assert.deepEqual(all?.tags, ['flowloft'], `${file}: a link to the other dashboards`)
    for (const [, p] of d.panels.entries())
      for (const [column, l] of dataLinks(p)) {
        const at = `${file}: "${p.title}" ${column}: ${l.title}`
        const dash = /^\/d\/([\w-]+)\/\?(.*)$/.exec(l.url)
        if (dash) {
          const target = byUid.get(dash[1] ?? '')
          assert.ok(target, `${at}: no dashboard ${dash[1]}`)
          const vars = new Set(target.templating.list.map((v) => v.name))
          const params = new URLSearchParams(dash[2])
          for (const k of params.keys())
            if (k.startsWith('var-'))
              assert.ok(vars.has(k.slice(4)), `${at}: ${target.uid} has no ${k}`)
          assert.match(l.url, /\$\{__url_time_range\}/, `${at}: keeps the time range`)
          toDashboards++
          continue
        }
        assert.match(l.url, /^\$\{console\}\//, `${at}: neither a dashboard nor the console`)
        // The console reads the link as the page of the row's value, over the same range.
        const url = l.url
          .replace('${console}', 'http://flowloft.test:8080')
          .replaceAll(/\$\{__data\.fields\.(\w+)\}/g, (_m, f: string) => `value-of-${f}`)
          .replace('${__from:date:seconds}', '1700000000')
          .replace('${__to:date:seconds}', '1700003600')
        const s = readState(new URL(url).search)
        const view = new URL(url).searchParams.get('view') ?? ''
        assert.equal(s.view, view, `${at}: the console opens ${s.view}`)
        assert.notEqual(s.view, 'overview', at)
        assert.ok(
          Object.values(s.subject).every((v) => v.startsWith('value-of-')),
          `${at}: subject ${JSON.stringify(s.subject)}`,
        )
        assert.deepEqual([s.from, s.to], [1700000000, 1700003600], `${at}: range`)
        toConsole++
      }
  }
  console.log(`data links: ${toDashboards} to dashboards, ${toConsole} to console pages`)
  assert.ok(toDashboards > 0 && toConsole > 0)
  // The device page of the console is reached from every devices table.
  const devices = dashboards.flatMap(([, d]) =>
    d.panels.filter((p) => dataLinks(p).some(([, l]) => l.url.includes('view=device&device='))),
  )
  assert.ok(devices.length >= 2, `${devices.length} panels link to the device page`)
})

void test('variables: multi-select with All; charts show the current rate and the peak', () => {
  for (const [file, d] of dashboards) {
    for (const v of d.templating.list)
      if (v.type !== 'textbox')
        assert.ok(v.multi && v.includeAll, `${file}: ${v.name} is multi-select with All`)
    for (const p of d.panels)
      if (p.type === 'timeseries') {
        const legend = p.options?.['legend'] as { calcs?: string[] } | undefined
        for (const c of ['lastNotNull', 'max'])
          assert.ok(legend?.calcs?.includes(c), `${file}: "${p.title}" legend ${c}`)
      }
  }
  const maps = dashboards.flatMap(([, d]) => d.panels.filter((p) => p.type === 'geomap'))
  assert.equal(maps.length, 1, 'one world map of countries')
})

// ---- on the engine ----

let dataDir = ''
let engine: Engine
let run: Run
const NOW = Math.floor(Date.now() / 1000)

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-dashboards-'))
  engine = await fixtureEngine(dataDir, NOW)
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
    const { runs, panelsWithRows, slowest } = await runEveryPanel(run, range, NOW)
    console.log(
      `${range.name}: ${runs} queries, ${panelsWithRows} panels with rows, slowest ${slowest}`,
    )
    assert.ok(panelsWithRows > 0)
  })
}
