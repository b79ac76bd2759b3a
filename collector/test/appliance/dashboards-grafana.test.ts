// Every provisioned dashboard panel with only the rights Grafana has on the appliance:
// the fixture is written under the users.d `collector` user, then chdb is reopened on the
// same data under the `grafana` user (SELECT on flowloft, profile readonly=2, its memory,
// time and result limits) and every panel runs for 1 h, 2 d and 30 d, with "All" and
// with a concrete value of each variable. Without its SELECT grant, panels are refused.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { drainPending } from 'chdb'
import { createChdbConnection } from 'chdb/connection'
import { openChdbAs, type ChdbAsUser } from '../support/chdb-as-user.js'
import {
  RANGES,
  dashboards,
  fixtureEngine,
  runEveryPanel,
  runOn,
} from '../support/dashboard-panels.js'
import { expand, ALL } from './grafana-macros.js'

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

const NOW = Math.floor(Date.now() / 1000)
let dataDir = ''
let chdb: ChdbAsUser | undefined
let client: ClickHouseClient | undefined

/** chdb on the data dir as a users.d user, and a client on it (the datasource's). */
function openAs(user: string, drop: string[] = []): ClickHouseClient {
  chdb = openChdbAs(dataDir, user, { drop })
  client = createClient({
    connection: createChdbConnection({ path: chdb.path }) as unknown as ClientConnection,
  })
  return client
}

async function closeAll(): Promise<void> {
  await client?.close()
  client = undefined
  chdb?.close()
  chdb = undefined
  await drainPending()
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fl-dashboards-grafana-'))
  // The collector's part: migrations and flows, under its own grants.
  chdb = openChdbAs(dataDir, 'collector')
  const engine = await fixtureEngine(dataDir, NOW)
  await engine.close()
  await closeAll()
})
after(async () => {
  await closeAll()
  rmSync(dataDir, { recursive: true, force: true })
})

void test('as grafana: readonly=2 and its limits, no writes, no DDL', async () => {
  const c = openAs('grafana')
  const settings = chdb?.files.user.settings ?? {}
  assert.equal(settings['readonly'], '2')
  const rs = await c.query({
    query: `SELECT toString(getSetting('readonly')) AS readonly,
      toString(getSetting('max_result_rows')) AS max_result_rows`,
    format: 'JSONEachRow',
  })
  assert.deepEqual(await rs.json(), [
    { readonly: '2', max_result_rows: settings['max_result_rows'] },
  ])
  await assert.rejects(
    c.command({ query: "INSERT INTO flowloft.as_names (asn, as_name) VALUES (1, 'x')" }),
    /ACCESS_DENIED|Not enough privileges|READONLY|readonly/,
  )
  await assert.rejects(
    c.command({ query: 'DROP TABLE flowloft.flows' }),
    /ACCESS_DENIED|Not enough privileges|READONLY|readonly/,
  )
  // The key of anonymise.clear_days is not Grafana's to read, by name or by joinGet; the
  // clear rows of flows_clear are, like every flow table.
  const read = (query: string): Promise<unknown> =>
    c.query({ query, format: 'JSONEachRow' }).then((r) => r.json())
  assert.deepEqual(await read('SELECT count() AS n FROM flowloft.flows_clear'), [{ n: 0 }])
  for (const q of [
    'SELECT * FROM flowloft.anonymise_key',
    "SELECT joinGet('flowloft.anonymise_key', 'aes', toUInt8(1))",
  ])
    await assert.rejects(read(q), /ACCESS_DENIED|Not enough privileges/, q)
})

for (const range of RANGES) {
  void test(`as grafana: every panel runs for a ${range.name} range`, async () => {
    assert.ok(client, 'no grafana session')
    const { runs, panelsWithRows, slowest } = await runEveryPanel(runOn(client), range, NOW)
    console.log(
      `grafana ${range.name}: ${runs} queries, ${panelsWithRows} panels with rows, slowest ${slowest}`,
    )
    assert.ok(panelsWithRows > 0)
  })
}

void test('without its SELECT grant, grafana is refused every panel', async () => {
  await closeAll()
  const c = openAs('grafana', ['GRANT SELECT ON flowloft.*'])
  const [file, d] = dashboards[0] ?? assert.fail('no dashboards')
  const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, ALL]))
  let refused = 0
  for (const p of d.panels) {
    for (const t of p.targets ?? []) {
      const sql = expand(t.rawSql ?? '', { from: NOW - 3600, to: NOW, intervalS: 4, vars })
      await assert.rejects(
        runOn(c)(sql),
        /ACCESS_DENIED|Not enough privileges/,
        `${file}: ${p.title}`,
      )
      refused++
    }
  }
  console.log(`without SELECT on flowloft: ${refused} panels of ${file} refused`)
})
