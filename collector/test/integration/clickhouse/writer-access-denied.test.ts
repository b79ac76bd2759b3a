// A refused grant is the operator's to fix, not bad rows: on the real embedded engine
// run as the appliance's collector user without INSERT on flows, ClickHouse answers
// ACCESS_DENIED, and the writer keeps every batch in the spool (whole, in order) and
// retries; none is set aside or dropped.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { eventually, metricValue } from '../../support/service.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { decodeSpool } from '../../../dist/clickhouse/spool.js'

const ch = useMigratedEngine('writer-access-denied', {
  asUser: { name: 'collector', extra: ['REVOKE INSERT ON flowloft.flows'] },
})

void test('ACCESS_DENIED keeps the batches in the spool and retries them', async () => {
  const spoolDir = join(ch.dataDir, 'spool', 'flows')
  const metrics = new Registry()
  const lines: Record<string, unknown>[] = []
  const log = createLogger('warn', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>))
  const writer = fixtureWriter(ch, { spoolDir, metrics, log, batchRows: 1000, maxBackoffMs: 200 })
  writer.start()
  const now = Math.floor(Date.now() / 1000)
  const sent: Buffer[] = []
  for (let k = 0; k < 3; k++) {
    const b = fixtureRows(k * 1000, 1000, now)
    sent.push(b.tsv)
    writer.add(b.tsv, b.rows)
  }
  const errors = (): number =>
    metricValue(metrics.render(), 'flowloft_writer_batches_total{source="spool",result="error"}')
  await eventually(() => Promise.resolve(errors() >= 3), 20_000)
  await writer.stop()

  const retried = lines.filter((l) => l['msg'] === 'clickhouse insert failed, will retry')
  assert.ok(retried.length >= 3)
  assert.ok(
    retried.every((l) => l['code'] === 'ACCESS_DENIED'),
    JSON.stringify(retried[0]),
  )
  assert.deepEqual(readdirSync(join(ch.dataDir, 'spool', 'rejected')), [], 'nothing set aside')
  const kept = readdirSync(spoolDir)
    .sort()
    .map((f) => decodeSpool(readFileSync(join(spoolDir, f))).body)
  assert.deepEqual(Buffer.concat(kept), Buffer.concat(sent), 'every row kept, in order')
  const text = metrics.render()
  for (const reason of ['rejected', 'memory', 'spool_full', 'spool_error'])
    assert.equal(metricValue(text, `flowloft_writer_dropped_rows_total{reason="${reason}"}`), 0)
  const [r] = await ch.rows<{ n: string }>('SELECT count() AS n FROM flowloft.flows')
  assert.equal(Number(r?.n), 0)
})
