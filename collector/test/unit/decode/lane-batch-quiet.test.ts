// The lane batches' stretched wait: a few datagrams held after decode.batch_ms wait up to
// quietBatchMs and go out as one batch, while a network that fills an eighth of a batch
// in the stretch is handed over at once. Driven through createLaneBatches directly, the
// clock real.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PackedBatch } from '@flowloft/decoder-wasm'
import { createLaneBatches } from '../../../dist/decode/lane-batches.js'

const BATCH_MS = 100
const QUIET_MS = 600
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function lanes(): { add(n: number): void; batches: { count: number; at: number }[]; stop(): void } {
  const batches: { count: number; at: number }[] = []
  const l = createLaneBatches({
    lanes: 1,
    batchDatagrams: 80, // an eighth: 10 datagrams
    batchMs: BATCH_MS,
    quietBatchMs: QUIET_MS,
    onBatch: (b: PackedBatch) => batches.push({ count: b.count, at: performance.now() }),
  })
  return {
    batches,
    add(n) {
      for (let i = 0; i < n; i++) l.add(Buffer.from([0, 9, 0, 0, i]), '192.0.2.1', 2055)
    },
    stop: () => l.stop(),
  }
}

void test('a few datagrams wait up to quietBatchMs, as one batch', async () => {
  const l = lanes()
  const t0 = performance.now()
  // One datagram every 50 ms for 400 ms: 8, under an eighth of a batch.
  for (let i = 0; i < 8; i++) {
    l.add(1)
    await sleep(50)
  }
  assert.equal(l.batches.length, 0, 'held past decode.batch_ms')
  await sleep(QUIET_MS)
  assert.equal(l.batches.length, 1)
  assert.equal(l.batches[0]?.count, 8)
  const waited = (l.batches[0]?.at ?? 0) - t0
  assert.ok(waited >= QUIET_MS * 0.9 && waited < QUIET_MS + 200, `waited ${waited} ms`)
  l.stop()
})

void test('an eighth of a batch in the stretch goes out at once', async () => {
  const l = lanes()
  l.add(3)
  await sleep(BATCH_MS + 50) // stretched now
  assert.equal(l.batches.length, 0)
  const t = performance.now()
  l.add(7)
  assert.equal(l.batches.length, 1, 'handed over on the datagram that made it 10')
  assert.equal(l.batches[0]?.count, 10)
  assert.ok((l.batches[0]?.at ?? 0) - t < 50)
  l.stop()
})

void test('stop() hands over what a stretched wait holds', () => {
  const l = lanes()
  l.add(2)
  l.stop()
  assert.deepEqual(
    l.batches.map((b) => b.count),
    [2],
  )
})
