// Optional statements refused by the real engine under the users.d collector user's
// grants (plus a REVOKE, to make the disk limit's partition drop refused): the refusal is
// logged once with the grant ClickHouse names, counted, retried, and ingestion goes on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { createJobs } from '../../../dist/jobs/index.js'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { metricValue } from '../../support/service.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../../support/fixture-rows.js'
import {
  createOptionalStatements,
  grantNeeded,
} from '../../../dist/clickhouse/optional-statements.js'

const lines: Record<string, unknown>[] = []
const log = createLogger('info', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>))
const ch = useMigratedEngine('optional', {
  asUser: { name: 'collector', extra: ['REVOKE ALTER DELETE ON flowloft.*'] },
  log,
})

async function insertDay(daysAgo: number, token: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000)
  const b = fixtureRows(daysAgo * 10_000, 500, now - daysAgo * 86_400)
  await ch.engine.client.insert({
    table: 'flowloft.flows',
    columns: [...FIXTURE_COLUMNS],
    values: Readable.from([b.tsv], { objectMode: false }),
    format: 'TabSeparated',
    clickhouse_settings: { async_insert: 0, insert_deduplication_token: token },
  })
}

const count = async (): Promise<number> => {
  const rs = await ch.engine.client.query({
    query: 'SELECT count() AS n FROM flowloft.flows',
    format: 'JSONEachRow',
  })
  return Number((await rs.json<{ n: string }>())[0]?.n)
}

void test('a refused partition drop is counted and logged once with its grant; inserts go on', async () => {
  await insertDay(3, 'd3')
  await insertDay(2, 'd2')
  await insertDay(1, 'd1')
  const metrics = new Registry()
  const optional = createOptionalStatements({ log, metrics })
  const jobs = createJobs({
    client: ch.engine.client,
    maxDiskBytes: 1,
    schedule: '0 * * * *',
    optional,
    log,
    metrics,
  })
  await jobs.checkDisk()
  await jobs.checkDisk()
  const m = metrics.render()
  assert.equal(
    metricValue(m, 'flowloft_clickhouse_optional_refused_total{statement="disk_limit_drop"}'),
    2,
  )
  const warned = lines.filter((l) => l['statement'] === 'disk_limit_drop')
  assert.equal(warned.length, 1, 'logged once')
  assert.equal(warned[0]?.['level'], 'warn')
  assert.equal(warned[0]?.['code'], 'ACCESS_DENIED')
  assert.match(String(warned[0]?.['grant']), /^ALTER DELETE ON flowloft\.flows$/)
  assert.ok(
    !lines.some((l) => l['msg'] === 'retention: disk check failed'),
    'not reported as a failed job',
  )
  assert.equal(await count(), 1500, 'nothing dropped')
  await insertDay(0, 'd0')
  assert.equal(await count(), 2000, 'inserts go on')
  await jobs.stop()
})

void test('a refused statement is retried until the engine takes it', async () => {
  const metrics = new Registry()
  const optional = createOptionalStatements({ log, metrics, retryMs: 100 })
  optional.start()
  // Refused by the grants: the collector user may not alter system tables.
  const systemTtl = (): Promise<void> =>
    ch.engine.client
      .command({ query: 'ALTER TABLE system.query_log MODIFY TTL event_date + INTERVAL 3 DAY' })
      .then(() => undefined)
  assert.equal(await optional.run('system_log_ttl', 'system.query_log', systemTtl), false)
  const refusal = lines.find((l) => l['target'] === 'system.query_log')
  assert.equal(refusal?.['grant'], 'ALTER TTL ON system.query_log')
  // Refused until its table exists, then taken by a retry.
  const later = (): Promise<void> =>
    ch.engine.client
      .command({ query: 'ALTER TABLE flowloft.later MODIFY TTL d + INTERVAL 3 DAY' })
      .then(() => undefined)
  assert.equal(await optional.run('later_ttl', 'flowloft.later', later), false)
  assert.deepEqual(optional.waiting().sort(), [
    'later_ttl flowloft.later',
    'system_log_ttl system.query_log',
  ])
  await ch.engine.client.command({
    query: 'CREATE TABLE flowloft.later (d Date) ENGINE = MergeTree ORDER BY d',
  })
  const t0 = Date.now()
  while (optional.waiting().includes('later_ttl flowloft.later') && Date.now() - t0 < 10_000)
    await new Promise((r) => setTimeout(r, 50))
  optional.stop()
  assert.deepEqual(optional.waiting(), ['system_log_ttl system.query_log'])
  assert.ok(
    lines.some((l) => l['msg'] === 'clickhouse took an optional statement it refused before'),
  )
  const rs = await ch.engine.client.query({
    query: "SELECT engine_full FROM system.tables WHERE database = 'flowloft' AND name = 'later'",
    format: 'JSONEachRow',
  })
  assert.match(
    (await rs.json<{ engine_full: string }>())[0]?.engine_full ?? '',
    /TTL d \+ toIntervalDay\(3\)/,
  )
  const m = metrics.render()
  assert.ok(
    metricValue(m, 'flowloft_clickhouse_optional_refused_total{statement="system_log_ttl"}') >= 2,
    'the refused one was retried and counted again',
  )
})

void test('grantNeeded reads the grant out of ClickHouse refusals', () => {
  assert.equal(
    grantNeeded(
      new Error(
        "Code: 497. DB::Exception: collector: Not enough privileges. To execute this query, it's necessary to have the grant ALTER TTL ON system.part_log. (ACCESS_DENIED) (version 26.3.1.1)",
      ),
    ),
    'ALTER TTL ON system.part_log',
  )
  assert.equal(
    grantNeeded(new Error('Code: 60. Table x does not exist. (UNKNOWN_TABLE)')),
    undefined,
  )
})
