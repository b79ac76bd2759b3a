// Every panel of every provisioned Grafana dashboard (grafana/dashboards), run on an
// engine the way the ClickHouse datasource runs it: macros and variables expanded
// (appliance/grafana-macros.ts) for "All" and for a concrete value of each variable taken
// from its own query, over fixture flows spread across 30 days. Shared by the dashboard
// tests on the embedded engine and under the grafana user's grants.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { ClickHouseClient } from '@clickhouse/client'
import { ALL, expand } from '../appliance/grafana-macros.js'
import { FIXTURE_COLUMNS, fixtureRows } from './fixture-rows.js'

export const GRAFANA = new URL('../../../grafana/', import.meta.url).pathname

export interface Target {
  refId: string
  datasource?: { type?: string; uid?: string }
  editorType?: string
  format?: number
  rawSql?: string
}
export interface Panel {
  id: number
  type: string
  title: string
  datasource?: { type?: string; uid?: string }
  targets?: Target[]
}
export interface Variable {
  name: string
  type: string
  query?: string
  includeAll?: boolean
  datasource?: { uid?: string }
}
export interface Dashboard {
  uid: string
  title: string
  panels: Panel[]
  templating: { list: Variable[] }
}

/** [file name, dashboard] of every dashboard JSON. */
export const dashboards = readdirSync(join(GRAFANA, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map(
    (f) =>
      [f, JSON.parse(readFileSync(join(GRAFANA, 'dashboards', f), 'utf8')) as Dashboard] as const,
  )

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
 * `files` limits it to those dashboards (file names under grafana/dashboards).
 */
export async function runEveryPanel(
  run: Run,
  range: (typeof RANGES)[number],
  now: number,
  files?: readonly string[],
): Promise<{ runs: number; panelsWithRows: number }> {
  const from = now - range.seconds
  const to = now
  const intervalS = Math.max(1, Math.round(range.seconds / 1000))
  let panelsWithRows = 0
  let runs = 0
  for (const [file, d] of dashboards) {
    if (files && !files.includes(file)) continue
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
          if (p.type === 'timeseries') checkTimeseries(file, p.title, r)
        }
        if (anyRows) panelsWithRows++
        else if (range.mustHaveRows)
          assert.fail(`${file}: "${p.title}" (${range.name}) returned no rows`)
      }
    }
  }
  return { runs, panelsWithRows }
}

function checkTimeseries(file: string, title: string, r: Result): void {
  const first = r.meta[0]
  assert.ok(first, `${file}: "${title}" has no columns`)
  assert.match(first.type, /^DateTime/, `${file}: "${title}" first column ${first.type}`)
  const times = r.data.map((row) => String(row[first.name]))
  assert.deepEqual(times, [...times].sort(), `${file}: "${title}" not ordered by time`)
  if (r.rows > 1)
    assert.ok(new Set(times).size > 1 || r.meta.length > 2, `${file}: "${title}" one bucket`)
}
