// The cluster schema, checked by the engine itself. Every statement flowloft sends to a
// cluster (the runner's tables, the schema lock, every migration in its cluster form,
// retention's TTLs and partition drops) is recorded as it runs and must be accepted by
// ClickHouse's own parser (formatQuery). The same statements, with Replicated engines
// as their plain twins and ON CLUSTER dropped (testing/chdb-cluster.ts: there is no
// Keeper here), are executed, and the result is compared with the single-server
// schema: each user-facing table is a Distributed table with the same columns over a
// local table with the same columns, codecs, keys and TTL, and each materialized view
// reads a local table and writes a local table.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ClickHouseClient } from '@clickhouse/client'
import { DATABASE } from '../../../../dist/clickhouse/engine.js'
import { loadMigrations, migrate } from '../../../../dist/clickhouse/migrate.js'
import { useMigratedEngine } from '../../../support/engine.js'
import { openChdbWithCluster, substituting, TEST_CLUSTER } from '../../../support/chdb-cluster.js'
import type { Placement } from '../../../../dist/clickhouse/cluster-placement.js'
import { Readable } from 'node:stream'
import { FIXTURE_COLUMNS, fixtureRows } from '../../../support/fixture-rows.js'
import { applyRetention, enforceDiskLimit } from '../../../../dist/clickhouse/retention.js'

const CLUSTER: Placement = { cluster: TEST_CLUSTER }
const migrations = loadMigrations()
const ch = useMigratedEngine('cluster-ddl', { migrated: false, configure: openChdbWithCluster })
const rows = <T>(query: string): Promise<T[]> => ch.rows<T>(query)

const reset = (): Promise<unknown> =>
  ch.engine.client.command({ query: `DROP DATABASE IF EXISTS ${DATABASE} SYNC` })

/** A client that keeps every statement as flowloft sent it, then runs it substituted. */
function recording(): { client: ClickHouseClient; sent: string[] } {
  const sent: string[] = []
  return { client: substituting(ch.engine.client, (q) => sent.push(q)), sent }
}

interface Column {
  table: string
  name: string
  type: string
  default_kind: string
  default_expression: string
  compression_codec: string
  position: number
}
interface Table {
  name: string
  engine: string
  engine_full: string
  dependencies_table: string[]
}

async function snapshot(): Promise<{ columns: Column[]; tables: Map<string, Table> }> {
  const columns = await rows<Column>(
    `SELECT table, name, type, default_kind, default_expression, compression_codec, position
     FROM system.columns WHERE database = '${DATABASE}' ORDER BY table, position`,
  )
  const tables = await rows<Table>(
    `SELECT name, engine, engine_full, dependencies_table FROM system.tables
     WHERE database = '${DATABASE}' ORDER BY name`,
  )
  return { columns, tables: new Map(tables.map((t) => [t.name, t])) }
}

const columnsOf = (s: Column[], table: string, codecs: boolean): unknown[] =>
  s
    .filter((c) => c.table === table)
    .map((c) => ({
      name: c.name,
      type: c.type,
      default: `${c.default_kind} ${c.default_expression}`,
      position: c.position,
      ...(codecs ? { codec: c.compression_codec } : {}),
    }))

/** engine_full without the setting only a non-replicated table needs. */
const engineOf = (full: string): string =>
  full
    .replace(/,?\s*non_replicated_deduplication_window = \d+/, '')
    .replace(/SETTINGS\s*,\s*/, 'SETTINGS ')

let singleServer: Awaited<ReturnType<typeof snapshot>>

void test('every statement sent to a cluster passes ClickHouse parser', async () => {
  await reset()
  await migrate(ch.engine.client, migrations)
  singleServer = await snapshot()
  await reset()
  const { client, sent } = recording()
  const applied = await migrate(client, migrations, Infinity, {
    placement: CLUSTER,
    lock: { holder: 'ddl-test' },
  })
  assert.deepEqual(
    applied,
    migrations.map((m) => m.name),
  )
  const ddl = sent.filter((q) => !/^\s*SELECT\b/.test(q))
  let parsed = 0
  for (const q of ddl) {
    const literal = `'${q.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
    const [r] = await rows<{ f: string }>(`SELECT formatQuery(${literal}) AS f`)
    assert.ok(r?.f, `parsed: ${q}`)
    parsed++
  }
  const creates = ddl.filter((q) => q.startsWith('CREATE'))
  for (const q of creates)
    if (!q.startsWith('CREATE DATABASE') && !q.includes('schema_lock_'))
      assert.match(
        q,
        new RegExp(
          `^CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS ${DATABASE}\\.\\w+ ON CLUSTER ${TEST_CLUSTER}\\b`,
        ),
        q,
      )
  const replicated = creates.filter((q) => /ENGINE = Replicated\w*MergeTree\(/.test(q))
  for (const q of replicated)
    assert.match(
      q,
      /Replicated\w*MergeTree\('\/clickhouse\/tables\/(\{shard\}|all)\/flowloft\/\w+', '\{replica\}'/,
    )
  assert.ok(
    ddl.some((q) => /^CREATE TABLE flowloft\.schema_lock_0 ON CLUSTER flowloft /.test(q)),
    'the schema lock is taken ON CLUSTER',
  )
  assert.ok(
    ddl.some((q) =>
      /^DROP TABLE IF EXISTS flowloft\.schema_lock_0 ON CLUSTER flowloft SYNC$/.test(q),
    ),
  )
  console.log(`${parsed} cluster statements parsed; ${replicated.length} replicated tables`)
})

void test('Distributed and local tables agree column for column with the single-server schema', async () => {
  const cluster = await snapshot()
  const userTables = [...singleServer.tables.values()].filter(
    (t) => !['MaterializedView', 'Join'].includes(t.engine) && t.name !== 'schema_migrations',
  )
  // A Join table (app_domains, anonymise_key: the collector fills them) is on every
  // server as it is.
  const joins = [...singleServer.tables.values()].filter((t) => t.engine === 'Join')
  assert.deepEqual(
    joins.map((t) => t.name),
    ['anonymise_key', 'app_domains'],
  )
  for (const t of joins) {
    assert.equal(cluster.tables.get(t.name)?.engine_full, t.engine_full, t.name)
    assert.deepEqual(
      columnsOf(cluster.columns, t.name, true),
      columnsOf(singleServer.columns, t.name, true),
    )
  }
  assert.ok(userTables.length >= 7, `${userTables.length} user-facing tables`)
  for (const t of userTables) {
    const dist = cluster.tables.get(t.name)
    const local = cluster.tables.get(`${t.name}_local`)
    assert.equal(dist?.engine, 'Distributed', `${t.name} is Distributed`)
    assert.equal(
      local?.engine,
      t.engine,
      `${t.name}_local is a ${t.engine} (Replicated on a cluster)`,
    )
    const key = singleServer.columns.some((c) => c.table === t.name && c.name === 'exporter')
      ? 'exporter'
      : singleServer.columns.find((c) => c.table === t.name)?.name
    assert.equal(
      dist.engine_full,
      `Distributed('${TEST_CLUSTER}', '${DATABASE}', '${t.name}_local', cityHash64(${key}))`,
    )
    assert.deepEqual(
      columnsOf(cluster.columns, t.name, false),
      columnsOf(singleServer.columns, t.name, false),
      `${t.name} columns`,
    )
    assert.deepEqual(
      columnsOf(cluster.columns, `${t.name}_local`, true),
      columnsOf(singleServer.columns, t.name, true),
      `${t.name}_local columns and codecs`,
    )
    assert.equal(
      engineOf(local.engine_full),
      engineOf(t.engine_full),
      `${t.name}_local keys, TTL, settings`,
    )
    // Views hang off the local tables: each shard rolls up the rows it stores.
    assert.deepEqual(dist.dependencies_table, [], `nothing reads ${t.name} on insert`)
    assert.deepEqual(
      [...local.dependencies_table].sort(),
      [...t.dependencies_table].sort(),
      `${t.name}_local feeds the views`,
    )
  }
  const views = [...singleServer.tables.values()].filter((t) => t.engine === 'MaterializedView')
  assert.ok(views.length >= 5)
  for (const v of views)
    assert.equal(cluster.tables.get(v.name)?.engine, 'MaterializedView', v.name)
  const targets = await rows<{ name: string; create_table_query: string }>(
    `SELECT name, create_table_query FROM system.tables WHERE database = '${DATABASE}' AND engine = 'MaterializedView'`,
  )
  for (const v of targets) {
    assert.match(v.create_table_query, / TO flowloft\.\w+_local /, `${v.name} writes a local table`)
    // Raw flows, or a rollup that a view fills (schema/0007: minutes -> hours -> days;
    // 0010: the hosts' days -> their pairs).
    assert.match(
      v.create_table_query,
      /FROM flowloft\.(flows(?:_hosts)?(?:_1[mhd])?)_local AS \1\b/,
      `${v.name} reads local flows or a local rollup`,
    )
  }
  // 0011: no rollup job runs on a cluster, its rollup_fill stays empty, so the views of
  // the scheduled rollups feed every row (their mark reads as 2106).
  const scheduled = targets.filter((v) => v.create_table_query.includes('rollup_fill'))
  assert.deepEqual(scheduled.map((v) => v.name).sort(), [
    'flows_hosts_1d_mv',
    'flows_hosts_1h_mv',
    'flows_pairs_1d_mv',
  ])
  for (const v of scheduled)
    assert.match(v.create_table_query, /FROM flowloft\.rollup_fill_local AS rollup_fill\b/)
  assert.deepEqual(await rows('SELECT * FROM flowloft.rollup_fill_local'), [])
})

void test('from every earlier version, the cluster schema ends the same', async () => {
  const fresh = await snapshot()
  const versions = [0, ...migrations.map((m) => m.version).slice(0, -1)]
  for (const v of versions) {
    await reset()
    const { client } = recording()
    const place = { placement: CLUSTER, lock: { holder: 'upgrade-test' } }
    await migrate(client, migrations, v, place)
    const applied = await migrate(client, migrations, Infinity, place)
    assert.deepEqual(
      applied,
      migrations.filter((m) => m.version > v).map((m) => m.name),
    )
    const after = await snapshot()
    assert.deepEqual(after.columns, fresh.columns, `columns after upgrading from ${v}`)
    assert.deepEqual(
      [...after.tables.values()].map((t) => t.engine_full),
      [...fresh.tables.values()].map((t) => t.engine_full),
      `engines after upgrading from ${v}`,
    )
  }
})

void test('retention and the disk limit act ON CLUSTER on the local tables', async () => {
  await reset()
  const { client, sent } = recording()
  await migrate(client, migrations, Infinity, { placement: CLUSTER })
  const days = {
    rawDays: 3,
    rollup1mDays: 7,
    rollup1hDays: 400,
    countersDays: 30,
    systemLogDays: 0,
  }
  assert.deepEqual(await applyRetention(client, days, undefined, CLUSTER), [
    'flowloft.flows_local: 15 -> 3 days',
  ])
  const [ttl] = await rows<{ e: string }>(
    `SELECT engine_full AS e FROM system.tables WHERE database = '${DATABASE}' AND name = 'flows_local'`,
  )
  assert.match(ttl?.e ?? '', /TTL time_received \+ toIntervalDay\(3\)/)
  const now = Math.floor(Date.now() / 1000)
  for (let d = 2; d >= 0; d--) {
    const b = fixtureRows(d * 10_000, 1000, now - d * 86_400)
    await ch.engine.client.insert({
      table: `${DATABASE}.flows_local`,
      columns: [...FIXTURE_COLUMNS],
      values: Readable.from([b.tsv], { objectMode: false }),
      format: 'TabSeparated',
      clickhouse_settings: { async_insert: 0, insert_deduplication_token: `day${d}` },
    })
  }
  const partitions = async (): Promise<string[]> =>
    (
      await rows<{ p: string }>(
        `SELECT DISTINCT partition_id AS p FROM system.parts WHERE database = '${DATABASE}' AND table = 'flows_local' AND active ORDER BY p`,
      )
    ).map((r) => r.p)
  const before = await partitions()
  assert.equal(before.length, 3)
  // A tiny limit: every raw partition but the newest goes, on every shard.
  const dropped = await enforceDiskLimit(client, 1, ['flows'], CLUSTER)
  assert.deepEqual(
    dropped.map((d) => `${d.table}/${d.partition}`),
    before.slice(0, -1).map((p) => `flows/${p}`),
  )
  assert.deepEqual(await partitions(), before.slice(-1))
  const drops = sent.filter((q) => q.includes('DROP PARTITION'))
  assert.deepEqual(
    drops,
    before
      .slice(0, -1)
      .map(
        (p) =>
          `ALTER TABLE ${DATABASE}.flows_local ON CLUSTER ${TEST_CLUSTER} DROP PARTITION ID '${p}'`,
      ),
  )
  for (const q of [...drops, ...sent.filter((x) => x.includes('MODIFY TTL'))]) {
    const [r] = await rows<{ f: string }>(`SELECT formatQuery('${q.replaceAll("'", "\\'")}') AS f`)
    assert.ok(r?.f, q)
  }
})
