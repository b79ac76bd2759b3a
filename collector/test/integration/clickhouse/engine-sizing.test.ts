// The embedded engine takes the settings engine-config.ts writes for a small, always-on
// box: the server settings checked in the running engine's system.server_settings, the
// background tasks' sleep (which no system table lists) by what the engine does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { ENGINE_SERVER_SETTINGS } from '../../../dist/clickhouse/engine-config.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('sizing', { migrated: false })

void test('the embedded engine runs with its home-sized server settings', async () => {
  const names = Object.keys(ENGINE_SERVER_SETTINGS)
  const got = Object.fromEntries(
    (
      await ch.rows<{ name: string; value: string }>(
        `SELECT name, value FROM system.server_settings WHERE name IN (${names.map((n) => `'${n}'`).join(', ')})`,
      )
    ).map((r) => [r.name, r.value]),
  )
  for (const [name, value] of Object.entries(ENGINE_SERVER_SETTINGS))
    assert.equal(got[name], String(value), name)
})

void test('a table with nothing to merge is not searched again within seconds', async () => {
  // One part: every search for a merge finds nothing, and the next waits the task's
  // sleep. With ClickHouse's own 0.1 s (checked: the file without ENGINE_TASK_SLEEP) the
  // table was searched 7-9 times in these 6 s; with 5 s, once at most.
  await ch.engine.client.command({ query: 'CREATE DATABASE IF NOT EXISTS flowloft' })
  await ch.engine.client.command({
    query: 'CREATE TABLE flowloft.sizing_probe (a UInt32) ENGINE = MergeTree ORDER BY a',
  })
  await ch.engine.client.command({ query: 'INSERT INTO flowloft.sizing_probe VALUES (1)' })
  const searches = async (): Promise<number> => {
    const [r] = await ch.rows<{ value: string }>(
      "SELECT value FROM system.events WHERE event = 'MergerMutatorRangesForMergeCount'",
    )
    return Number(r?.value ?? 0)
  }
  await sleep(1000)
  const before = await searches()
  await sleep(6000)
  const during = (await searches()) - before
  assert.ok(during <= 2, `the idle table was searched for merges ${during} times in 6 s`)
})
