// GET /api/timeseries: bytes and packets per step, total and by direction, with empty
// steps filled with zeros so a chart's x axis is regular; from the coarsest table that
// covers the window at that step (source.ts); a step finer than the data kept for the
// window (raw flows gone: minutes or hours) is raised to it. With filters (filters.ts),
// from flows seen from the local side (raw, or a rollup unless a remote address is
// asked; one device's per hour from device_traffic_1h, as the whole network's without
// filters): inbound is what the local devices received, outbound what they sent (an
// internal flow counts for both its devices).
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Engine } from '../clickhouse/engine.js'
import { nowSeconds, parseInteger, parseWindow, WINDOW_SQL, DIRECTIONS } from './params.js'
import { hasFilters, parseFilters, type Filters } from './filters.js'
import { readRows } from './read.js'
import {
  deviceFilters,
  hostsFilters,
  pairsFilters,
  rollupApproximate,
  rollupFilters,
  sidedParams,
  sidedSql,
} from './sides-sql.js'
import {
  chooseSource,
  DEFAULT_RETENTION,
  finestStep,
  parseSource,
  type RetentionDays,
  type Source,
} from './source.js'

const MAX_POINTS = 2000
const NICE_STEPS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]

/** A step giving about 120 points over the window. */
export function autoStep(seconds: number): number {
  const want = seconds / 120
  return NICE_STEPS.find((s) => s >= want) ?? 86400
}

type Direction = (typeof DIRECTIONS)[number]
export interface Timeseries {
  from: number
  to: number
  step: number
  /** The table that answered. */
  source: Source
  /** Whether filters applied (then in and out are the local devices'). */
  filtered: boolean
  /** Start of each step, unix seconds. */
  t: number[]
  bytes: Record<'total' | Direction, number[]>
  packets: Record<'total' | Direction, number[]>
}

/** Rows per step and direction of filtered, sided flows (sides-sql.ts). */
function filteredSql(f: Filters, source: Source): string {
  return `SELECT toUnixTimestamp(toStartOfInterval(time_received, toIntervalSecond({step:UInt32}))) AS t,
      if(is_in = 1, 'inbound', 'outbound') AS direction, sum(flow_bytes) AS bytes,
      sum(flow_packets) AS packets
    FROM ${sidedSql(f, false, source)}
    GROUP BY t, direction ORDER BY t`
}

/** Rows per step and direction; parameters from, to, step. */
function seriesSql(source: Source): string {
  const [time, where] =
    source === 'flows'
      ? ['time_received', WINDOW_SQL]
      : ['time', 'time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})']
  return `SELECT toUnixTimestamp(toStartOfInterval(${time}, toIntervalSecond({step:UInt32}))) AS t,
      toString(direction) AS direction, sum(bytes) AS bytes, sum(packets) AS packets
    FROM flowloft.${source} WHERE ${where}
    GROUP BY t, direction ORDER BY t`
}

export function timeseriesRoutes(
  engine: Engine,
  retention: RetentionDays = DEFAULT_RETENTION,
): Hono {
  const app = new Hono()
  app.get('/api/timeseries', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const asked = parseWindow(q)
    const filters = parseFilters(q)
    const filtered = hasFilters(filters)
    const forced = parseSource(q('source'))
    const asks = parseInteger('step', q('step'), autoStep(asked.to - asked.from), 1, 86400 * 7)
    // Never finer than what is kept (the answer says which step it has).
    const finest = forced === 'auto' ? finestStep(asked, retention, nowSeconds()) : 1
    const step = Math.ceil(asks / finest) * finest
    const w = chooseSource({
      window: asked,
      rollup: !filtered || rollupFilters(filters),
      hosts: filtered && hostsFilters(filters),
      pairs: filtered && pairsFilters(filters),
      // The whole network's hours and days: device_traffic_1h's sums per hour and
      // direction over every device (unknown and transit flows under ::) are flows_1h's,
      // from a table a hundred times smaller.
      device: !filtered || deviceFilters(filters),
      approximate: rollupApproximate(filters, false),
      step,
      forced,
      retention,
      now: nowSeconds(),
    })
    const from = Math.floor(w.from / step) * step
    const n = Math.ceil((w.to - from) / step)
    if (n > MAX_POINTS)
      throw new HTTPException(400, { message: `step too small: at most ${MAX_POINTS} points` })
    const rows = await readRows<{
      t: number
      direction: Direction
      bytes: number
      packets: number
    }>(
      engine,
      filtered
        ? {
            query: filteredSql(filters, w.source),
            query_params: { ...sidedParams(filters, w), step },
          }
        : { query: seriesSql(w.source), query_params: { from: w.from, to: w.to, step } },
    )
    const zeros = (): number[] => new Array<number>(n).fill(0)
    const series = (): Timeseries['bytes'] => ({
      total: zeros(),
      unknown: zeros(),
      inbound: zeros(),
      outbound: zeros(),
      internal: zeros(),
      transit: zeros(),
    })
    const out: Timeseries = {
      from: w.from,
      to: w.to,
      step,
      source: w.source,
      filtered,
      t: Array.from({ length: n }, (_, i) => from + i * step),
      bytes: series(),
      packets: series(),
    }
    for (const r of rows) {
      const i = Math.floor((r.t - from) / step)
      if (i < 0 || i >= n) continue
      for (const [k, v] of [
        ['bytes', r.bytes],
        ['packets', r.packets],
      ] as const) {
        out[k].total[i] = (out[k].total[i] ?? 0) + v
        const d = out[k][r.direction]
        d[i] = (d[i] ?? 0) + v
      }
    }
    return c.json(out)
  })
  return app
}
