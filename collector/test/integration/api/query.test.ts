// POST /api/query answers JSON rows; read-only is enforced by ClickHouse: writes,
// DDL and lifting the read-only setting fail with a clear error and change nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestService } from '../../support/service.js'

void test('read-only queries: answers rows, refuses INSERT, DROP, ALTER, CREATE and SET readonly=0', async () => {
  const svc = await startTestService()
  try {
    const ok = await svc.post('/api/query', 'SELECT 1 + 1 AS two, currentDatabase() AS db')
    assert.equal(ok.status, 200)
    assert.deepEqual((ok.json as { data: unknown[] }).data, [{ two: 2, db: 'flowloft' }])

    const refused = [
      "INSERT INTO flows (flow_type, bytes) VALUES ('netflow5', 1)",
      'DROP TABLE flows',
      'ALTER TABLE flows DELETE WHERE 1',
      'CREATE TABLE t (a UInt8) ENGINE = Memory',
      'SET readonly = 0',
      'SELECT 1 SETTINGS readonly = 0',
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
    ]
    for (const sql of refused) {
      const r = await svc.post('/api/query', sql)
      assert.ok(r.status === 403 || r.status === 400, `${sql} -> ${r.status}`)
      const body = r.json as { error: string }
      assert.match(body.error, /readonly|read-only|Syntax error|Cannot modify|not allowed/i, sql)
    }
    const [n] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    assert.equal(n?.n, 0)
    const tables = await svc.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = 'flowloft' AND name = 't'",
    )
    assert.equal(tables.length, 0)

    const bad = await svc.post('/api/query', 'SELEC nonsense')
    assert.equal(bad.status, 400)
    assert.match((bad.json as { error: string }).error, /Syntax error/)

    const empty = await svc.post('/api/query', '')
    assert.equal(empty.status, 400)
  } finally {
    await svc.stop()
  }
})

void test('slow queries are cut off by max_execution_time', async () => {
  const svc = await startTestService({ 'query.max_execution_seconds': 1 })
  try {
    const t0 = Date.now()
    const r = await svc.post('/api/query', 'SELECT count() FROM system.numbers')
    assert.equal(r.status, 408)
    assert.match((r.json as { error: string }).error, /Timeout exceeded/)
    assert.ok(Date.now() - t0 < 10_000)
  } finally {
    await svc.stop()
  }
})
