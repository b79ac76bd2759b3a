// What a page of the console says about its subject (a device, a remote host, an AS, a
// country, a service, an exporter or interface: any set of filters.ts filters): first
// and last seen and the bytes in and out over the last 24 h, 7 d and 30 d, from the
// rollups (per hour for the weeks, per minute for the last day, last seen and first seen
// while the minutes are kept), or raw flows when the rollups do not hold the subject (a remote address).
//   GET /api/usage?FILTERS&from&to   that, plus the bytes of the window asked
//   GET /api/devices/{addr}          that, for one device (its page's facts)
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Engine } from '../clickhouse/engine.js'
import { canonicalAddr, shownAddr } from '../addresses/ip.js'
import { parseFilters, type Filters } from './filters.js'
import { nowSeconds } from './params.js'
import { readRows } from './read.js'
import {
  rollupApproximate,
  rollupFilters,
  SIDED_SUMS,
  sidedParams,
  sidedSource,
  sidedSql,
} from './sides-sql.js'
import { DEFAULT_RETENTION, type RetentionDays, type Source } from './source.js'

export interface Usage {
  first_seen: number | null
  last_seen: number | null
  usage: { period: '24h' | '7d' | '30d'; in_bytes: number; out_bytes: number }[]
  /** The tables that answered, coarsest first. */
  sources: Source[]
}

const DAY = 86400
type Sums = Record<string, number>

/** Bytes in and out since `now - seconds`, as SQL sums named in_{name}, out_{name}. */
const since = (name: string, seconds: number): string =>
  `sumIf(flow_bytes, is_in = 1 AND time_received >= toDateTime({now:UInt32} - ${seconds})) AS in_${name},
   sumIf(flow_bytes, is_in = 0 AND time_received >= toDateTime({now:UInt32} - ${seconds})) AS out_${name}`

const SEEN = `toUnixTimestamp(min(time_received)) AS first, toUnixTimestamp(max(time_received)) AS last,
  count() AS n`

async function sums(
  engine: Engine,
  f: Filters,
  source: Source,
  window: { from: number; to: number },
  now: number,
  columns: string,
): Promise<Sums> {
  const [row] = await readRows<Sums>(engine, {
    query: `SELECT ${columns} FROM ${sidedSql(f, false, source)}`,
    query_params: { ...sidedParams(f, window), now },
  })
  return row ?? {}
}

/** First and last seen and usage of what the filters select. */
export async function usageOf(
  engine: Engine,
  f: Filters,
  retention: RetentionDays,
  now = nowSeconds(),
): Promise<Usage> {
  const v = (r: Sums, k: string): number => r[k] ?? 0
  const period = (r: Sums, p: '24h' | '7d' | '30d') => ({
    period: p,
    in_bytes: v(r, `in_${p}`),
    out_bytes: v(r, `out_${p}`),
  })
  if (!rollupFilters(f)) {
    // Raw flows only: as far back as they are kept.
    const r = await sums(
      engine,
      f,
      'flows',
      { from: now - retention.rawDays * DAY, to: now + 1 },
      now,
      `${SEEN}, ${since('24h', DAY)}, ${since('7d', 7 * DAY)}, ${since('30d', 30 * DAY)}`,
    )
    const seen = v(r, 'n') > 0
    return {
      first_seen: seen ? v(r, 'first') : null,
      last_seen: seen ? v(r, 'last') : null,
      usage: [period(r, '24h'), period(r, '7d'), period(r, '30d')],
      sources: ['flows'],
    }
  }
  const [hours, minutes] = await Promise.all([
    sums(
      engine,
      f,
      'flows_1h',
      { from: now - retention.rollup1hDays * DAY, to: now + 3600 },
      now,
      `${SEEN}, ${since('7d', 7 * DAY)}, ${since('30d', 30 * DAY)}`,
    ),
    // The last day and an hour before it: last seen to the minute when it is that recent.
    sums(
      engine,
      f,
      'flows_1m',
      { from: now - DAY - 3600, to: now + 60 },
      now,
      `${SEEN}, ${since('24h', DAY)}`,
    ),
  ])
  // The first hour made exact to the minute while the minutes are kept.
  let first = v(hours, 'n') > 0 ? v(hours, 'first') : null
  if (first !== null && first >= now - retention.rollup1mDays * DAY) {
    const exact = await sums(engine, f, 'flows_1m', { from: first, to: first + 3600 }, now, SEEN)
    if (v(exact, 'n') > 0) first = v(exact, 'first')
  }
  const last =
    v(minutes, 'n') > 0
      ? v(minutes, 'last') + 60
      : v(hours, 'n') > 0
        ? v(hours, 'last') + 3600
        : null
  return {
    first_seen: first,
    last_seen: last === null ? null : Math.min(now, last),
    usage: [period(minutes, '24h'), period(hours, '7d'), period(hours, '30d')],
    sources: ['flows_1h', 'flows_1m'],
  }
}

export function usageRoutes(engine: Engine, retention: RetentionDays = DEFAULT_RETENTION): Hono {
  const app = new Hono()

  app.get('/api/usage', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const f = parseFilters(q)
    const w = sidedSource(q, rollupFilters(f), retention, rollupApproximate(f, false))
    const [[range], usage] = await Promise.all([
      readRows<Sums>(engine, {
        query: `SELECT ${SIDED_SUMS} FROM ${sidedSql(f, false, w.source)}`,
        query_params: sidedParams(f, w),
      }),
      usageOf(engine, f, retention),
    ])
    return c.json({
      from: w.from,
      to: w.to,
      source: w.source,
      filters: f.given,
      in_bytes: range?.['in_bytes'] ?? 0,
      out_bytes: range?.['out_bytes'] ?? 0,
      flows: range?.['flows'] ?? 0,
      ...usage,
    })
  })

  app.get('/api/devices/:addr', async (c) => {
    const param = c.req.param('addr')
    const device = canonicalAddr(param)
    if (device === null) throw new HTTPException(400, { message: 'addr must be an IP address' })
    const u = await usageOf(
      engine,
      parseFilters((k) => (k === 'device' ? device : undefined)),
      retention,
    )
    return c.json({
      device: shownAddr(param, device),
      first_seen: u.first_seen,
      last_seen: u.last_seen,
      usage: u.usage,
    })
  })
  return app
}
