// Applies the numbered SQL files of schema/ in order and records each in
// flowloft.schema_migrations. Statements are split on lines ending in ';' and run one
// per call (the embedded engine takes one statement per call). Safe to run twice.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { DATABASE } from './engine.js'

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

export async function appliedVersions(client: ClickHouseClient): Promise<Set<number>> {
  const rs = await client.query({
    query: `SELECT version FROM ${DATABASE}.schema_migrations`,
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ version: number }>()
  return new Set(rows.map((r) => r.version))
}

/** Apply what is missing; returns the names applied. */
export async function migrate(
  client: ClickHouseClient,
  migrations: Migration[] = loadMigrations(),
  upTo = Infinity,
): Promise<string[]> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${DATABASE}` })
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${DATABASE}.schema_migrations
      (version UInt32, name String, applied_at DateTime DEFAULT now())
      ENGINE = ReplacingMergeTree ORDER BY version`,
  })
  const done = await appliedVersions(client)
  const applied: string[] = []
  for (const m of migrations) {
    if (done.has(m.version) || m.version > upTo) continue
    for (const statement of m.statements) await client.command({ query: statement })
    await client.command({
      query: `INSERT INTO ${DATABASE}.schema_migrations (version, name) VALUES (${m.version}, '${m.name.replace(/'/g, "''")}')`,
    })
    applied.push(m.name)
  }
  return applied
}
