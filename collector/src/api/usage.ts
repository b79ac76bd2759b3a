// What a page of the console says about its subject (a device, a remote host, an AS, a
// country, a service, an exporter or interface: any set of filters.ts filters): first
// and last seen and the bytes in and out over the last 24 h, 7 d and 30 d, from the
// rollups (whole days per day and the rest per hour for the weeks, per minute for the
// last day; first and last seen to the minute while the minutes are kept, a device's
// from device_seen): flows_1d/_1h/_1m, or flows_hosts_1d/_1h/_1m for a remote address
// (the days from flows_pairs_1d when no protocol, service or app is asked), or for one device its hours (device_traffic_1h) for the days and hours and flows_1m,
// or raw flows when neither holds the subject (a remote address on one exporter).
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
  deviceFilters,
  hostsFilters,
  pairsFilters,
  rollupApproximate,
  rollupFilters,
  SIDED_SUMS,
  sidedParams,
  sidedSource,
  sidedSql,
  type Stitch,
} from './sides-sql.js'
import { DEFAULT_RETENTION, DEVICE_HOURS, type RetentionDays, type Source } from './source.js'

export interface Usage {
  first_seen: number | null
  last_seen: number | null
  usage: { period: '24h' | '7d' | '30d'; in_bytes: number; out_bytes: number }[]
  /** The tables that answered, coarsest first. */
  sources: (Source | 'device_seen')[]
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
  stitch: Stitch = 'none',
): Promise<Sums> {
  const [row] = await readRows<Sums>(engine, {
    query: `SELECT ${columns} FROM ${sidedSql(f, false, source, false, stitch)}`,
    query_params: { ...sidedParams(f, window), now },
  })
  return row ?? {}
}

/** The tables of a family, coarsest first. */
const FAMILIES = {
  local: ['flows_1d', 'flows_1h', 'flows_1m'],
  hosts: ['flows_hosts_1d', 'flows_hosts_1h', 'flows_hosts_1m'],
  // No protocol, service or app asked: the pairs of addresses for the days.
  pairs: ['flows_pairs_1d', 'flows_hosts_1h', 'flows_hosts_1m'],
  // One device: its hours for the days too (they hold the same sums); the minutes'
  // whole hours from them as well (sidedSql's stitch).
  device: [DEVICE_HOURS, DEVICE_HOURS, 'flows_1m'],
} as const satisfies Record<string, readonly [Source, Source, Source]>

/** Whether the filters select one device and nothing else (device_seen answers its seen). */
const deviceOnly = (f: Filters): boolean =>
  f.given.device !== undefined && Object.keys(f.given).length === 1

/** A device's first and last minute from flowloft.device_seen (schema/0007). */
async function deviceSeen(engine: Engine, f: Filters): Promise<Sums> {
  const [row] = await readRows<Sums>(engine, {
    query: `SELECT toUnixTimestamp(min(first_seen)) AS first, toUnixTimestamp(max(last_seen)) AS last,
        count() AS n
      FROM flowloft.device_seen WHERE local_addr = toIPv6({f_device:String})`,
    query_params: f.params,
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
  if (!rollupFilters(f) && !hostsFilters(f)) {
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
  const [days, hours, minutes] =
    FAMILIES[
      deviceFilters(f) ? 'device' : rollupFilters(f) ? 'local' : pairsFilters(f) ? 'pairs' : 'hosts'
    ]
  const tables = [...new Set([days, hours, minutes])]
  // 7 d and 30 d: whole days from the days; from the hours, those before the period's
  // first whole day (from the first hour starting in the period, as before) and today's.
  const today = Math.floor(now / DAY) * DAY
  const dayAfter = (t: number): number => Math.ceil(t / DAY) * DAY
  const whole = (name: string, seconds: number): string =>
    `sumIf(flow_bytes, is_in = 1 AND time_received >= toDateTime(${dayAfter(now - seconds)})) AS in_${name},
     sumIf(flow_bytes, is_in = 0 AND time_received >= toDateTime(${dayAfter(now - seconds)})) AS out_${name}`
  const IN_OUT = 'sumIf(flow_bytes, is_in = 1) AS in_b, sumIf(flow_bytes, is_in = 0) AS out_b'
  const edge = (seconds: number): Promise<Sums> =>
    sums(engine, f, hours, { from: now - seconds, to: dayAfter(now - seconds) }, now, IN_OUT)
  const byDevice = deviceOnly(f)
  const [d, h, e7, e30, m, seenRow] = await Promise.all([
    // Before today, as far back as the days are kept (first seen to the day).
    sums(
      engine,
      f,
      days,
      { from: now - retention.rollup1hDays * DAY, to: today },
      now,
      `${SEEN}, ${whole('7d', 7 * DAY)}, ${whole('30d', 30 * DAY)}`,
    ),
    sums(engine, f, hours, { from: today, to: now + 3600 }, now, `${SEEN}, ${IN_OUT}`),
    edge(7 * DAY),
    edge(30 * DAY),
    // The last day, its whole hours from the hours: last seen to the minute when the
    // subject was seen in the last partial hour, else to the hour. The window ends at now
    // (its minute included): one ending past the next hour would read the current,
    // partial hour as a whole one, and last seen to the hour.
    sums(
      engine,
      f,
      minutes,
      { from: now - DAY, to: now + 1 },
      now,
      `${SEEN}, toUnixTimestamp(max(time_received + grain)) AS end, ${IN_OUT}`,
      'device',
    ),
    byDevice ? deviceSeen(engine, f) : Promise.resolve<Sums>({}),
  ])
  const sum = (dir: 'in' | 'out', p: '7d' | '30d', e: Sums): number =>
    v(d, `${dir}_${p}`) + v(e, `${dir}_b`) + v(h, `${dir}_b`)
  const usage = [
    { period: '24h' as const, in_bytes: v(m, 'in_b'), out_bytes: v(m, 'out_b') },
    { period: '7d' as const, in_bytes: sum('in', '7d', e7), out_bytes: sum('out', '7d', e7) },
    { period: '30d' as const, in_bytes: sum('in', '30d', e30), out_bytes: sum('out', '30d', e30) },
  ]
  if (byDevice) {
    const seen = v(seenRow, 'n') > 0 && v(seenRow, 'first') > 0
    return {
      first_seen: seen ? v(seenRow, 'first') : null,
      last_seen: seen ? Math.min(now, v(seenRow, 'last') + 60) : null,
      usage,
      sources: [...tables, 'device_seen'],
    }
  }
  return {
    first_seen: await firstSeen(engine, f, [days, hours, minutes], [d, h, m], retention, now),
    last_seen: await lastSeen(engine, f, [days, hours, minutes], [d, h, m], now),
    usage,
    sources: tables,
  }
}

type Family = readonly [Source, Source, Source]

/** Whether a read of sums found flows. */
const hasFlows = (r: Sums | undefined): boolean => (r?.['n'] ?? 0) > 0

/** The first day, made exact to the hour, then to the minute while the minutes are kept. */
async function firstSeen(
  engine: Engine,
  f: Filters,
  [, hours, minutes]: Family,
  [d, h, m]: readonly Sums[],
  retention: RetentionDays,
  now: number,
): Promise<number | null> {
  const first = (r: Sums | undefined): number => r?.['first'] ?? 0
  let t: number | null = hasFlows(d)
    ? first(d)
    : hasFlows(h)
      ? first(h)
      : hasFlows(m)
        ? first(m)
        : null
  if (t === null) return null
  if (hasFlows(d)) {
    const r = await sums(engine, f, hours, { from: t, to: t + DAY }, now, SEEN)
    if (hasFlows(r)) t = first(r)
  }
  if (t >= now - retention.rollup1mDays * DAY) {
    const r = await sums(engine, f, minutes, { from: t, to: t + 3600 }, now, SEEN)
    if (hasFlows(r)) t = first(r)
  }
  return t
}

/** The end of the last minute, else hour, else day (made exact to the hour) with flows. */
async function lastSeen(
  engine: Engine,
  f: Filters,
  [, hours, minutes]: Family,
  [d, h, m]: readonly Sums[],
  now: number,
): Promise<number | null> {
  const last = (r: Sums | undefined): number => r?.['last'] ?? 0
  if (hasFlows(m)) {
    // An end on the hour may be a whole hour's (the last day's are read from the hours):
    // its last minute, while the minutes are kept.
    const end = m?.['end'] ?? 0
    if (end % 3600 !== 0) return Math.min(now, end)
    const r = await sums(engine, f, minutes, { from: end - 3600, to: end }, now, SEEN)
    return Math.min(now, hasFlows(r) ? last(r) + 60 : end)
  }
  if (hasFlows(h)) return Math.min(now, last(h) + 3600)
  if (!hasFlows(d)) return null
  const r = await sums(engine, f, hours, { from: last(d), to: last(d) + DAY }, now, SEEN)
  return Math.min(now, hasFlows(r) ? last(r) + 3600 : last(d) + DAY)
}

export function usageRoutes(engine: Engine, retention: RetentionDays = DEFAULT_RETENTION): Hono {
  const app = new Hono()

  app.get('/api/usage', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const f = parseFilters(q)
    const w = sidedSource(q, retention, {
      rollup: rollupFilters(f),
      approximate: rollupApproximate(f, false),
      hosts: hostsFilters(f),
      device: deviceFilters(f),
    })
    const [[range], usage] = await Promise.all([
      readRows<Sums>(engine, {
        query: `SELECT ${SIDED_SUMS} FROM ${sidedSql(f, false, w.source, false, 'device')}`,
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
