// flows_pairs_1d of schema/0010_pairs_rollup.sql on the real embedded engine: per day,
// direction and pair of addresses (with their countries and ASes) it holds exactly the
// sums SQL over raw flows gives, for rows stored before the migration (its backfill from
// flows_hosts_1d) and rows written after it (its view at the end of the hosts' chain),
// nothing twice, also after the merges; and it keeps the pair's host names.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadMigrations, migrate } from '../../../dist/clickhouse/migrate.js'
import { writeFixtureBatches } from '../../support/fixture-writer.js'
import { useMigratedEngine } from '../../support/engine.js'
import { assertRollupEqualsRaw } from '../../support/rollup-oracle.js'

const ch = useMigratedEngine('pairs-rollup', { migrated: false })

const KEY = `toString(direction) AS dir, toString(src_addr) AS src, toString(dst_addr) AS dst,
    src_country AS sc, dst_country AS dc, src_as AS sa, dst_as AS da`
const RAW = `SELECT toString(toStartOfDay(time_received)) AS day, ${KEY},
    toString(sum(bytes)) AS b, toString(sum(packets)) AS p, toString(count()) AS f
  FROM flowloft.flows GROUP BY day, dir, src, dst, sc, dc, sa, da`
const ROLLED = `SELECT toString(time) AS day, ${KEY},
    toString(sum(bytes)) AS b, toString(sum(packets)) AS p, toString(sum(flows)) AS f
  FROM flowloft.flows_pairs_1d GROUP BY day, dir, src, dst, sc, dc, sa, da`

const assertEqualToRaw = (when: string): Promise<number> =>
  assertRollupEqualsRaw(ch, 'flows_pairs_1d', RAW, ROLLED, when)

/**
 * Pairs of hosts, named in some of their flows, over several ports and protocols (one
 * row of the pairs' table per day and direction), internal and transit flows, IPv6,
 * over three days.
 */
const named = (seconds: number): string => `INSERT INTO flowloft.flows
  (time_received, direction, proto, src_addr, dst_addr, src_port, dst_port, src_host, dst_host,
   src_country, dst_country, src_as, dst_as, bytes, packets)
  SELECT now() - ${seconds} - number * 900, ['outbound', 'inbound', 'internal', 'transit'][number % 4 + 1],
    [6, 17][intDiv(number, 16) % 2 + 1], if(number % 2 = 0, toIPv6('2001:db8::1'), toIPv6('::ffff:192.168.1.20')),
    if(number % 3 = 0, toIPv6('::ffff:192.168.1.30'), toIPv6('::ffff:198.51.100.7')),
    40000 + number, [443, 53, 853, 22][intDiv(number, 4) % 4 + 1], if(number % 2 = 0, '', 'laptop.lan'),
    if(number % 3 = 0 OR number % 7 = 0, '', 'cdn.example.net'), if(number % 5 = 0, 'NL', ''), 'US',
    if(number % 5 = 0, 64500, 0), 64501,
    1000 + number, 1 + number % 3
  FROM numbers(300)`

void test('before the migration, through it and after it, flows_pairs_1d equals raw flows', async () => {
  const client = ch.engine.client
  // Stored before the upgrade: the migration fills the table from flows_hosts_1d.
  await migrate(client, loadMigrations(), 9)
  const now = Math.floor(Date.now() / 1000)
  await writeFixtureBatches(ch, 4, 0, 2000, (k) => now - 86400 - k * 7200)
  await client.command({ query: named(86400) })
  assert.deepEqual(await migrate(client, loadMigrations(), 10), ['0010_pairs_rollup.sql'])
  const backfilled = await assertEqualToRaw('after the backfill')

  // Stored after it: flows -> flows_hosts_1m -> _1h -> _1d -> flows_pairs_1d, once,
  // through the writer in batches, and one more direct insert.
  await writeFixtureBatches(ch, 12, 10_000, 3000, (k) => now - k * 600)
  await client.command({ query: named(0) })
  const total = await assertEqualToRaw('after new inserts')
  assert.ok(total > backfilled, `${total} pair-days now, ${backfilled} after the backfill`)

  // Fewer rows than flows_hosts_1d: one per pair, not per protocol and port.
  const mine = "WHERE src_addr IN (toIPv6('2001:db8::1'), toIPv6('::ffff:192.168.1.20'))"
  const [c] = await ch.rows<{ pairs: string; hosts: string }>(
    `SELECT toString((SELECT count() FROM flowloft.flows_pairs_1d FINAL ${mine})) AS pairs,
       toString((SELECT count() FROM flowloft.flows_hosts_1d FINAL ${mine})) AS hosts`,
  )
  assert.ok(Number(c?.pairs) < Number(c?.hosts), JSON.stringify(c))
  console.log(`rows: ${JSON.stringify(c)}`)

  // The pair's names, whichever of its rows carried them, also after the merges (the
  // names are in the key: an unnamed row is never picked over a named one). On the day
  // of named(0)'s row 1, 15 minutes ago: in the first minutes after midnight UTC today
  // holds none of the pair's rows.
  const names = await ch.rows<{ src_host: string; dst_host: string }>(
    `SELECT argMax(src_host, src_host != '') AS src_host, argMax(dst_host, dst_host != '') AS dst_host
     FROM flowloft.flows_pairs_1d FINAL
     WHERE src_addr = toIPv6('::ffff:192.168.1.20') AND dst_addr = toIPv6('::ffff:198.51.100.7')
       AND time = toStartOfDay(now() - 900) AND direction = 'inbound'`,
  )
  assert.deepEqual(names, [{ src_host: 'laptop.lan', dst_host: 'cdn.example.net' }])
})
