// The history rollups of schema/0007_history_rollups.sql on the real embedded engine:
// flows_hosts_1m/_1h/_1d, flows_1d and device_seen hold, per key, exactly the sums (and
// first/last minutes) SQL over raw flows gives, for rows written through the writer
// after the migration and for rows stored before it (the migration's backfill), and
// nothing twice: the views down the chain add what was inserted after.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ROLLUP_LOCAL_ADDR_SQL, ROLLUP_SERVICE_PORT_SQL } from '@flowloft/decoder-wasm'
import { loadMigrations, migrate } from '../../../dist/clickhouse/migrate.js'
import { writeFixtureBatches } from '../../support/fixture-writer.js'
import { useMigratedEngine, type TestEngine } from '../../support/engine.js'
import { assertRollupEqualsRaw } from '../../support/rollup-oracle.js'

const ch = useMigratedEngine('history-rollups', { migrated: false })

const HOSTS_KEY = `direction, proto, service_port, src_addr, dst_addr, src_host, dst_host,
  src_country, dst_country, src_as, dst_as, app`
const LOCAL_KEY = `exporter, in_if, out_if, direction, proto, service_port, src_country,
  dst_country, src_as, dst_as, local_addr, app`
const GRAIN = { '1m': 'toStartOfMinute', '1h': 'toStartOfHour', '1d': 'toStartOfDay' } as const

/** Raw flows per grain and key, with the keys as the contract derives them. */
const raw = (grain: keyof typeof GRAIN, key: string): string => `
  SELECT ${GRAIN[grain]}(time_received) AS t, ${key},
    toString(sum(bytes)) AS b, toString(sum(packets)) AS p, toString(count()) AS f
  FROM (SELECT *, app, ${ROLLUP_SERVICE_PORT_SQL} AS service_port, ${ROLLUP_LOCAL_ADDR_SQL} AS local_addr
    FROM flowloft.flows)
  GROUP BY t, ${key}`
const rolled = (table: string, key: string): string => `
  SELECT time AS t, ${key},
    toString(sum(bytes)) AS b, toString(sum(packets)) AS p, toString(sum(flows)) AS f
  FROM flowloft.${table} GROUP BY t, ${key}`
const SEEN_RAW = `SELECT toString(${ROLLUP_LOCAL_ADDR_SQL}) AS a,
    toString(min(toStartOfMinute(time_received))) AS first, toString(max(toStartOfMinute(time_received))) AS last
  FROM flowloft.flows GROUP BY a`
const SEEN = `SELECT toString(local_addr) AS a, toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
  FROM flowloft.device_seen GROUP BY a`

/** Every history rollup equals raw flows, per key; also after the merges. */
async function assertEqualToRaw(e: TestEngine, when: string): Promise<void> {
  const checks: [string, string, string][] = [
    ['flows_hosts_1m', raw('1m', HOSTS_KEY), rolled('flows_hosts_1m', HOSTS_KEY)],
    ['flows_hosts_1h', raw('1h', HOSTS_KEY), rolled('flows_hosts_1h', HOSTS_KEY)],
    ['flows_hosts_1d', raw('1d', HOSTS_KEY), rolled('flows_hosts_1d', HOSTS_KEY)],
    ['flows_1d', raw('1d', LOCAL_KEY), rolled('flows_1d', LOCAL_KEY)],
    ['device_seen', SEEN_RAW, SEEN],
  ]
  for (const [table, want, got] of checks) await assertRollupEqualsRaw(e, table, want, got, when)
}

/** Rows with host names, internal flows and IPv6 (the writer's fixture rows have none). */
const named = (seconds: number): string => `INSERT INTO flowloft.flows
  (time_received, direction, proto, src_addr, dst_addr, src_port, dst_port, src_host, dst_host,
   src_country, dst_as, bytes, packets)
  SELECT now() - ${seconds} - number * 7, ['outbound', 'inbound', 'internal'][number % 3 + 1],
    6, if(number % 2 = 0, toIPv6('2001:db8::1'), toIPv6('::ffff:192.168.1.20')),
    toIPv6(concat('::ffff:198.51.100.', toString(number % 5))),
    40000 + number, [443, 22, 5228][number % 3 + 1],
    if(number % 2 = 0, 'laptop.lan', ''), ['r1.googlevideo.com', 'example.net', ''][number % 3 + 1],
    'NL', 64500 + number % 2, 1000 + number, 1 + number % 3
  FROM numbers(300)`

void test('before the migration, through it and after it, every rollup equals raw flows', async () => {
  const client = ch.engine.client
  // Stored before the upgrade: the migration fills the new tables from them.
  await migrate(client, loadMigrations(), 6)
  const now = Math.floor(Date.now() / 1000)
  await writeFixtureBatches(ch, 4, 0, 2000, (k) => now - 3600 - k * 1800)
  await client.command({ query: named(7200) })
  assert.deepEqual(await migrate(client, loadMigrations(), 7), ['0007_history_rollups.sql'])
  await assertEqualToRaw(ch, 'after the backfill')

  // Stored after it: the views (flows -> minutes -> hours -> days, flows_1h -> flows_1d,
  // flows_1m -> device_seen) add them once, in batches through the writer.
  await writeFixtureBatches(ch, 12, 10_000, 3000, (k) => now - k * 600)
  await client.command({ query: named(0) })
  await assertEqualToRaw(ch, 'after new inserts')

  const [c] = await ch.rows<Record<string, string>>(
    `SELECT ${[
      'flows',
      'flows_1h',
      'flows_hosts_1m',
      'flows_hosts_1h',
      'flows_hosts_1d',
      'flows_1d',
    ]
      .map((t) => `toString((SELECT count() FROM flowloft.${t})) AS ${t}`)
      .join(', ')}`,
  )
  console.log(`rows: ${JSON.stringify(c)}`)
})
