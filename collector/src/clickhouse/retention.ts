// Retention: the TTL of each table follows the configured days (ALTER ... MODIFY TTL at
// start when they differ), ClickHouse's own log tables get a TTL, and a size limit drops
// the oldest partitions when flowloft's tables pass it on disk. On a cluster both act on
// every shard's local tables (ON CLUSTER), and the size limit holds for each shard.
import type { ClickHouseClient } from '@clickhouse/client'
import { DATABASE } from './engine.js'
import { NOT_ROLLED } from './rollup-schedule.js'
import {
  LOCAL_SUFFIX,
  localTable,
  ONE_SERVER,
  onCluster,
  type Placement,
} from './cluster-placement.js'

export interface RetentionDays {
  rawDays: number
  rollup1mDays: number
  rollup1hDays: number
  countersDays: number
  systemLogDays: number
}

/** Table, its time column and its days; also the order in which the size limit drops. */
export function retentionTables(
  r: RetentionDays,
): { table: string; column: string; days: number }[] {
  return [
    { table: 'flows', column: 'time_received', days: r.rawDays },
    { table: 'sflow_counters', column: 'time_received', days: r.countersDays },
    { table: 'flows_1m', column: 'time', days: r.rollup1mDays },
    { table: 'flows_1h', column: 'time', days: r.rollup1hDays },
    // schema/0007_history_rollups.sql: the minutes as flows_1m, the rest as flows_1h.
    { table: 'flows_hosts_1m', column: 'time', days: r.rollup1mDays },
    { table: 'flows_hosts_1h', column: 'time', days: r.rollup1hDays },
    { table: 'flows_hosts_1d', column: 'time', days: r.rollup1hDays },
    { table: 'flows_1d', column: 'time', days: r.rollup1hDays },
    { table: 'device_seen', column: 'last_seen', days: r.rollup1hDays },
    // schema/0009_device_rollups.sql: as flows_1h.
    { table: 'device_traffic_1h', column: 'time', days: r.rollup1hDays },
    // schema/0010_pairs_rollup.sql: as flows_hosts_1d.
    { table: 'flows_pairs_1d', column: 'time', days: r.rollup1hDays },
  ]
}

async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONEachRow' })
  return rs.json<T>()
}

/** Days of a `TTL col + INTERVAL n DAY` clause in `engine_full`, null when there is none. */
export function ttlDays(engineFull: string): number | null {
  const m = /\bTTL\s+\w+\s*\+\s*toIntervalDay\((\d+)\)/.exec(engineFull)
  return m ? Number(m[1]) : null
}

/** Runs a statement the collector can live without (optional-statements.ts). */
export type RunOptional = (target: string, statement: () => Promise<void>) => Promise<boolean>

const tryOptional: RunOptional = (_t, statement) =>
  statement().then(
    () => true,
    () => false,
  )

/**
 * Apply the configured TTLs; returns what was changed (`table: old -> new`). A server's
 * system log tables are optional and left alone when `systemLogDays` is 0 (the
 * appliance sets them in its server's config.d): a refused TTL there goes through
 * `optional`, and start-up goes on.
 */
export async function applyRetention(
  client: ClickHouseClient,
  r: RetentionDays,
  optional: RunOptional = tryOptional,
  p: Placement = ONE_SERVER,
): Promise<string[]> {
  const changed: string[] = []
  const tables = await rows<{ database: string; name: string; engine_full: string }>(
    client,
    `SELECT database, name, engine_full FROM system.tables
     WHERE (database = '${DATABASE}') OR (database = 'system' AND name LIKE '%\\_log' AND engine LIKE '%MergeTree')`,
  )
  const want = new Map(retentionTables(r).map((t) => [`${DATABASE}.${localTable(p, t.table)}`, t]))
  for (const t of tables) {
    const full = `${t.database}.${t.name}`
    const w = want.get(full)
    // Only on a server: the embedded engine keeps no system log tables (checked).
    const system = !w && t.database === 'system' && r.systemLogDays > 0
    if (!w && !system) continue
    const column = w?.column ?? 'event_date'
    const days = w?.days ?? r.systemLogDays
    const now = ttlDays(t.engine_full)
    if (now === days) continue
    const alter = (): Promise<void> =>
      client
        .command({
          query: `ALTER TABLE ${full}${w ? onCluster(p) : ''} MODIFY TTL ${column} + INTERVAL ${days} DAY`,
        })
        .then(() => undefined)
    if (system) {
      if (!(await optional(full, alter))) continue
    } else await alter()
    changed.push(`${full}: ${now ?? 'none'} -> ${days} days`)
  }
  return changed
}

export interface DroppedPartition {
  table: string
  partition: string
  bytes: number
}

interface PartSize {
  /** The shard ('' on one server): each of its replicas holds all of it. */
  shard: string
  /** The table's name as users know it. */
  table: string
  partition_id: string
  bytes: number
}

/** Active bytes per shard, table and partition of flowloft's tables. */
async function partSizes(client: ClickHouseClient, p: Placement): Promise<PartSize[]> {
  const [shard, from] =
    p.cluster === ''
      ? ["''", 'system.parts']
      : ['toString(_shard_num)', `${DATABASE}.cluster_parts`]
  const got = await rows<{ shard: string; table: string; partition_id: string; bytes: string }>(
    client,
    `SELECT ${shard} AS shard, table, partition_id, sum(bytes_on_disk) AS bytes FROM ${from}
     WHERE database = '${DATABASE}' AND active GROUP BY shard, table, partition_id`,
  )
  return got.map((x) => ({
    ...x,
    table:
      p.cluster !== '' && x.table.endsWith(LOCAL_SUFFIX)
        ? x.table.slice(0, -LOCAL_SUFFIX.length)
        : x.table,
    bytes: Number(x.bytes),
  }))
}

/**
 * The first partition of each table the rollup job has yet to roll from (schema/0011):
 * the hosts' minutes from the day of the hours' mark, their hours from the month of the
 * days' mark, their days from the month of the pairs' mark. None while the views feed every row (no marks, or NOT_ROLLED).
 */
async function unrolledFrom(client: ClickHouseClient): Promise<Map<string, number>> {
  const rs = await client.query({
    query: `SELECT toString(target) AS target, toYYYYMMDD(max(filled_until)) AS day,
        toYYYYMM(max(filled_until)) AS month
      FROM ${DATABASE}.rollup_fill GROUP BY target
      HAVING max(filled_until) < toDateTime(${NOT_ROLLED})`,
    format: 'JSONEachRow',
  })
  const marks = await rs.json<{ target: string; day: number; month: number }>()
  const of = (t: string): { day: number; month: number } | undefined =>
    marks.find((m) => m.target === t)
  const keep = new Map<string, number>()
  const hours = of('flows_hosts_1h')
  if (hours) keep.set('flows_hosts_1m', hours.day)
  const days = of('flows_hosts_1d')
  if (days) keep.set('flows_hosts_1h', days.month)
  const pairs = of('flows_pairs_1d')
  if (pairs) keep.set('flows_hosts_1d', pairs.month)
  return keep
}

/**
 * When active parts of flowloft's tables hold more than `maxBytes` (on a cluster: on
 * the fullest shard), drop whole partitions, oldest first (never one the rollup job has
 * yet to roll from: unrolledFrom): the clear copy of
 * anonymise.clear_days first, then raw flows, then counters, then the rollups, finest
 * first (the hosts' before the local side's of each grain; the per-device hours, the
 * smallest, last); the newest partition of each table is never dropped. On a cluster a
 * partition (a day) is dropped on every shard. 0 turns it off.
 */
export async function enforceDiskLimit(
  client: ClickHouseClient,
  maxBytes: number,
  order: readonly string[] = [
    // anonymise.clear_days: the clear copy of the last days, whose anonymised rows stay.
    'flows_clear',
    'flows',
    'sflow_counters',
    'flows_hosts_1m',
    'flows_1m',
    'flows_hosts_1h',
    'flows_1h',
    'flows_hosts_1d',
    'flows_pairs_1d',
    'flows_1d',
    'device_traffic_1h',
  ],
  p: Placement = ONE_SERVER,
): Promise<DroppedPartition[]> {
  if (maxBytes <= 0) return []
  const parts = await partSizes(client, p)
  const totals = new Map<string, number>()
  for (const x of parts) totals.set(x.shard, (totals.get(x.shard) ?? 0) + x.bytes)
  const fullest = (): number => Math.max(0, ...totals.values())
  const dropped: DroppedPartition[] = []
  const keep = await unrolledFrom(client)
  for (const table of order) {
    const mine = parts.filter((x) => x.table === table && /^\d+$/.test(x.partition_id))
    const ids = [...new Set(mine.map((x) => x.partition_id))].sort((a, b) => Number(a) - Number(b))
    const kept = keep.get(table) ?? Infinity
    for (const id of ids.slice(0, -1).filter((x) => Number(x) < kept)) {
      if (fullest() <= maxBytes) return dropped
      await client.command({
        query: `ALTER TABLE ${DATABASE}.${localTable(p, table)}${onCluster(p)} DROP PARTITION ID '${id}'`,
      })
      let bytes = 0
      for (const x of mine.filter((y) => y.partition_id === id)) {
        totals.set(x.shard, (totals.get(x.shard) ?? 0) - x.bytes)
        bytes += x.bytes
      }
      dropped.push({ table, partition: id, bytes })
    }
  }
  return dropped
}
