// `flowloft query` prints the rows on stdout and their count on stderr, `0 rows` for an
// empty result, the same whether it opens data_dir itself or goes through a running serve.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startChildService } from '../../support/child-service.js'
import { runFlowloft, type CliRun } from '../../support/flowloft-cli.js'

const CASES: { sql: string; stdout: string; stderr: string }[] = [
  { sql: 'SELECT exporter, bytes FROM flows', stdout: '', stderr: '0 rows\n' },
  { sql: 'SELECT count() AS flows FROM flows', stdout: '{"flows":0}\n', stderr: '1 row\n' },
  { sql: 'SELECT arrayJoin([1, 2]) AS n', stdout: '{"n":1}\n{"n":2}\n', stderr: '2 rows\n' },
]

function check(query: (sql: string) => CliRun): void {
  for (const c of CASES)
    assert.deepEqual(query(c.sql), { status: 0, stdout: c.stdout, stderr: c.stderr }, c.sql)
}

void test('query counts its rows on stderr, 0 rows included, direct and through serve', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-query-rows-'))
  const data = join(dir, 'data')
  const query = (http: string) => (sql: string) =>
    runFlowloft(['query', sql, '--data-dir', data, '--http', http, '--log-level', 'warn'])
  try {
    check(query(''))
    const svc = await startChildService(data)
    try {
      // serve holds data_dir: only its HTTP API can answer.
      check(query(`127.0.0.1:${new URL(svc.httpBase).port}`))
    } finally {
      await svc.kill()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
