// Migrations on the real embedded engine: from an empty database and from every earlier
// version the schema ends the same (SHOW CREATE TABLE of every table and view), rows
// stored before an upgrade stay, and applying twice, or re-running every statement of
// every migration (a crash between a statement and its record), changes nothing.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { DATABASE, openEngine, type Engine } from '../../../dist/clickhouse/engine.js'
import { loadMigrations, migrate } from '../../../dist/clickhouse/migrate.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../../support/fixture-rows.js'
import { createLogger } from '../../../dist/observability/log.js'

let dataDir = ''
let engine: Engine
const migrations = loadMigrations()

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-migrate-'))
  engine = await openEngine({
    url: '',
    dataDir,
    limits: { maxExecutionSeconds: 30, maxResultRows: 1000 },
    log: createLogger('error'),
  })
})
after(async () => {
  await engine.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function rows<T>(query: string): Promise<T[]> {
  const rs = await engine.client.query({ query, format: 'JSONEachRow' })
  return rs.json<T>()
}

/** SHOW CREATE TABLE of every table and view of the database, by name. */
async function schema(): Promise<Record<string, string>> {
  const names = await rows<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = '${DATABASE}' AND name != 'schema_migrations' ORDER BY name`,
  )
  const out: Record<string, string> = {}
  for (const { name } of names) {
    const [r] = await rows<{ statement: string }>(`SHOW CREATE TABLE ${DATABASE}.${name}`)
    out[name] = r?.statement ?? ''
  }
  return out
}

async function reset(): Promise<void> {
  await engine.client.command({ query: `DROP DATABASE IF EXISTS ${DATABASE} SYNC` })
}

void test('from an empty database, then applied twice and re-run statement by statement', async () => {
  await reset()
  const applied = await migrate(engine.client, migrations)
  assert.deepEqual(
    applied,
    migrations.map((m) => m.name),
  )
  const want = await schema()
  for (const t of ['flows', 'flows_1m', 'flows_1h', 'exporters', 'interfaces', 'sflow_counters']) {
    assert.ok(want[t], `${t} exists`)
  }
  assert.deepEqual(await migrate(engine.client, migrations), [], 'second run applies nothing')
  assert.deepEqual(await schema(), want)
  for (const m of migrations) {
    for (const q of m.statements) await engine.client.command({ query: q })
  }
  assert.deepEqual(await schema(), want, 're-running every statement changes nothing')
})

void test('from every earlier version to the latest', async () => {
  await reset()
  await migrate(engine.client, migrations)
  const want = await schema()
  const versions = [0, ...migrations.map((m) => m.version).slice(0, -1)]
  for (const v of versions) {
    await reset()
    await migrate(engine.client, migrations, v)
    if (v >= 1) {
      const b = fixtureRows(0, 100, Math.floor(Date.now() / 1000))
      await engine.client.insert({
        table: `${DATABASE}.flows`,
        columns: [...FIXTURE_COLUMNS],
        values: Readable.from([b.tsv], { objectMode: false }),
        format: 'TabSeparated',
        clickhouse_settings: { async_insert: 0, insert_deduplication_token: `m${v}` },
      })
    }
    const applied = await migrate(engine.client, migrations)
    assert.deepEqual(
      applied,
      migrations.filter((m) => m.version > v).map((m) => m.name),
      `from version ${v}`,
    )
    assert.deepEqual(await schema(), want, `schema after upgrading from version ${v}`)
    const [c] = await rows<{ n: number }>(`SELECT count() AS n FROM ${DATABASE}.flows`)
    assert.equal(Number(c?.n), v >= 1 ? 100 : 0, `rows kept from version ${v}`)
  }
})
