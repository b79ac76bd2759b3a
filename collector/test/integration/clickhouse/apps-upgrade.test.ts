// The app column across the upgrade (schema/0006_apps.sql) on the real embedded engine:
// raw flows stored before it get their app when read, from the list loaded at start;
// rollup rows stored before it keep app ''; flows stored after it are rolled up per app.
// Loading the same list again leaves app_domains alone; a changed list rewrites it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadMigrations, migrate } from '../../../dist/clickhouse/migrate.js'
import { loadAppList } from '../../../dist/apps/index.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('apps-upgrade', { migrated: false })

const insert = (host: string, bytes: number): Promise<unknown> =>
  ch.engine.client.command({
    query: `INSERT INTO flowloft.flows (time_received, direction, src_addr, dst_addr, src_host, dst_host, bytes, packets)
      VALUES (now(), 'outbound', toIPv6('::ffff:192.168.1.30'), toIPv6('::ffff:198.51.100.31'), 'laptop', '${host}', ${bytes}, 1)`,
  })

void test('rows from before the upgrade, and after it', async () => {
  await migrate(ch.engine.client, loadMigrations(), 5)
  await insert('r4---sn-4g5e6nzz.googlevideo.com', 100)
  await migrate(ch.engine.client)
  const domains = await loadAppList(ch.engine.client, { overrides: [] })
  assert.ok(domains >= 150, `${domains} domains loaded`)
  assert.equal(await loadAppList(ch.engine.client, { overrides: [] }), 0, 'unchanged: left alone')
  await insert('us04web.zoom.us', 10)
  const byApp = async (table: string): Promise<string[]> =>
    (
      await ch.rows<{ app: string; b: string }>(
        `SELECT app, toString(sum(bytes)) AS b FROM flowloft.${table} GROUP BY app ORDER BY app`,
      )
    ).map((r) => `${r.app}=${r.b}`)
  assert.deepEqual(await byApp('flows'), ['YouTube=100', 'Zoom=10'])
  assert.deepEqual(await byApp('flows_1m'), ['=100', 'Zoom=10'])
  assert.deepEqual(await byApp('flows_1h'), ['=100', 'Zoom=10'])
  // An override: the table is rewritten, and new rows follow it.
  const own = [{ suffix: 'zoom.us', app: 'Work calls', category: 'Video calls' }]
  assert.ok((await loadAppList(ch.engine.client, { overrides: own })) > 0)
  await insert('us04web.zoom.us', 1)
  assert.deepEqual(await byApp('flows_1h'), ['=100', 'Work calls=1', 'Zoom=10'])
})
