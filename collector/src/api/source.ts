// Which table answers a read: raw flows, or the per-minute / per-hour / per-day rollups
// fed by materialized views (schema/0002_rollups.sql, 0007_history_rollups.sql). Two
// families: flows_1m/_1h/_1d keep the local side only, with exporters and interfaces;
// flows_hosts_1m/_1h/_1d keep both addresses and their names, without exporters and
// interfaces; flows_pairs_1d (schema/0010_pairs_rollup.sql) is flows_hosts_1d without
// protocol, service port and app, so it answers before it when none is asked. The coarsest table of the family that holds the dimension and covers the window:
//   - it has the dimension asked for (rollups keep no single port; flows_1m/_1h/_1d no
//     remote host or names);
//   - it still holds the window's start (its retention, in days);
//   - its grain fits: the window's edges fall on its minutes/hours, so the answer equals
//     the raw one, or the window is long enough that widening it to whole minutes (over
//     6 hours), whole hours (7 days or more) or whole days (30 days or more) changes
//     little: the answer then reports the widened window. A time series step must be a whole number of grains.
// Otherwise raw flows, unless they no longer reach the start and a rollup does.
// One device's sided rows and nothing else, or the whole network's time series
// (schema/0009_device_rollups.sql): where flows_1h or flows_1d would answer,
// device_traffic_1h does (the same sums per hour and direction, sorted by device, so a
// month of every device's hours is not read for one, nor every exporter's and
// interface's rows for the totals).
// The same thresholds as the Grafana dashboards (grafana/generate.mjs).
import { HTTPException } from 'hono/http-exception'
import { parseChoice, type Window } from './params.js'

export const SOURCES = [
  'flows',
  'flows_1m',
  'flows_1h',
  'flows_1d',
  'flows_hosts_1m',
  'flows_hosts_1h',
  'flows_hosts_1d',
  'flows_pairs_1d',
  'device_traffic_1h',
] as const
export type Source = (typeof SOURCES)[number]

/** The `source` query parameter: a table, or `auto` (also when absent). */
export function parseSource(v: string | undefined): Source | 'auto' {
  return parseChoice('source', v, [...SOURCES, 'auto']) ?? 'auto'
}

export interface RetentionDays {
  rawDays: number
  rollup1mDays: number
  rollup1hDays: number
}

export const DEFAULT_RETENTION: RetentionDays = { rawDays: 15, rollup1mDays: 7, rollup1hDays: 400 }

export type RollupSource = Exclude<Source, 'flows'>

/** flows_1m/_1h/_1d, flows_hosts_1m/_1h/_1d, flows_pairs_1d. */
type Family = 'local' | 'hosts' | 'pairs'

interface Rollup {
  name: RollupSource
  family: Family
  grain: number
  /** Windows at least this long may be widened to the grain. */
  widenFrom: number
  days: (r: RetentionDays) => number
}

const DAYS = { grain: 86400, widenFrom: 30 * 86400, days: (r: RetentionDays) => r.rollup1hDays }

/** Coarsest first; of one grain, the smaller table first. */
const ROLLUPS: readonly Rollup[] = [
  { name: 'flows_pairs_1d', family: 'pairs', ...DAYS },
  ...(['local', 'hosts'] as const).flatMap((family): Rollup[] => {
    const name = (grain: string): RollupSource =>
      `flows_${family === 'hosts' ? 'hosts_' : ''}${grain}` as RollupSource
    return [
      { name: name('1d'), family, ...DAYS },
      { name: name('1h'), family, grain: 3600, widenFrom: 7 * 86400, days: (r) => r.rollup1hDays },
      { name: name('1m'), family, grain: 60, widenFrom: 6 * 3600 + 1, days: (r) => r.rollup1mDays },
    ]
  }),
]

/** Whether a table keeps both addresses of a flow and their names (flows_hosts_*, flows_pairs_1d). */
export const keepsAddresses = (source: Source): boolean =>
  ROLLUPS.some((r) => r.name === source && r.family !== 'local')

/** The next coarser table of a rollup's family (flows_1m -> flows_1h -> flows_1d). */
export function coarserOf(source: Source): { table: RollupSource; grain: number } | undefined {
  const r = ROLLUPS.find((x) => x.name === source)
  const up = ROLLUPS.filter((x) => r && x.family === r.family && x.grain > r.grain)
  const next = up[up.length - 1]
  return next && { table: next.name, grain: next.grain }
}

/** The per-device hours: flows_1h's sums per device, hour and direction. */
export const DEVICE_HOURS = 'device_traffic_1h'

/** The grain of a source in seconds (1 for raw flows). */
export const grainOf = (source: Source): number =>
  source === DEVICE_HOURS ? 3600 : (ROLLUPS.find((r) => r.name === source)?.grain ?? 1)

export interface SourceChoice extends Window {
  source: Source
}

export interface SourceRequest {
  window: Window
  /** Whether flows_1m/_1h/_1d hold the dimension (with the direction filter asked for). */
  rollup: boolean
  /**
   * Whether flows_hosts_1m/_1h/_1d hold it; they answer only when flows_1m/_1h/_1d
   * cannot (those are smaller for what both hold).
   */
  hosts?: boolean
  /**
   * Whether flows_pairs_1d holds it too, where flows_hosts_* do (no protocol, service or
   * app asked for or filtered on); it answers before flows_hosts_1d.
   */
  pairs?: boolean
  /** Whether device_traffic_1h holds it (one device, at most a direction filter). */
  device?: boolean
  /**
   * flows_1m/_1h/_1d answer only approximately (they name only the sender of an internal
   * flow): take one only for a window long enough to be widened, or one raw flows no
   * longer reach, never because the window's edges happen to fall on whole minutes.
   */
  approximate?: boolean
  /** Time series step, seconds. */
  step?: number
  /** `source` from the query string; `auto` or absent chooses. */
  forced?: Source | 'auto'
  retention: RetentionDays
  now: number
}

const widen = (w: Window, grain: number): Window => ({
  from: Math.floor(w.from / grain) * grain,
  to: Math.ceil(w.to / grain) * grain,
})

export function chooseSource(q: SourceRequest): SourceChoice {
  const c = chooseTable(q)
  if (q.device !== true || (c.source !== 'flows_1h' && c.source !== 'flows_1d')) return c
  if (q.forced !== undefined && q.forced !== 'auto') return c
  return { ...c, source: DEVICE_HOURS }
}

function chooseTable(q: SourceRequest): SourceChoice {
  const { window: w, step, now } = q
  const stepFits = (grain: number): boolean => step === undefined || step % grain === 0
  const holds = (r: Rollup): boolean =>
    r.family === 'local'
      ? q.rollup
      : q.hosts === true && !q.rollup && (r.family === 'hosts' || q.pairs === true)
  if (q.forced !== undefined && q.forced !== 'auto') {
    if (q.forced === 'flows') return { source: 'flows', ...w }
    if (q.forced === DEVICE_HOURS) {
      if (q.device !== true)
        throw new HTTPException(400, { message: `${DEVICE_HOURS} holds one device only` })
      if (!stepFits(3600))
        throw new HTTPException(400, {
          message: `step must be a multiple of 3600 on ${DEVICE_HOURS}`,
        })
      return { source: DEVICE_HOURS, ...widen(w, 3600) }
    }
    const r = ROLLUPS.find((x) => x.name === q.forced)
    const has = r && (r.family === 'local' ? q.rollup : q.hosts === true)
    if (!r || !has || (r.family === 'pairs' && q.pairs !== true))
      throw new HTTPException(400, { message: `${q.forced} does not hold this dimension` })
    if (!stepFits(r.grain))
      throw new HTTPException(400, {
        message: `step must be a multiple of ${r.grain} on ${r.name}`,
      })
    return { source: r.name, ...widen(w, r.grain) }
  }
  const family = ROLLUPS.filter(holds)
  if (family.length === 0) return { source: 'flows', ...w }
  const reaches = (days: number, from: number): boolean => from >= now - days * 86400
  for (const r of family) {
    const wide = widen(w, r.grain)
    const aligned = wide.from === w.from && wide.to === w.to
    const longEnough = w.to - w.from >= r.widenFrom
    // flows_hosts_* and flows_pairs_1d see both sides of an internal flow, as raw flows do.
    const exact = aligned && (r.family !== 'local' || q.approximate !== true)
    if (stepFits(r.grain) && reaches(r.days(q.retention), wide.from) && (exact || longEnough))
      return { source: r.name, ...wide }
  }
  if (reaches(q.retention.rawDays, w.from)) return { source: 'flows', ...w }
  // Raw flows are gone at the start: the finest rollup that still has it.
  for (const r of [...family].reverse()) {
    const wide = widen(w, r.grain)
    if (stepFits(r.grain) && reaches(r.days(q.retention), wide.from))
      return { source: r.name, ...wide }
  }
  return { source: 'flows', ...w }
}

/**
 * The finest step the kept data has for a window: raw flows' while they reach its start
 * (the caller's step stands), else the grain of the finest rollup that does, so a window
 * of last month is drawn per hour rather than asked per minute and found empty.
 */
export function finestStep(w: Window, retention: RetentionDays, now: number): number {
  if (w.from >= now - retention.rawDays * 86400) return 1
  for (const r of ROLLUPS.filter((x) => x.family === 'local').reverse())
    if (widen(w, r.grain).from >= now - r.days(retention) * 86400) return r.grain
  return 3600
}
