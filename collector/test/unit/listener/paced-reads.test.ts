// listen.quiet_read_ms on a real UDP socket: a quiet socket is paused between reads once a
// whole window showed it quiet, and loses nothing; a busy one, the first window after
// start, one the kernel dropped datagrams on and one with a small buffer are read at each
// datagram; drain() reads what a paused socket holds, also while a pause's queue is still
// being read, and the listeners' stop() does so before closing. The sockets ask for
// buffers any kernel grants and the cases pass a low least buffer (minBuffer), so they
// hold with net.core.rmem_max at its default.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { createListeners } from '../../../dist/listener/index.js'
import {
  MIN_PACED_BUFFER,
  pacedReads,
  type PacedReadOptions,
  type PacedReads,
} from '../../../dist/listener/paced-reads.js'

interface Paced {
  pace: PacedReads
  /** Each datagram's index, in the order read. */
  order: number[]
  /** Turns of the event loop that read at least one datagram. */
  reads(): number
  send(count: number, gapMs: number, bytes?: number): Promise<void>
  close(): void
}

/** A socket with `bufferBytes` asked for, paced with `o`, and a sender to it. */
async function paced(
  bufferBytes: number,
  o: PacedReadOptions,
  onMessage?: (p: PacedReads) => void,
): Promise<Paced> {
  const s: Socket = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  s.setRecvBufferSize(bufferBytes)
  const pace = pacedReads(s, { minBuffer: 0, ...o })
  const order: number[] = []
  let reads = 0
  let inTurn = false
  s.on('message', (d) => {
    order.push(d.readUInt32BE(0))
    pace.saw(d.byteLength)
    onMessage?.(pace)
    if (inTurn) return
    inTurn = true
    reads++
    setImmediate(() => (inTurn = false))
  })
  const out = createSocket('udp4')
  let next = 0
  return {
    pace,
    order,
    reads: () => reads,
    async send(count, gapMs, bytes = 200) {
      for (let i = 0; i < count; i++) {
        const d = Buffer.alloc(bytes)
        d.writeUInt32BE(next++, 0)
        await new Promise<void>((r, j) =>
          out.send(d, s.address().port, '127.0.0.1', (e) => (e ? j(e) : r())),
        )
        if (gapMs > 0) await sleep(gapMs)
      }
    },
    close() {
      out.close()
      s.close()
    },
  }
}

const indices = (count: number): number[] => Array.from({ length: count }, (_, i) => i)

/** Enough to be quiet: 15 datagrams of 200 bytes a 300 ms window charge 64 KB, x 4 < this. */
const ROOMY = 256 << 10

void test('a quiet socket is paused between reads after a whole quiet window, and loses nothing', async () => {
  // A light exporter: a datagram every 20 ms for 1.8 s, 300 ms windows.
  const p = await paced(ROOMY, { quietMs: 300 })
  try {
    await p.send(90, 20)
    await sleep(700)
    assert.deepEqual(p.order, indices(90))
    assert.ok(p.pace.pauses >= 3, `${p.pace.pauses} pauses`)
    // Read at each datagram, 90 turns would read; paused, about one per window.
    assert.ok(p.reads() <= 40, `${p.reads()} reads for 90 datagrams`)
  } finally {
    p.close()
  }
})

void test('the first window after start is read at each datagram', async () => {
  const p = await paced(ROOMY, { quietMs: 5000 })
  try {
    await p.send(20, 20)
    await sleep(50)
    assert.deepEqual(p.order, indices(20))
    assert.equal(p.pace.pauses, 0)
    assert.ok(p.reads() >= 15, `${p.reads()} reads for 20 datagrams`)
  } finally {
    p.close()
  }
})

void test('a busy socket is read at each datagram, small datagrams charged as the kernel does', async () => {
  // A small buffer: 15 datagrams a window are 3 KB of payload, but the kernel charges each
  // its whole buffer, so they count 15 x (200 + 4,096) bytes: more than a quarter of the
  // 64 KiB the kernel reports for 32 KiB asked.
  const p = await paced(32 << 10, { quietMs: 300 })
  try {
    await p.send(60, 20)
    await sleep(50)
    assert.deepEqual(p.order, indices(60))
    assert.equal(p.pace.pauses, 0)
    assert.ok(p.reads() >= 45, `${p.reads()} reads for 60 datagrams`)
  } finally {
    p.close()
  }
})

void test('a socket is not paused after the kernel dropped datagrams on it, nor with a small buffer', async () => {
  let drops = 0
  const dropping = await paced(ROOMY, { quietMs: 300, drops: () => drops++ })
  const small = await paced(ROOMY, { quietMs: 300, minBuffer: MIN_PACED_BUFFER })
  try {
    assert.ok(MIN_PACED_BUFFER > 2 * ROOMY)
    await Promise.all([dropping.send(60, 20), small.send(60, 20)])
    await sleep(50)
    assert.deepEqual(dropping.order, indices(60))
    assert.equal(dropping.pace.pauses, 0)
    assert.ok(drops >= 2, `drops read ${drops} times`)
    assert.deepEqual(small.order, indices(60))
    assert.equal(small.pace.pauses, 0)
  } finally {
    dropping.close()
    small.close()
  }
})

void test('drain() reads what a paused socket holds, more than a turn reads', async () => {
  const p = await paced(ROOMY, { quietMs: 1500 })
  try {
    // A whole quiet window, then the pause.
    await p.send(17, 100)
    await sleep(150)
    assert.equal(p.pace.pauses, 1)
    const before = p.order.length
    await p.send(100, 0)
    await sleep(100)
    assert.equal(p.order.length, before, 'paused: nothing read')
    const t0 = performance.now()
    await p.pace.drain()
    assert.deepEqual(p.order, indices(117))
    assert.ok(performance.now() - t0 < 1000, 'drained without waiting for the window')
  } finally {
    p.close()
  }
})

void test('drain() while a pause ends reads its whole queue', async () => {
  // drain() is called by the first datagram read after the pause, while 200 more wait.
  let draining: Promise<void> | undefined
  let armed = false
  const p = await paced(ROOMY, { quietMs: 1500 }, (pace) => {
    if (armed && !draining) draining = pace.drain()
  })
  try {
    await p.send(17, 100)
    await sleep(150)
    assert.equal(p.pace.pauses, 1)
    armed = true
    await p.send(200, 0)
    const until = performance.now() + 5000
    while (!draining && performance.now() < until) await sleep(20)
    assert.ok(draining, 'the pause ended')
    await draining
    assert.deepEqual(p.order, indices(217))
  } finally {
    p.close()
  }
})

void test("the listeners' stop() reads what a paused socket holds", async () => {
  const order: number[] = []
  const listeners = createListeners({
    specs: [{ name: 'netflow', address: { host: '127.0.0.1', port: 0 } }],
    receiveBuffer: 256 << 10,
    quietReadMs: 1500,
    quietReadMinBuffer: 0,
    log: createLogger('error'),
    metrics: new Registry(),
    onDatagram: (d) => order.push(d.readUInt32BE(0)),
  })
  const [b] = await listeners.start()
  const out = createSocket('udp4')
  const send = async (i: number): Promise<void> => {
    const d = Buffer.alloc(200)
    d.writeUInt32BE(i, 0)
    await new Promise<void>((r, j) =>
      out.send(d, b?.port ?? 0, '127.0.0.1', (e) => (e ? j(e) : r())),
    )
  }
  try {
    for (let i = 0; i < 17; i++) {
      await send(i)
      await sleep(100)
    }
    await sleep(150)
    // Paused now (a quiet whole window): these wait in the socket.
    for (let i = 17; i < 60; i++) await send(i)
    await sleep(100)
    assert.ok(order.length < 60, `paused: ${order.length} of 60 read before stop()`)
    await listeners.stop()
    assert.deepEqual(order, indices(60))
  } finally {
    out.close()
  }
})
