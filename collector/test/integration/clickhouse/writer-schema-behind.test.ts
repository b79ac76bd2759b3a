// A table behind the collector's schema (a column missing: migrations not applied yet) is
// a refusal the operator fixes, not bad rows: on the real embedded engine the writer
// keeps every batch in the spool and retries, sets none aside, and stores them all once
// the column is there.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { eventually, metricValue } from '../../support/service.js'
import { fixtureRows } from '../../support/fixture-rows.js'

const ch = useMigratedEngine('writer-schema-behind')

void test('batches for a column the table lacks wait in the spool until it is added', async () => {
  const table = 'flowloft.behind'
  await ch.engine.client.command({ query: `CREATE TABLE ${table} AS flowloft.flows` })
  await ch.engine.client.command({ query: `ALTER TABLE ${table} DROP COLUMN packets` })
  const spoolDir = join(ch.dataDir, 'spool', 'behind')
  const metrics = new Registry()
  const lines: Record<string, unknown>[] = []
  const log = createLogger('warn', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>))
  const writer = fixtureWriter(ch, { table, spoolDir, metrics, log, maxBackoffMs: 200 })
  writer.start()
  const now = Math.floor(Date.now() / 1000)
  for (let k = 0; k < 3; k++) {
    const b = fixtureRows(k * 1000, 1000, now)
    writer.add(b.tsv, b.rows)
  }
  const errors = (): number =>
    metricValue(metrics.render(), 'flowloft_writer_batches_total{source="spool",result="error"}')
  // The first attempt fails from memory, then the spool is retried.
  await eventually(() => Promise.resolve(errors() >= 2 && writer.spool.files > 0), 20_000)
  const retried = lines.filter((l) => l['msg'] === 'clickhouse insert failed, will retry')
  assert.ok(retried.length >= 2)
  assert.ok(retried.every((l) => l['code'] === 'NO_SUCH_COLUMN_IN_TABLE'))
  assert.deepEqual(readdirSync(join(ch.dataDir, 'spool', 'rejected')), [], 'nothing set aside')

  await ch.engine.client.command({ query: `ALTER TABLE ${table} ADD COLUMN packets UInt64` })
  await writer.flush()
  await writer.stop()
  const [r] = await ch.rows<{ n: string; u: string }>(
    `SELECT count() AS n, uniqExact(sequence) AS u FROM ${table}`,
  )
  assert.deepEqual([Number(r?.n), Number(r?.u)], [3000, 3000], 'every row, once')
  assert.deepEqual(readdirSync(spoolDir), [])
  const text = metrics.render()
  assert.equal(metricValue(text, 'flowloft_writer_dropped_rows_total{reason="rejected"}'), 0)
  assert.equal(metricValue(text, 'flowloft_writer_rows_total'), 3000)
})
