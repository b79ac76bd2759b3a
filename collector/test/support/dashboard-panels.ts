// Every panel of every provisioned Grafana dashboard (grafana/dashboards), run on an
// engine the way the ClickHouse datasource runs it: macros and variables expanded
// (appliance/grafana-macros.ts) for "All" and for a concrete value of each variable taken
// from its own query, over fixture flows spread across 30 days and the alerts the
// product's rules raise on them. Shared by the dashboard tests on the embedded engine and
// under the grafana user's grants.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { ClickHouseClient } from '@clickhouse/client'
import { createAlerts, type Alert } from '../../dist/alerts/index.js'
import { openEngine, type Engine } from '../../dist/clickhouse/engine.js'
import { migrate } from '../../dist/clickhouse/migrate.js'
import { createLogger } from '../../dist/observability/log.js'
import { Registry } from '../../dist/observability/metrics.js'
import { loadConfig } from '../../dist/settings.js'
import { ALL, expand } from '../appliance/grafana-macros.js'
import { talk } from './alert-flows.js'
import { forgetInsertToken, insertFixtureFlows } from './fixture-flows.js'
import { FIXTURE_COLUMNS, fixtureRows } from './fixture-rows.js'

export const GRAFANA = new URL('../../../grafana/', import.meta.url).pathname

export interface Target {
  refId: string
  datasource?: { type?: string; uid?: string }
  editorType?: string
  format?: number
  rawSql?: string
  /** PromQL (the Prometheus dashboard). */
  expr?: string
}
export interface Link {
  title: string
  url: string
  type?: string
  tags?: string[]
}
export interface Override {
  matcher: { id: string; options: string }
  properties: { id: string; value: unknown }[]
}
export interface Panel {
  id: number
  type: string
  title: string
  datasource?: { type?: string; uid?: string }
  targets?: Target[]
  fieldConfig?: { defaults: { unit?: string; displayName?: string }; overrides: Override[] }
  options?: Record<string, unknown>
}
export interface Variable {
  name: string
  type: string
  query?: string
  multi?: boolean
  includeAll?: boolean
  datasource?: { type?: string; uid?: string }
}
export interface Dashboard {
  uid: string
  title: string
  tags: string[]
  links: Link[]
  panels: Panel[]
  templating: { list: Variable[] }
}

/** [file name, dashboard] of every dashboard JSON. */
export const allDashboards = readdirSync(join(GRAFANA, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map(
    (f) =>
      [f, JSON.parse(readFileSync(join(GRAFANA, 'dashboards', f), 'utf8')) as Dashboard] as const,
  )
const on = (d: Dashboard, type: string): boolean =>
  d.panels.every((p) => p.datasource?.type === type)
/** The dashboards on ClickHouse (flowloft's tables). */
export const dashboards = allDashboards.filter(([, d]) => on(d, 'grafana-clickhouse-datasource'))
/** The dashboards on Prometheus (the collector's /metrics). */
export const prometheusDashboards = allDashboards.filter(([, d]) => on(d, 'prometheus'))

/** The panel titled `title` on dashboard `uid`, and its SQL. */
export function panelSql(uid: string, title: string): string {
  const d = dashboards.find(([, x]) => x.uid === uid)?.[1]
  const p = d?.panels.find((x) => x.title === title)
  const sql = p?.targets?.[0]?.rawSql
  assert.ok(sql, `no panel "${title}" on ${uid}`)
  return sql
}

/** Most series a chart shows: the top keys by name and "other". */
export const MAX_SERIES = 10

const HOUR = 3600
const DAY = 86400

export const RANGES = [
  { name: '1h', seconds: HOUR, mustHaveRows: true },
  { name: '2d', seconds: 2 * DAY, mustHaveRows: true },
  { name: '30d', seconds: 30 * DAY, mustHaveRows: true },
] as const

/**
 * Fixture flows after the views exist: every 5 minutes over the last 2 hours, then every
 * 3 hours back to 30 days. Rows older than a table's TTL vanish from that table only
 * (raw 15 d, flows_1m 7 d); flows_1h keeps them all. Each insert has its own token.
 */
export async function insertDashboardFixture(client: ClickHouseClient, now: number): Promise<void> {
  const times: number[] = []
  for (let t = now - 60; t > now - 2 * HOUR; t -= 300) times.push(t)
  for (let t = now - 2 * HOUR; t > now - 30 * DAY; t -= 3 * HOUR) times.push(t)
  let first = 0
  for (const t of times) {
    const b = fixtureRows(first, 50, t)
    first += b.rows
    await client.insert({
      table: 'flowloft.flows',
      columns: [...FIXTURE_COLUMNS],
      values: Readable.from([b.tsv], { objectMode: false }),
      format: 'TabSeparated',
      clickhouse_settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
    })
  }
  await forgetInsertToken(client)
}

/** An exporter of the fixture that sent one (internal) flow two hours ago and none since. */
export const SILENT_EXPORTER = '192.0.2.250'

/**
 * Run the product's alert rules (alerts/) once on `engine` as of `now`, with alerts on,
 * devices still learning (a year: the fixture's new destinations stay quiet) and the
 * settings `set` (by path); the alerts they raised.
 */
export async function raiseAlerts(
  engine: Engine,
  now: number,
  set: Record<string, unknown> = {},
): Promise<Alert[]> {
  const config = loadConfig({
    flags: new Map(),
    env: {},
    set: { 'alerts.enabled': true, 'alerts.learning_days': 365, ...set },
  }).alerts
  const alerts = createAlerts(config, {
    run: engine.jobs,
    log: createLogger('error'),
    metrics: new Registry(),
  })
  const raised = await alerts.runNow(now)
  await alerts.stop()
  assert.ok(raised, 'the alert rules did not run')
  return raised
}

/**
 * The embedded engine on `dataDir`, migrated, its sessions ready (engine.read, jobs),
 * with the dashboard fixture ending `now` and the alert the rules raise on it
 * (SILENT_EXPORTER is silent).
 */
export async function fixtureEngine(dataDir: string, now: number): Promise<Engine> {
  const engine = await openEngine({
    url: '',
    dataDir,
    limits: { maxExecutionSeconds: 30, maxResultRows: 100000 },
    log: createLogger('error'),
  })
  await migrate(engine.client)
  await engine.prepareReader()
  // Internal, so no device's traffic with the internet changes.
  const silent = talk({
    device: '10.255.0.1',
    remote: '10.255.0.2',
    exporter: SILENT_EXPORTER,
    ago: 2 * HOUR,
  })
  await insertFixtureFlows(engine.client, [{ ...silent, direction: 'internal' }], now)
  await insertDashboardFixture(engine.client, now)
  const raised = await raiseAlerts(engine, now)
  assert.deepEqual(
    raised.map((a) => `${a.kind} ${a.subject}`),
    [`exporter_silent ${SILENT_EXPORTER}`],
  )
  return engine
}

export interface Result {
  meta: { name: string; type: string }[]
  data: Record<string, unknown>[]
  rows: number
}

export type Run = (sql: string) => Promise<Result>

/** A runner of SQL on `client` with the datasource's answer format. */
export function runOn(client: ClickHouseClient): Run {
  return async (sql) => {
    const rs = await client.query({ query: sql, format: 'JSON' })
    return rs.json<Record<string, unknown>>() as unknown as Promise<Result>
  }
}

/**
 * Run every panel for one range ending `now`, with "All" and with concrete values, and
 * check the answers' shape; returns how many queries ran and how many panels had rows.
 * `files` limits it to those dashboards (file names under grafana/dashboards); panels
 * titled in `mayBeEmpty` must run but need no rows (data the caller's setup cannot have).
 */
export async function runEveryPanel(
  run: Run,
  range: (typeof RANGES)[number],
  now: number,
  files?: readonly string[],
  mayBeEmpty: readonly string[] = [],
): Promise<{ runs: number; panelsWithRows: number; slowest: string }> {
  const from = now - range.seconds
  const to = now
  const intervalS = Math.max(1, Math.round(range.seconds / 1000))
  let panelsWithRows = 0
  let runs = 0
  let slowest = { ms: 0, at: '' }
  for (const [file, d] of dashboards) {
    if (files && !files.includes(file)) continue
    // "All" for every variable, then a concrete value of each from its own query, then
    // the first two values of each together (a multi-select).
    // A text box holds its default (Grafana has no "All" for it).
    const all: Record<string, string | string[]> = {}
    for (const v of d.templating.list) all[v.name] = v.type === 'textbox' ? (v.query ?? '') : ALL
    const concrete: Record<string, string | string[]> = { ...all }
    const several: Record<string, string | string[]> = { ...all }
    for (const v of d.templating.list) {
      let values: string[] = []
      if (v.type === 'custom') values = (v.query ?? '').split(',').map((x) => x.trim())
      else if (v.type === 'query') {
        const r = await run(expand(v.query ?? '', { from, to, intervalS, vars: all }))
        values = r.data.map((row) => String(Object.values(row)[0]))
        assert.ok(values.length > 0, `${file}: variable ${v.name} has no values`)
      } else continue
      assert.ok(v.multi && v.includeAll, `${file}: variable ${v.name} is multi-select with All`)
      concrete[v.name] = values[0] ?? ''
      several[v.name] = values.slice(0, 2)
    }
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        let anyRows = false
        for (const vars of [all, concrete, several]) {
          const sql = expand(t.rawSql ?? '', { from, to, intervalS, vars })
          let r: Result
          const t0 = performance.now()
          try {
            r = await run(sql)
          } catch (err) {
            assert.fail(`${file}: "${p.title}" (${range.name}) failed: ${String(err)}\n${sql}`)
          }
          runs++
          const ms = performance.now() - t0
          if (ms > slowest.ms) slowest = { ms, at: `${file}: "${p.title}"` }
          if (r.rows > 0) anyRows = true
          if (p.type === 'timeseries') checkTimeseries(file, p, r)
          else checkColumns(file, p, r)
        }
        if (anyRows) panelsWithRows++
        else if (range.mustHaveRows && !mayBeEmpty.includes(p.title))
          assert.fail(`${file}: "${p.title}" (${range.name}) returned no rows`)
      }
    }
  }
  return { runs, panelsWithRows, slowest: `${slowest.ms.toFixed(0)} ms ${slowest.at}` }
}

function checkTimeseries(file: string, p: Panel, r: Result): void {
  const title = p.title
  const first = r.meta[0]
  assert.ok(first, `${file}: "${title}" has no columns`)
  assert.match(first.type, /^DateTime/, `${file}: "${title}" first column ${first.type}`)
  const times = r.data.map((row) => String(row[first.name]))
  assert.deepEqual(times, [...times].sort(), `${file}: "${title}" not ordered by time`)
  if (r.rows > 1)
    assert.ok(new Set(times).size > 1 || r.meta.length > 2, `${file}: "${title}" one bucket`)
  // Named series: by the `series` column, at most MAX_SERIES of them.
  if (p.fieldConfig?.defaults.displayName?.includes('__field.labels.series')) {
    assert.ok(
      r.meta.some((m) => m.name === 'series'),
      `${file}: "${title}" has no series column`,
    )
    const series = new Set(r.data.map((row) => String(row['series'])))
    assert.ok(series.size <= MAX_SERIES, `${file}: "${title}" ${series.size} series`)
    assert.ok(![...series].includes(''), `${file}: "${title}" unnamed series`)
  }
}

const NUMERIC = /^(Nullable\()?(U?Int|Float|Decimal)/

/**
 * A table's numeric columns each have a unit (an override by name or the default);
 * the fields its data links and map read are columns of its answer.
 */
function checkColumns(file: string, p: Panel, r: Result): void {
  const names = new Set(r.meta.map((m) => m.name))
  const overrides = p.fieldConfig?.overrides ?? []
  const unitOf = (name: string): unknown =>
    overrides
      .find((o) => o.matcher.id === 'byName' && o.matcher.options === name)
      ?.properties.find((x) => x.id === 'unit')?.value ?? p.fieldConfig?.defaults.unit
  for (const m of r.meta)
    if (NUMERIC.test(m.type))
      assert.ok(unitOf(m.name), `${file}: "${p.title}" ${m.name} has no unit`)
  for (const o of overrides) {
    const links = o.properties.find((x) => x.id === 'links')?.value as Link[] | undefined
    if (!links) continue
    assert.ok(
      names.has(o.matcher.options),
      `${file}: "${p.title}" links on missing ${o.matcher.options}`,
    )
    for (const l of links)
      for (const [, f] of l.url.matchAll(/__data\.fields\.(\w+)/g))
        assert.ok(names.has(f ?? ''), `${file}: "${p.title}" link reads missing field ${f}`)
  }
  if (p.type === 'geomap') {
    const layers = (p.options?.['layers'] ?? []) as {
      location: { lookup: string }
      config: { size: { field: string } }
    }[]
    for (const l of layers) {
      assert.ok(names.has(l.location.lookup), `${file}: map lookup ${l.location.lookup}`)
      assert.ok(names.has(l.config.size.field), `${file}: map size ${l.config.size.field}`)
    }
  }
}
