// Applies the numbered SQL files of schema/ in order and records each in
// flowloft.schema_migrations. Statements are split on lines ending in ';' and run one
// per call (the embedded engine takes one statement per call). Safe to run twice. On a
// cluster the same files are applied in their cluster form (cluster-ddl.ts); with
// `lock`, one collector at a time applies them (schema-lock.ts).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { clusterMigrations } from './cluster-ddl.js'
import { ONE_SERVER, type Placement } from './cluster-placement.js'
import { appliedVersions, prepareRunnerTables, recordApplied } from './migrations-table.js'
import { underSchemaLock, type SchemaLockOptions } from './schema-lock.js'

export const SCHEMA_DIR = new URL('../../../schema/', import.meta.url).pathname

export interface Migration {
  version: number
  name: string
  statements: string[]
}

export function splitStatements(sql: string): string[] {
  const out: string[] = []
  let cur: string[] = []
  for (const line of sql.split('\n')) {
    if (cur.length === 0 && /^\s*(--.*)?$/.test(line)) continue
    cur.push(line)
    if (/;\s*(--.*)?$/.test(line)) {
      out.push(
        cur
          .join('\n')
          .replace(/;\s*(--.*)?$/, '')
          .trim(),
      )
      cur = []
    }
  }
  const rest = cur.join('\n').trim()
  if (rest) out.push(rest)
  return out
}

export function loadMigrations(dir = SCHEMA_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.split('_')[0]),
      name: f,
      statements: splitStatements(readFileSync(join(dir, f), 'utf8')),
    }))
}

export { appliedVersions } from './migrations-table.js'

export interface MigrateOptions {
  /** Where the tables live: one server (default) or a cluster (cluster-ddl.ts). */
  placement?: Placement
  /**
   * Apply under the schema lock (schema-lock.ts), for several collectors on one
   * ClickHouse; without it (the embedded engine, tests) migrations apply directly.
   */
  lock?: Omit<SchemaLockOptions, 'placement'>
  /** Recorded in schema_migrations.applied_by (default: the lock's holder, else ''). */
  appliedBy?: string
}

/** Apply what is missing; returns the names applied. */
export async function migrate(
  client: ClickHouseClient,
  migrations: Migration[] = loadMigrations(),
  upTo = Infinity,
  o: MigrateOptions = {},
): Promise<string[]> {
  const p = o.placement ?? ONE_SERVER
  const plan = p.cluster === '' ? migrations : clusterMigrations(migrations, p)
  await prepareRunnerTables(client, p)
  const pending = async (): Promise<Migration[]> => {
    const done = await appliedVersions(client, p)
    return plan.filter((m) => !done.has(m.version) && m.version <= upTo)
  }
  if ((await pending()).length === 0) return []
  const by = o.appliedBy ?? o.lock?.holder ?? ''
  // Under the lock the versions are read again: another collector may have applied them.
  const apply = async (): Promise<string[]> => {
    const applied: string[] = []
    for (const m of await pending()) {
      for (const statement of m.statements)
        await client.command({
          query: statement,
          ...(p.cluster === ''
            ? {}
            : { clickhouse_settings: { distributed_foreground_insert: 1 } }),
        })
      await recordApplied(client, p, m, by)
      applied.push(m.name)
    }
    return applied
  }
  return o.lock ? underSchemaLock(client, { ...o.lock, placement: p }, apply) : apply()
}
