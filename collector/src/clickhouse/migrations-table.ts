// The migration runner's own tables: the database, flowloft.schema_migrations (which
// versions are applied, when and by which collector) and, on a cluster,
// flowloft.cluster_parts (every shard's system.parts, for the disk limit). On a cluster
// schema_migrations is one replicated table across all shards (one Keeper path, every
// server a replica), written with a quorum and read with sequential consistency, so a
// collector on any server sees a version as soon as the collector that applied it does.
import type { ClickHouseClient } from '@clickhouse/client'
import { DATABASE } from './engine-config.js'
import { replicatedEngine } from './cluster-engines.js'
import { onCluster, type Placement } from './cluster-placement.js'

const COLUMNS = `(version UInt32, name String, applied_at DateTime DEFAULT now(), applied_by String DEFAULT '')`

/** What the runner creates before it reads the applied versions (all idempotent). */
export function runnerTables(p: Placement): string[] {
  const c = onCluster(p)
  const engine =
    p.cluster === ''
      ? 'ReplacingMergeTree'
      : replicatedEngine('ReplacingMergeTree', '', 'schema_migrations', false)
  const out = [
    `CREATE DATABASE IF NOT EXISTS ${DATABASE}${c}`,
    `CREATE TABLE IF NOT EXISTS ${DATABASE}.schema_migrations${c} ${COLUMNS}
      ENGINE = ${engine} ORDER BY version`,
  ]
  if (p.cluster !== '')
    out.push(
      `CREATE TABLE IF NOT EXISTS ${DATABASE}.cluster_parts${c} AS system.parts
        ENGINE = Distributed(${p.cluster}, system, parts)`,
    )
  return out
}

/** Create the runner's tables; a schema_migrations from before `applied_by` gets it. */
export async function prepareRunnerTables(client: ClickHouseClient, p: Placement): Promise<void> {
  for (const query of runnerTables(p)) await client.command({ query })
  const rs = await client.query({
    query: `SELECT count() AS n FROM system.columns
      WHERE database = '${DATABASE}' AND table = 'schema_migrations' AND name = 'applied_by'`,
    format: 'JSONEachRow',
  })
  const [has] = await rs.json<{ n: number | string }>()
  if (Number(has?.n) === 0)
    await client.command({
      query: `ALTER TABLE ${DATABASE}.schema_migrations${onCluster(p)} ADD COLUMN IF NOT EXISTS applied_by String DEFAULT ''`,
    })
}

export async function appliedVersions(
  client: ClickHouseClient,
  p: Placement = { cluster: '' },
): Promise<Set<number>> {
  const rs = await client.query({
    query: `SELECT version FROM ${DATABASE}.schema_migrations`,
    format: 'JSONEachRow',
    ...(p.cluster === '' ? {} : { clickhouse_settings: { select_sequential_consistency: '1' } }),
  })
  const rows = await rs.json<{ version: number }>()
  return new Set(rows.map((r) => r.version))
}

export async function recordApplied(
  client: ClickHouseClient,
  p: Placement,
  m: { version: number; name: string },
  by: string,
): Promise<void> {
  const text = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  await client.command({
    query: `INSERT INTO ${DATABASE}.schema_migrations (version, name, applied_by) VALUES (${m.version}, ${text(m.name)}, ${text(by)})`,
    ...(p.cluster === ''
      ? {}
      : { clickhouse_settings: { insert_quorum: 'auto', insert_quorum_parallel: 0 } }),
  })
}
