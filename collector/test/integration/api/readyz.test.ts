// /readyz tells a writer that makes no progress, on the real embedded engine: while
// flowloft.flows is detached, rows wait and no insert succeeds; past the stall bound
// /readyz answers 503 with the reason, and it is ready again once inserts go in. A quiet
// spell longer than the bound, with nothing waiting, is not a stall.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { eventually, metricValue } from '../../support/service.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { createApi } from '../../../dist/api/index.js'

const ch = useMigratedEngine('readyz')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

void test('/readyz reports a stalled writer with the reason', { timeout: 60_000 }, async () => {
  const metrics = new Registry()
  const writer = fixtureWriter(ch, {
    batchRows: 100,
    batchMs: 100,
    stallMs: 1500,
    maxBackoffMs: 300,
    metrics,
  })
  const app = createApi({
    engine: ch.engine,
    metrics,
    log: ch.log,
    maxBodyBytes: 1 << 20,
    writerStalled: () => writer.stalled(),
  })
  const readyz = async (): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await app.request('/readyz')
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }
  const stalledGauge = (): number => metricValue(metrics.render(), 'flowloft_writer_stalled')
  const now = (): number => Math.floor(Date.now() / 1000)
  const ok = { ready: true, clickhouse: true, schema: 'ok', listeners: true, writer: 'ok' }
  writer.start()
  let detached = false
  try {
    const a = fixtureRows(0, 100, now())
    writer.add(a.tsv, a.rows)
    await writer.flush()
    // Quiet for longer than the bound: nothing waits, so nothing is stalled.
    await sleep(2000)
    assert.deepEqual(await readyz(), { status: 200, json: ok })

    await ch.engine.client.command({ query: 'DETACH TABLE flowloft.flows' })
    detached = true
    const b = fixtureRows(100, 100, now())
    writer.add(b.tsv, b.rows)
    await eventually(() => Promise.resolve(writer.spool.files > 0), 5000, 50)
    // Rows have waited less than the bound: the stall clock started when they came.
    assert.deepEqual(await readyz(), { status: 200, json: ok })
    assert.equal(stalledGauge(), 0)

    await eventually(async () => (await readyz()).status === 503, 10_000, 100)
    const r = await readyz()
    assert.deepEqual(
      { ...r.json, writer: undefined, reason: undefined },
      {
        ready: false,
        clickhouse: true,
        schema: 'ok',
        listeners: true,
        writer: undefined,
        reason: undefined,
      },
    )
    assert.equal(r.json['reason'], r.json['writer'], 'the reason is the stalled writer')
    assert.match(
      String(r.json['writer']),
      /^stalled: flowloft\.flows has 0 rows in memory and 1 batches in the spool, no insert stored for \d+ s; last error UNKNOWN_TABLE: /,
    )
    assert.equal(stalledGauge(), 1)

    await ch.engine.client.command({ query: 'ATTACH TABLE flowloft.flows' })
    detached = false
    await eventually(async () => (await readyz()).status === 200, 10_000, 100)
    assert.deepEqual(await readyz(), { status: 200, json: ok })
    assert.equal(stalledGauge(), 0)
  } finally {
    if (detached) await ch.engine.client.command({ query: 'ATTACH TABLE flowloft.flows' })
    await writer.flush()
    await writer.stop()
  }
  const [n] = await ch.rows<{ n: string }>('SELECT count() AS n FROM flowloft.flows')
  assert.equal(Number(n?.n), 200)
})
