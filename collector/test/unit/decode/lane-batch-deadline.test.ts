// The lane batches' deadline, fed by a real listener: a quiet network arms no timer, so
// the first datagram after a pause starts decode.batch_ms, and whatever arrives within it
// goes to the decode pool as one batch (not one batch per datagram, not never).
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { test } from 'node:test'
import type { PackedBatch } from '@flowloft/decoder-wasm'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { createListeners } from '../../../dist/listener/index.js'
import { createLaneBatches } from '../../../dist/decode/lane-batches.js'

const BATCH_MS = 300

async function send(port: number, count: number): Promise<void> {
  const s = createSocket('udp4')
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) =>
      s.send(Buffer.from([0, 9, 0, 0, i]), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    )
  }
  await new Promise<void>((r) => s.close(() => r()))
}

void test('datagrams within decode.batch_ms go out as one batch, after a quiet spell too', async () => {
  const batches: { count: number; at: number }[] = []
  const lanes = createLaneBatches({
    lanes: 2,
    batchDatagrams: 1000,
    batchMs: BATCH_MS,
    onBatch: (b: PackedBatch) => batches.push({ count: b.count, at: performance.now() }),
  })
  const l = createListeners({
    specs: [{ name: 'netflow', address: { host: '127.0.0.1', port: 0 } }],
    receiveBuffer: 1 << 20,
    log: createLogger('error'),
    metrics: new Registry(),
    onDatagram: (d, from) => lanes.add(d, from.address, from.port),
  })
  const [bound] = await l.start()
  assert.ok(bound)
  try {
    // Quiet longer than the deadline: nothing to hand over.
    await new Promise((r) => setTimeout(r, BATCH_MS * 2))
    assert.equal(batches.length, 0)
    for (const round of [1, 2]) {
      const t0 = performance.now()
      await send(bound.port, 5)
      const until = t0 + 5000
      while (batches.length < round && performance.now() < until)
        await new Promise((r) => setTimeout(r, 20))
      assert.equal(batches.length, round, `round ${round}: one batch`)
      const b = batches[round - 1]
      assert.equal(b?.count, 5, `round ${round}: all five datagrams in it`)
      assert.ok((b?.at ?? 0) - t0 >= BATCH_MS * 0.9, `round ${round}: held for decode.batch_ms`)
      await new Promise((r) => setTimeout(r, BATCH_MS * 2))
    }
  } finally {
    await l.stop()
    lanes.stop()
  }
})
