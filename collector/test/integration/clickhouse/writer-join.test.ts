// A writer that falls behind joins the batches waiting behind the running insert (up to
// maxInsertRows) into one insert, on the real embedded engine: fewer, larger inserts,
// every row stored once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fixtureWriter } from '../../support/fixture-writer.js'
import type { RowsInsert } from '../../../dist/clickhouse/engine.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('writer-join')

void test('batches queued behind a running insert go in as one, up to maxInsertRows', async () => {
  // The real engine, with each insert's row count noted on the way.
  const inserts: number[] = []
  const engine = {
    insertRows: (req: RowsInsert): Promise<void> => {
      inserts.push(req.body.reduce((n, b) => n + b.toString().split('\n').length - 1, 0))
      return ch.engine.insertRows(req)
    },
  }
  const writer = fixtureWriter(ch, {
    engine,
    batchRows: 1000,
    batchMs: 60_000,
    maxInsertRows: 4000,
  })
  writer.start()
  const now = Math.floor(Date.now() / 1000)
  // Ten batches' worth at once: the first insert starts with the first 1000 rows; the
  // other 9000 arrive while it runs.
  for (let k = 0; k < 10; k++) {
    const b = fixtureRows(k * 1000, 1000, now)
    writer.add(b.tsv, b.rows)
  }
  await writer.flush()
  await writer.stop()
  assert.deepEqual(inserts, [1000, 4000, 4000, 1000])
  const [r] = await ch.rows<{ n: string }>('SELECT count() AS n FROM flowloft.flows')
  assert.equal(Number(r?.n), 10_000)
})
