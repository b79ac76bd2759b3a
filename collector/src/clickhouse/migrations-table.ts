// The migration runner's own tables: the database and flowloft.schema_migrations (which
// versions are applied, when and by which collector).
import type { ClickHouseClient } from '@clickhouse/client'
import { DATABASE } from './engine-config.js'

/** What the runner creates before it reads the applied versions (all idempotent). */
export function runnerTables(): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${DATABASE}`,
    `CREATE TABLE IF NOT EXISTS ${DATABASE}.schema_migrations
      (version UInt32, name String, applied_at DateTime DEFAULT now(), applied_by String DEFAULT '')
      ENGINE = ReplacingMergeTree ORDER BY version`,
  ]
}

/** Create the runner's tables; a schema_migrations from before `applied_by` gets it. */
export async function prepareRunnerTables(client: ClickHouseClient): Promise<void> {
  for (const query of runnerTables()) await client.command({ query })
  const rs = await client.query({
    query: `SELECT count() AS n FROM system.columns
      WHERE database = '${DATABASE}' AND table = 'schema_migrations' AND name = 'applied_by'`,
    format: 'JSONEachRow',
  })
  const [has] = await rs.json<{ n: number | string }>()
  if (Number(has?.n) === 0)
    await client.command({
      query: `ALTER TABLE ${DATABASE}.schema_migrations ADD COLUMN IF NOT EXISTS applied_by String DEFAULT ''`,
    })
}

export async function appliedVersions(client: ClickHouseClient): Promise<Set<number>> {
  const rs = await client.query({
    query: `SELECT version FROM ${DATABASE}.schema_migrations`,
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ version: number }>()
  return new Set(rows.map((r) => r.version))
}

export async function recordApplied(
  client: ClickHouseClient,
  m: { version: number; name: string },
  by: string,
): Promise<void> {
  const text = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  await client.command({
    query: `INSERT INTO ${DATABASE}.schema_migrations (version, name, applied_by) VALUES (${m.version}, ${text(m.name)}, ${text(by)})`,
  })
}
