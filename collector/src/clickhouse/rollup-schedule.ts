// The rollups filled on a schedule instead of by a view on every insert
// (schema/0011_scheduled_rollups.sql): the hosts' hours from their minutes once an hour
// is over, their days from the hours and the pairs from the days once the hours reach
// the end of a day. Each target's row in rollup_fill says how far it is filled; a roll
// inserts one grain at a time from there up to where its source is complete, and moves
// the mark after each. The insert carries a token named for its range, so a roll
// repeated after a failure between the two steps is not stored twice. One collector's
// hold cannot stop another's inserts: with several collectors on one server the
// schedule is turned off (clickhouse.scheduled_rollups, stopRolling).
//
// Rows of a time already rolled (a spool or journal replayed late) reach the target
// through its view, which passes only those. A roll must not run while such rows are
// being inserted (they would be in neither the roll nor the view): `exclusive` holds
// the writer's inserts into flows while one range is rolled and its mark moved.
import type { ClickHouseClient } from '@clickhouse/client'
import { DATABASE } from './engine-config.js'

const DB = DATABASE

/** The longest a roll may hold the writer's inserts, seconds. */
const HELD_SECONDS = 60
const MARK_TRIES = 3

/** Where rollup_fill has no row (a cluster, whose views feed every row), nothing rolls. */
export const NOT_ROLLED = 4294967295

/** The value of a target's own mark in SQL: its fill, or NOT_ROLLED without one. */
const markSql = (target: string): string =>
  `(SELECT toDateTime(ifNull(maxOrNull(filled_until), ${NOT_ROLLED})) FROM ${DB}.rollup_fill WHERE target = '${target}')`

/**
 * Up to where a reader finds every row of a target in it: its mark, but no further than
 * the whole grains its source's rows reach it for (after the upgrade of schema/0011
 * the days' mark is at the day's end while the hours past their mark are only in the
 * minutes).
 */
export function filledUntilSql(target: string): string {
  const r = scheduledRollup(target)
  if (!r || !scheduledRollup(r.source)) return markSql(target)
  const below = filledUntilSql(r.source)
  return `least(${markSql(target)}, toDateTime(intDiv(toUInt32(${below}), ${r.grain}) * ${r.grain}))`
}

const HOSTS_KEY = `direction, proto, service_port, src_addr, dst_addr, src_host, dst_host,
    src_country, dst_country, src_as, dst_as, app`
const PAIRS_KEY = `direction, src_addr, dst_addr, src_host, dst_host, src_country, dst_country,
    src_as, dst_as`

export interface ScheduledRollup {
  target: string
  source: string
  grain: number
  /** Key columns besides time (the same in the source). */
  key: string
}

/** In the order they roll: each one's source is complete up to the previous one's fill. */
export const SCHEDULED_ROLLUPS: readonly ScheduledRollup[] = [
  { target: 'flows_hosts_1h', source: 'flows_hosts_1m', grain: 3600, key: HOSTS_KEY },
  { target: 'flows_hosts_1d', source: 'flows_hosts_1h', grain: 86400, key: HOSTS_KEY },
  { target: 'flows_pairs_1d', source: 'flows_hosts_1d', grain: 86400, key: PAIRS_KEY },
]

/** The scheduled rollup that fills `target`, if it is one. */
export function scheduledRollup(target: string): ScheduledRollup | undefined {
  return SCHEDULED_ROLLUPS.find((r) => r.target === target)
}

export interface RollOptions {
  /** Unix seconds. */
  now: number
  /**
   * Seconds after an hour ends before it is rolled: rows of the hour still held by the
   * writer then come through the views, but each one the views pass costs what it cost
   * before the schedule.
   */
  settleSeconds: number
  /**
   * Runs a roll while no insert into flows is in flight (the writer's hold); undefined
   * when it may not run now (Writer.exclusive), and the roll waits for its next turn.
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T | undefined>
}

export interface Rolled {
  target: string
  from: number
  to: number
}

/**
 * One roll of every scheduled rollup that is due: one grain per insert (one hour, one
 * day), its mark moved with it under the writer's hold, which is let go between them.
 * The ranges inserted.
 */
export async function rollDue(c: ClickHouseClient, o: RollOptions): Promise<Rolled[]> {
  const hold = o.exclusive ?? (<T>(fn: () => Promise<T>): Promise<T | undefined> => fn())
  const done: Rolled[] = []
  const fills = await readFills(c)
  // Hours: every whole hour over for settleSeconds; days: every day the hours cover.
  let upTo = o.now - o.settleSeconds
  for (const r of SCHEDULED_ROLLUPS) {
    // No mark (rollup_fill emptied to turn the schedule back on): as the migration sets
    // it, held (until it is there the views pass every row).
    const from = fills.get(r.target) ?? (await hold(() => startMark(c, r)))
    if (from === undefined || from >= NOT_ROLLED) return done
    const to = Math.floor(upTo / r.grain) * r.grain
    let at = from
    while (at < to) {
      const range = await hold(() => rollNext(c, r, at, to))
      if (!range) return done
      if (range.rows) done.push({ target: r.target, from: range.from, to: range.to })
      at = range.to
    }
    upTo = at
  }
  return done
}

/**
 * Rolling off (clickhouse.scheduled_rollups false): everything rolled first, the current
 * hour and day too, so the marks pass every row stored; then every mark at NOT_ROLLED, so
 * the views feed every row (and the reads follow). False, and nothing changed past the
 * rolls, when the writer's hold refused them: to be tried again.
 */
export async function stopRolling(
  c: ClickHouseClient,
  o: Pick<RollOptions, 'now' | 'exclusive'>,
): Promise<boolean> {
  const ahead = o.now + 2 * 86400
  await rollDue(c, {
    now: ahead,
    settleSeconds: 0,
    ...(o.exclusive ? { exclusive: o.exclusive } : {}),
  })
  const fills = await readFills(c)
  const rolled = SCHEDULED_ROLLUPS.every(
    (r) => (fills.get(r.target) ?? 0) >= Math.floor(ahead / r.grain) * r.grain,
  )
  if (!rolled) return false
  for (const r of SCHEDULED_ROLLUPS) await setMark(c, r.target, NOT_ROLLED)
  return true
}

/**
 * A mark where there is none (schema/0011's first marks): the end of the current grain
 * when the target has rows of it (the views filled it so far), else its start.
 */
async function startMark(c: ClickHouseClient, r: ScheduledRollup): Promise<number> {
  const rs = await c.query({
    query: `SELECT toUInt32(intDiv(toUInt32(now()), ${r.grain}) * ${r.grain}
        + if(count() > 0, ${r.grain}, 0)) AS mark
      FROM ${DB}.${r.target} WHERE time >= toDateTime(intDiv(toUInt32(now()), ${r.grain}) * ${r.grain})`,
    format: 'JSONEachRow',
  })
  const [row] = await rs.json<{ mark: number }>()
  const mark = row?.mark ?? NOT_ROLLED
  await setMark(c, r.target, mark)
  return mark
}

/** A target's mark moved to `until` (kept as the highest written). */
async function setMark(c: ClickHouseClient, target: string, until: number): Promise<void> {
  await c.command({
    query: `INSERT INTO ${DB}.rollup_fill (target, filled_until)
      SELECT {target:String}, toDateTime({until:UInt32})`,
    query_params: { target, until },
  })
}

async function readFills(c: ClickHouseClient): Promise<Map<string, number>> {
  const rs = await c.query({
    query: `SELECT toString(target) AS target, toUInt32(max(filled_until)) AS until
      FROM ${DB}.rollup_fill GROUP BY target`,
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ target: string; until: number }>()
  return new Map(rows.map((r) => [r.target, r.until]))
}

/**
 * The next range from `from`: up to the end of the first grain with source rows (after a
 * long stop there may be none for days), rolled, and the mark moved to its end. The same
 * range, and so the same token, when a roll cut short is tried again.
 */
async function rollNext(
  c: ClickHouseClient,
  r: ScheduledRollup,
  from: number,
  to: number,
): Promise<Rolled & { rows: boolean }> {
  const first = await firstSourceTime(c, r, from, to)
  const end = Math.min(to, Math.floor(first / r.grain) * r.grain + r.grain)
  const rows = first < to
  // Settings in the statement: on the embedded engine, request settings would stay on
  // the jobs' session for the other jobs. Inserts wait meanwhile: a roll that takes
  // longer fails and lets them go.
  if (rows)
    await c.command({
      query: `${rollSql(r)}
    SETTINGS insert_deduplication_token = {token:String}, max_execution_time = ${HELD_SECONDS}`,
      query_params: { from, to: end, token: `roll:${r.target}:${from}:${end}` },
    })
  // The mark moves before the hold ends: a row of the range inserted after it would
  // reach neither the roll nor the view. A failure is tried again, then thrown.
  for (let attempt = 1; ; attempt++) {
    try {
      await setMark(c, r.target, end)
      break
    } catch (err) {
      if (attempt >= MARK_TRIES) throw err
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
  return { target: r.target, from, to: end, rows }
}

async function firstSourceTime(
  c: ClickHouseClient,
  r: ScheduledRollup,
  from: number,
  to: number,
): Promise<number> {
  const rs = await c.query({
    query: `SELECT toUInt32(ifNull(minOrNull(time), toDateTime({to:UInt32}))) AS first
      FROM ${DB}.${r.source}
      WHERE time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})
      SETTINGS max_execution_time = ${HELD_SECONDS}`,
    query_params: { from, to },
    format: 'JSONEachRow',
  })
  const [row] = await rs.json<{ first: number }>()
  return row?.first ?? to
}

/**
 * The roll of one range (parameters from, to): the source's rows summed per grain, UTC's
 * hours and days (as the views of schema/0011 and the API's windows).
 */
function rollSql(r: ScheduledRollup): string {
  return `INSERT INTO ${DB}.${r.target} (time, ${r.key}, bytes, packets, flows)
    SELECT toDateTime(intDiv(toUInt32(${r.source}.time), ${r.grain}) * ${r.grain}) AS rolled, ${r.key},
      sum(${r.source}.bytes), sum(${r.source}.packets), sum(${r.source}.flows)
    FROM ${DB}.${r.source}
    WHERE ${r.source}.time >= toDateTime({from:UInt32}) AND ${r.source}.time < toDateTime({to:UInt32})
    GROUP BY rolled, ${r.key}`
}
