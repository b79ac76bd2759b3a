// The schema lock on the real engine: a collector that finds the lock held by a live
// holder (one that renews it) applies nothing until the lock is gone, then applies every
// migration once, in its own name; a lock whose holder stopped renewing is taken over
// after its lease under the next epoch, and every lock table is gone afterwards.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DATABASE } from '../../../dist/clickhouse/engine.js'
import { loadMigrations, migrate } from '../../../dist/clickhouse/migrate.js'
import { createLogger } from '../../../dist/observability/log.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('schema-lock', { migrated: false })
const migrations = loadMigrations()
const rows = <T>(query: string): Promise<T[]> => ch.rows<T>(query)
const run = (query: string): Promise<unknown> => ch.engine.client.command({ query })
const lines: Record<string, unknown>[] = []
const log = createLogger('info', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>))

async function fresh(): Promise<void> {
  await run(`DROP DATABASE IF EXISTS ${DATABASE} SYNC`)
  await run(`CREATE DATABASE ${DATABASE}`)
  lines.length = 0
}
const lockTables = async (): Promise<string[]> =>
  (
    await rows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = '${DATABASE}' AND name LIKE 'schema_lock%' ORDER BY name`,
    )
  ).map((r) => r.name)
const appliedBy = (): Promise<{ version: number; applied_by: string }[]> =>
  rows(`SELECT version, applied_by FROM ${DATABASE}.schema_migrations ORDER BY version`)

void test('waits while a live holder renews the lock, then applies every migration once', async () => {
  await fresh()
  await run(
    `CREATE TABLE ${DATABASE}.schema_lock_0 (holder String) ENGINE = Memory COMMENT 'other 1'`,
  )
  const t0 = Date.now()
  let doneAt = 0
  const migrating = migrate(ch.engine.client, migrations, Infinity, {
    lock: { holder: 'me', leaseMs: 2000, pollMs: 100, log },
  }).then((names) => {
    doneAt = Date.now()
    return names
  })
  // The other holder renews for 4 s: twice the lease.
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 500))
    await run(`ALTER TABLE ${DATABASE}.schema_lock_0 MODIFY COMMENT 'other 1'`)
  }
  assert.equal(doneAt, 0, 'nothing applied while the lock is held')
  assert.deepEqual(await appliedBy(), [])
  await run(`DROP TABLE ${DATABASE}.schema_lock_0 SYNC`)
  assert.deepEqual(
    await migrating,
    migrations.map((m) => m.name),
  )
  assert.ok(doneAt - t0 >= 4000, `applied after the holder let go (${doneAt - t0} ms)`)
  assert.deepEqual(
    await appliedBy(),
    migrations.map((m) => ({ version: m.version, applied_by: 'me' })),
  )
  const waits = lines.filter((l) => l['msg'] === 'schema: another collector is migrating; waiting')
  assert.equal(waits.length, 1, 'one line while waiting for one holder')
  assert.equal(waits[0]?.['holder'], 'other')
  assert.deepEqual(await lockTables(), [])
})

void test('a lock whose holder stopped renewing is taken over after its lease', async () => {
  await fresh()
  await run(
    `CREATE TABLE ${DATABASE}.schema_lock_0 (holder String) ENGINE = Memory COMMENT 'gone 2'`,
  )
  const t0 = Date.now()
  const names = await migrate(ch.engine.client, migrations, Infinity, {
    lock: { holder: 'heir', leaseMs: 1500, pollMs: 100, log },
  })
  const waited = Date.now() - t0
  assert.deepEqual(
    names,
    migrations.map((m) => m.name),
  )
  // A lock's age is read in whole seconds (the table's metadata_modification_time): the
  // wait is the lease less up to one second.
  assert.ok(waited >= 1500 - 1000, `waited out the lease (${waited} ms)`)
  const took = lines.find(
    (l) => l['msg'] === 'schema: lock not renewed within its lease; taking over',
  )
  assert.equal(took?.['holder'], 'gone')
  assert.equal(took?.['lock'], 'schema_lock_0')
  assert.deepEqual(await lockTables(), [], 'the stale epoch and its own are dropped')
  assert.ok((await appliedBy()).every((r) => r.applied_by === 'heir'))
  // Nothing left to do: no lock is taken at all.
  lines.length = 0
  assert.deepEqual(
    await migrate(ch.engine.client, migrations, Infinity, { lock: { holder: 'x', log } }),
    [],
  )
  assert.equal(lines.length, 0)
})
