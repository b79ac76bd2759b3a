// At light traffic the writer's window stretches from batchMs up to quietBatchMs (fewer,
// larger inserts), a busy window is still cut at batchMs, and fresh() inserts at once
// what has waited longer than asked: on the real embedded engine, each insert's time and
// rows noted on the way.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fixtureWriter } from '../../support/fixture-writer.js'
import type { Writer } from '../../../dist/clickhouse/writer.js'
import type { RowsInsert } from '../../../dist/clickhouse/engine.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('writer-quiet-window')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const BATCH_MS = 200
const QUIET_MS = 1500

interface Noted {
  writer: Writer
  /** Each insert's rows and the time it began. */
  inserts: { rows: number; at: number }[]
}

/** A started writer on the real engine, each insert noted on the way. */
function started(batchRows: number, quietBatchMs: number): Noted {
  const inserts: Noted['inserts'] = []
  const engine = {
    insertRows: (req: RowsInsert): Promise<void> => {
      inserts.push({
        rows: req.body.reduce((n, b) => n + b.toString().split('\n').length - 1, 0),
        at: Date.now(),
      })
      return ch.engine.insertRows(req)
    },
  }
  const writer = fixtureWriter(ch, { engine, batchRows, batchMs: BATCH_MS, quietBatchMs })
  writer.start()
  return { writer, inserts }
}

async function stored(): Promise<number> {
  const [r] = await ch.rows<{ n: string }>('SELECT count() AS n FROM flowloft.flows')
  return Number(r?.n)
}

void test('light traffic: one insert per quiet window, no row waits longer than it', async () => {
  const before = await stored()
  const { writer, inserts } = started(10_000, QUIET_MS)
  const now = Math.floor(Date.now() / 1000)
  const t0 = Date.now()
  // 10 rows every 100 ms for 2.5 s: far below batchRows / 10 per batchMs window.
  for (let k = 0; k < 25; k++) {
    const b = fixtureRows(k * 10, 10, now)
    writer.add(b.tsv, b.rows)
    await sleep(100)
  }
  await sleep(QUIET_MS)
  await writer.stop()
  assert.equal((await stored()) - before, 250, 'every row stored once')
  // Without the stretch this would be one insert per 200 ms tick, about 13.
  assert.ok(inserts.length >= 2 && inserts.length <= 3, `${inserts.length} inserts`)
  const first = inserts[0]
  assert.ok(
    first && first.at - t0 <= QUIET_MS + 50,
    `first insert after ${first && first.at - t0} ms`,
  )
  assert.ok(first && first.at - t0 >= QUIET_MS - BATCH_MS - 50, 'the window was stretched')
})

void test('a busy window is cut at batchMs', async () => {
  const before = await stored()
  const { writer, inserts } = started(1000, 60_000)
  const b = fixtureRows(1000, 150, Math.floor(Date.now() / 1000))
  const t0 = Date.now()
  writer.add(b.tsv, b.rows) // 150 rows >= batchRows / 10
  await sleep(2 * BATCH_MS + 100)
  assert.equal(inserts.length, 1, 'cut at the first tick')
  assert.ok((inserts[0]?.at ?? 0) - t0 <= BATCH_MS + 100)
  await writer.stop()
  assert.equal((await stored()) - before, 150)
})

void test('fresh() inserts rows older than asked, and leaves younger ones', async () => {
  const before = await stored()
  const { writer, inserts } = started(10_000, 60_000)
  const b = fixtureRows(2000, 20, Math.floor(Date.now() / 1000))
  writer.add(b.tsv, b.rows)
  await writer.fresh(500)
  assert.equal(inserts.length, 0, 'younger than 500 ms: left to wait')
  await sleep(600)
  await writer.fresh(500)
  assert.equal(inserts.length, 1, 'older: inserted before fresh() resolved')
  assert.equal((await stored()) - before, 20)
  await writer.stop()
})
