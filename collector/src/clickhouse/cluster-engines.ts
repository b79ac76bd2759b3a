// Table engines on a cluster: the MergeTree family becomes its Replicated twin, kept in
// Keeper under one path per shard, and each table users query is a Distributed table
// over the shards' local tables.
import { DATABASE } from './engine-config.js'

const MERGE_TREE =
  /^(|Summing|Replacing|Aggregating|Collapsing|VersionedCollapsing|Coalescing)MergeTree$/

/** Keeper path of a replicated table; `{shard}` and `{replica}` are the servers' macros. */
export function keeperPath(table: string, perShard = true): string {
  return `/clickhouse/tables/${perShard ? '{shard}' : 'all'}/${DATABASE}/${table}`
}

/**
 * `Replicated<Engine>('<path>', '{replica}'[, args])` for a MergeTree-family engine;
 * throws for any other engine (it has no replicated form).
 */
export function replicatedEngine(
  engine: string,
  args: string,
  table: string,
  perShard = true,
): string {
  if (!MERGE_TREE.test(engine))
    throw new Error(`${DATABASE}.${table}: engine ${engine} has no replicated form`)
  const rest = args.trim() === '' ? '' : `, ${args.trim()}`
  return `Replicated${engine}('${keeperPath(table, perShard)}', '{replica}'${rest})`
}

/**
 * The sharding key of a table: its exporter when it has one (an exporter's flows, their
 * rollups and its interfaces stay together on one shard, so per-shard views and
 * ReplacingMergeTree tables see all of an exporter), else its first column. Both are
 * deterministic, so a retried insert splits the same way and its deduplication token
 * still matches on every shard.
 */
export function shardingKey(columns: readonly string[]): string {
  const key = columns.includes('exporter') ? 'exporter' : columns[0]
  if (key === undefined) throw new Error('a table without columns has no sharding key')
  return `cityHash64(${key})`
}

export function distributedEngine(cluster: string, local: string, key: string): string {
  return `Distributed(${cluster}, ${DATABASE}, ${local}, ${key})`
}
