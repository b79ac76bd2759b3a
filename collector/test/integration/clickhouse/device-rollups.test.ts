// device_traffic_1h of schema/0009_device_rollups.sql on the real embedded engine: per
// device (the rollups' local side), hour and direction it holds exactly the sums SQL
// over raw flows gives, for rows stored before the migration (its backfill from
// flows_1h) and for rows written after it (its view on flows_1h), nothing twice, also
// after the merges.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ROLLUP_LOCAL_ADDR_SQL } from '@flowloft/decoder-wasm'
import { loadMigrations, migrate } from '../../../dist/clickhouse/migrate.js'
import { writeFixtureBatches } from '../../support/fixture-writer.js'
import { useMigratedEngine } from '../../support/engine.js'
import { assertRollupEqualsRaw } from '../../support/rollup-oracle.js'

const ch = useMigratedEngine('device-rollups', { migrated: false })

const RAW = `SELECT toString(${ROLLUP_LOCAL_ADDR_SQL}) AS device,
    toString(toStartOfHour(time_received)) AS hour, toString(direction) AS dir,
    toString(sum(bytes)) AS b, toString(sum(packets)) AS p, toString(count()) AS f
  FROM flowloft.flows GROUP BY device, hour, dir`
const ROLLED = `SELECT toString(local_addr) AS device, toString(time) AS hour,
    toString(direction) AS dir,
    toString(sum(bytes)) AS b, toString(sum(packets)) AS p, toString(sum(flows)) AS f
  FROM flowloft.device_traffic_1h GROUP BY device, hour, dir`

const assertEqualToRaw = (when: string): Promise<number> =>
  assertRollupEqualsRaw(ch, 'device_traffic_1h', RAW, ROLLED, when)

/** Internal flows (sent by one device, received by another) and IPv6, over three hours. */
const named = (seconds: number): string => `INSERT INTO flowloft.flows
  (time_received, direction, proto, src_addr, dst_addr, src_port, dst_port, bytes, packets)
  SELECT now() - ${seconds} - number * 37, ['outbound', 'inbound', 'internal', 'transit'][number % 4 + 1],
    6, if(number % 2 = 0, toIPv6('2001:db8::1'), toIPv6('::ffff:192.168.1.20')),
    if(number % 3 = 0, toIPv6('::ffff:192.168.1.30'), toIPv6('::ffff:198.51.100.7')),
    40000 + number, 443, 1000 + number, 1 + number % 3
  FROM numbers(300)`

void test('before the migration, through it and after it, device_traffic_1h equals raw flows', async () => {
  const client = ch.engine.client
  // Stored before the upgrade: the migration fills the table from flows_1h.
  await migrate(client, loadMigrations(), 8)
  const now = Math.floor(Date.now() / 1000)
  await writeFixtureBatches(ch, 4, 0, 2000, (k) => now - 3600 - k * 1800)
  await client.command({ query: named(7200) })
  assert.deepEqual(await migrate(client, loadMigrations(), 9), ['0009_device_rollups.sql'])
  const backfilled = await assertEqualToRaw('after the backfill')

  // Stored after it: flows -> flows_1h -> device_traffic_1h, once, through the writer
  // in batches, and one more direct insert.
  await writeFixtureBatches(ch, 12, 10_000, 3000, (k) => now - k * 600)
  await client.command({ query: named(0) })
  const total = await assertEqualToRaw('after new inserts')
  assert.ok(total > backfilled, `${total} device-hours now, ${backfilled} after the backfill`)
  const [c] = await ch.rows<{ n: string; devices: string }>(
    `SELECT toString(count()) AS n, toString(uniqExact(local_addr)) AS devices
     FROM flowloft.device_traffic_1h`,
  )
  console.log(`device_traffic_1h: ${JSON.stringify(c)}`)
})
