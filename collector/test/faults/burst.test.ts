// A burst far beyond capacity: a collector in its own process with one worker, a decode
// queue of one batch and the smallest receive buffer gets NetFlow v5 as fast as a
// socket can send it. Every datagram must be accounted for: sent = read + dropped by
// the kernel (/proc/net/udp), read = decoded + dropped at the full decode queue, and
// every decoded flow stored. The service answers /healthz during the burst, and after
// it a normal trickle is stored in full with no new drops.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendUdp } from '../support/exporters.js'
import { startChildService } from '../support/child-service.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue } from '../support/service.js'
import { burst } from '../support/udp-load.js'

const FLOWS_PER_DATAGRAM = 30
const BURST = 30_000
const datagram = (i: number, dstPort = 0): Uint8Array =>
  v5Now(
    Array.from({ length: FLOWS_PER_DATAGRAM }, (_, j) => ({
      src: '10.9.0.1',
      dst: '10.10.0.2',
      srcPort: i & 0xffff,
      dstPort: dstPort + j,
      bytes: 64,
    })),
  )

interface Counts {
  read: number
  kernelDrops: number
  queueDrops: number
  decoded: number
  flows: number
  inserted: number
}

function counts(m: string): Counts {
  let decoded = 0
  for (const line of m.split('\n')) {
    if (line.startsWith('flowloft_decoder_datagrams_total{')) decoded += Number(line.split(' ')[1])
  }
  return {
    read: metricValue(m, 'flowloft_listener_datagrams_total{listener="netflow"}'),
    kernelDrops: metricValue(m, 'flowloft_listener_kernel_drops_total{listener="netflow"}'),
    queueDrops: metricValue(m, 'flowloft_decode_dropped_datagrams_total{reason="queue_full"}'),
    decoded,
    flows: metricValue(m, 'flowloft_decoder_flows_total'),
    inserted: metricValue(m, 'flowloft_writer_rows_total'),
  }
}

void test(
  'a burst beyond capacity is counted; the service stays up and recovers',
  { timeout: 90_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fl-burst-'))
    const svc = await startChildService(dataDir, {
      'decode-workers': 1,
      'decode-queue': 1,
      'decode-batch-datagrams': 16,
      'listen-receive-buffer': 65536,
      'writer-batch-ms': 200,
      // Inserts every 200 ms however light the traffic (no writer.quiet_batch_ms stretch).
      'writer-quiet-batch-ms': 0,
    })
    t.after(async () => {
      await svc.kill()
      rmSync(dataDir, { recursive: true, force: true })
    })

    const sending = burst(svc.netflowPort, (i) => datagram(i), BURST)
    await new Promise((r) => setTimeout(r, 100))
    const health = await fetch(`${svc.httpBase}/healthz`, { signal: AbortSignal.timeout(10_000) })
    assert.equal(health.status, 200, '/healthz answers during the burst')
    const sent = await sending
    assert.equal(sent.failed, 0)

    // Settled: everything read has been decoded or dropped, and what was decoded stored.
    let c = counts(await svc.metrics())
    await eventually(async () => {
      c = counts(await svc.metrics())
      return c.read === c.decoded + c.queueDrops && c.inserted === c.flows
    }, 30_000)
    console.log(
      `burst: sent ${sent.sent}, kernel dropped ${c.kernelDrops}, read ${c.read}, ` +
        `queue dropped ${c.queueDrops}, decoded ${c.decoded} (${c.flows} flows stored)`,
    )
    assert.equal(sent.sent, c.read + c.kernelDrops, 'sent = read + kernel drops')
    assert.ok(c.queueDrops > 0, 'the full decode queue dropped and counted')
    assert.equal(c.flows, c.decoded * FLOWS_PER_DATAGRAM)
    const [stored] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    assert.equal(Number(stored?.n), c.flows)

    // Recovery: a normal trickle is stored in full, with no new drops.
    const trickle = Array.from({ length: 50 }, (_, i) => datagram(i, 9000))
    for (let k = 0; k < trickle.length; k += 5) {
      await sendUdp(svc.netflowPort, trickle.slice(k, k + 5))
      await new Promise((r) => setTimeout(r, 20))
    }
    const want = trickle.length * FLOWS_PER_DATAGRAM
    await eventually(async () => {
      const [r] = await svc.query<{ n: number }>(
        'SELECT count() AS n FROM flows WHERE dst_port >= 9000',
      )
      return Number(r?.n) === want
    }, 20_000)
    const after = counts(await svc.metrics())
    assert.equal(after.kernelDrops, c.kernelDrops)
    assert.equal(after.queueDrops, c.queueDrops)
    assert.equal(after.read, c.read + trickle.length)
    assert.equal((await fetch(`${svc.httpBase}/healthz`)).status, 200)
  },
)
