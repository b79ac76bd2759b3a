// Parts ClickHouse detached are reported when `flowloft serve` starts. A data directory
// is prepared with the real embedded engine: a 6,000-row part of flowloft.flows is
// damaged while the engine is closed (its columns.txt removed), so ClickHouse detaches
// it as broken at the next start, and a 1,000-row part is detached by hand (DETACH
// PART). The collector started on it logs one warn line for the table (parts, rows,
// reasons) and exports flowloft_clickhouse_detached_parts{table,reason}.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../../dist/observability/log.js'
import { startChildService, type ChildService } from '../../support/child-service.js'
import { metricValue } from '../../support/service.js'
import { openEngine } from '../../../dist/clickhouse/engine.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../../support/fixture-rows.js'
import { migrate } from '../../../dist/clickhouse/migrate.js'

void test('detached parts are reported at start', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-detached-'))
  let svc: ChildService | undefined
  try {
    const engine = await openEngine({
      url: '',
      dataDir,
      limits: { maxExecutionSeconds: 30, maxResultRows: 1000 },
      log: createLogger('error'),
    })
    const parts: { name: string; path: string; rows: string }[] = []
    try {
      await migrate(engine.client)
      const now = Math.floor(Date.now() / 1000)
      for (const [first, rows] of [
        [0, 6000],
        [6000, 1000],
      ] as const) {
        await engine.insertRows({
          table: 'flowloft.flows',
          columns: FIXTURE_COLUMNS,
          format: 'TabSeparated',
          body: [fixtureRows(first, rows, now).tsv],
          settings: { async_insert: 0 },
        })
      }
      const rs = await engine.client.query({
        query: `SELECT name, path, rows FROM system.parts
                WHERE database = 'flowloft' AND table = 'flows' AND active ORDER BY rows DESC`,
        format: 'JSONEachRow',
      })
      parts.push(...(await rs.json<{ name: string; path: string; rows: string }>()))
      assert.deepEqual(
        parts.map((p) => Number(p.rows)),
        [6000, 1000],
      )
      await engine.client.command({
        query: `ALTER TABLE flowloft.flows DETACH PART '${parts[1]?.name ?? ''}'`,
      })
    } finally {
      await engine.close()
    }
    rmSync(join(parts[0]?.path ?? '', 'columns.txt'))

    svc = await startChildService(dataDir)
    const warned = svc.logs.filter((l) => l.msg.startsWith('clickhouse: detached parts found'))
    assert.equal(warned.length, 1, 'one line')
    assert.deepEqual(
      {
        level: warned[0]?.['level'],
        table: warned[0]?.['table'],
        parts: warned[0]?.['parts'],
        rows: warned[0]?.['rows'],
        reasons: warned[0]?.['reasons'],
      },
      {
        level: 'warn',
        table: 'flowloft.flows',
        parts: 2,
        rows: 7000,
        reasons: { 'broken-on-start': 1, user: 1 },
      },
    )
    const m = await svc.metrics()
    const gauge = (reason: string): number =>
      metricValue(m, `flowloft_clickhouse_detached_parts{table="flows",reason="${reason}"}`)
    assert.equal(gauge('broken-on-start'), 1)
    assert.equal(gauge('user'), 1)
    // What stays queryable: none of the detached rows.
    const [n] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    assert.equal(Number(n?.n), 0)
  } finally {
    await svc?.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
