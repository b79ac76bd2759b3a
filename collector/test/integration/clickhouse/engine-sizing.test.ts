// The embedded engine takes the server settings engine-config.ts writes for a small,
// always-on box: checked in the running engine's system.server_settings, not the file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../../dist/observability/log.js'
import { openEngine } from '../../../dist/clickhouse/engine.js'
import { ENGINE_SERVER_SETTINGS } from '../../../dist/clickhouse/engine-config.js'

void test('the embedded engine runs with its home-sized server settings', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-sizing-'))
  try {
    const engine = await openEngine({
      url: '',
      dataDir,
      limits: { maxExecutionSeconds: 30, maxResultRows: 1000 },
      log: createLogger('error'),
    })
    try {
      const names = Object.keys(ENGINE_SERVER_SETTINGS)
      const rs = await engine.client.query({
        query: `SELECT name, value FROM system.server_settings WHERE name IN (${names.map((n) => `'${n}'`).join(', ')})`,
        format: 'JSONEachRow',
      })
      const got = Object.fromEntries(
        (await rs.json<{ name: string; value: string }>()).map((r) => [r.name, r.value]),
      )
      for (const [name, value] of Object.entries(ENGINE_SERVER_SETTINGS))
        assert.equal(got[name], String(value), name)
    } finally {
      await engine.close()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})
