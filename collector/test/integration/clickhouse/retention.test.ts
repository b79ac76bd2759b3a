// Retention on the real embedded engine: configured days become each table's TTL (and
// applying them again changes nothing); the disk-size limit drops exactly the oldest
// raw partitions needed to get under it and nothing else, and the clear copy of
// anonymise.clear_days before any of them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { applyRetention, enforceDiskLimit } from '../../../dist/clickhouse/retention.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../../support/fixture-rows.js'
import { createJobs } from '../../../dist/jobs/index.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { prepareClearStorage } from '../../../dist/anonymise/clear.js'

const ch = useMigratedEngine('retention')

const DEFAULTS = {
  rawDays: 15,
  rollup1mDays: 7,
  rollup1hDays: 400,
  countersDays: 30,
  systemLogDays: 3,
}

void test('configured days become the TTL of each table, once', async () => {
  assert.deepEqual(
    await applyRetention(ch.engine.client, DEFAULTS),
    [],
    'defaults match the schema',
  )
  const changed = await applyRetention(ch.engine.client, {
    ...DEFAULTS,
    rawDays: 3,
    rollup1hDays: 90,
  })
  // rollup_1h_days is the days of every rollup kept past the minutes (schema/0007, 0009, 0010).
  assert.deepEqual(changed.sort(), [
    'flowloft.device_seen: 400 -> 90 days',
    'flowloft.device_traffic_1h: 400 -> 90 days',
    'flowloft.flows: 15 -> 3 days',
    'flowloft.flows_1d: 400 -> 90 days',
    'flowloft.flows_1h: 400 -> 90 days',
    'flowloft.flows_hosts_1d: 400 -> 90 days',
    'flowloft.flows_hosts_1h: 400 -> 90 days',
    'flowloft.flows_pairs_1d: 400 -> 90 days',
  ])
  const [r] = await ch.rows<{ s: string }>(
    "SELECT engine_full AS s FROM system.tables WHERE database = 'flowloft' AND name = 'flows'",
  )
  assert.match(r?.s ?? '', /TTL time_received \+ toIntervalDay\(3\)/)
  assert.deepEqual(
    await applyRetention(ch.engine.client, { ...DEFAULTS, rawDays: 3, rollup1hDays: 90 }),
    [],
  )
  assert.deepEqual(
    (await applyRetention(ch.engine.client, DEFAULTS)).length,
    changed.length,
    'back to the defaults',
  )
  // The embedded engine keeps no system log tables, so there is nothing to shorten there.
  const logs = await ch.rows(
    "SELECT name FROM system.tables WHERE database = 'system' AND name LIKE '%\\_log'",
  )
  console.log(`system log tables on this engine: ${JSON.stringify(logs)}`)
})

/** Fixture rows `days` days old, one partition a day. */
async function insertDays(table: string, days: number[], tag: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000)
  for (const d of days) {
    const b = fixtureRows(d * 10_000, 3000, now - d * 86_400)
    await ch.engine.client.insert({
      table,
      columns: [...FIXTURE_COLUMNS],
      values: Readable.from([b.tsv], { objectMode: false }),
      format: 'TabSeparated',
      clickhouse_settings: { async_insert: 0, insert_deduplication_token: `${tag}${d}` },
    })
  }
}

type P = { table: string; partition_id: string; bytes: number }
const parts = async (): Promise<P[]> =>
  (
    await ch.rows<
      Omit<P, 'bytes'> & { bytes: number | string }
    >(`SELECT table, partition_id, sum(bytes_on_disk) AS bytes FROM system.parts
      WHERE database = 'flowloft' AND active GROUP BY table, partition_id ORDER BY table, partition_id`)
  ).map((p) => ({ ...p, bytes: Number(p.bytes) }))
/** Compared by identity: background merges change the bytes of other partitions. */
const ids = (ps: P[]): string[] => ps.map((p) => `${p.table}/${p.partition_id}`)

void test('the disk limit drops exactly the oldest raw partitions and nothing else', async () => {
  // Five daily partitions in flows (1..5 days old, inside the 15-day TTL).
  await insertDays('flowloft.flows', [5, 4, 3, 2, 1], 'day')
  const before = await parts()
  const raw = before.filter((p) => p.table === 'flows')
  assert.equal(raw.length, 5)
  const total = before.reduce((s, p) => s + p.bytes, 0)
  const [oldest, second] = raw
  if (!oldest || !second) throw new Error('partitions missing')
  // Dropping the oldest alone is not enough; the two oldest get exactly to the limit.
  const limit = total - oldest.bytes - second.bytes

  assert.deepEqual(await enforceDiskLimit(ch.engine.client, 0), [], '0 is off')
  assert.deepEqual(await enforceDiskLimit(ch.engine.client, total), [], 'at the limit nothing goes')
  const metrics = new Registry()
  const jobs = createJobs({
    client: ch.engine.client,
    maxDiskBytes: limit,
    schedule: '* * * * *',
    log: ch.log,
    metrics,
  })
  await jobs.checkDisk()
  const after = await parts()
  assert.deepEqual(
    ids(after),
    ids(before.filter((p) => p !== oldest && p !== second)),
    'only the two oldest raw partitions are gone',
  )
  assert.equal(
    metrics
      .render()
      .match(/flowloft_retention_dropped_partitions_total\{table="flows"\} (\d+)/)?.[1],
    '2',
  )
  assert.deepEqual(
    await enforceDiskLimit(ch.engine.client, limit),
    [],
    'under the limit: nothing more',
  )
  // The newest partition of each table stays even when the limit is tiny.
  await enforceDiskLimit(ch.engine.client, 1)
  const left = await parts()
  for (const t of new Set(before.map((p) => p.table))) {
    const newest = before.filter((p) => p.table === t).at(-1)
    assert.ok(
      left.some((p) => p.table === t && p.partition_id === newest?.partition_id),
      `${t} keeps its newest`,
    )
  }
})

void test('the disk limit drops the clear days of anonymise.clear_days before any flow', async () => {
  // Three days kept in clear (the view stores their anonymised copies in flows).
  await prepareClearStorage(
    ch.engine.client,
    { mode: 'both', key: 'ab'.repeat(32), days: 30 },
    ch.log,
  )
  try {
    await insertDays('flowloft.flows_clear', [4, 3, 2], 'clear')
    const before = await parts()
    const clear = before.filter((p) => p.table === 'flows_clear')
    assert.equal(clear.length, 3)
    const [oldest, second] = clear
    if (!oldest || !second) throw new Error('partitions missing')
    const total = before.reduce((s, p) => s + p.bytes, 0)
    const dropped = await enforceDiskLimit(ch.engine.client, total - oldest.bytes - second.bytes)
    assert.deepEqual(
      dropped.map((d) => `${d.table}/${d.partition}`),
      ids([oldest, second]),
      'the two oldest clear days, not the anonymised flows',
    )
    assert.deepEqual(ids(await parts()), ids(before.filter((p) => p !== oldest && p !== second)))
  } finally {
    await prepareClearStorage(ch.engine.client, null, ch.log)
  }
})
