// A ClickHouse outage end to end: while flowloft.flows is detached (every insert is
// refused, as by a server that lost the table), NetFlow v5 keeps arriving at a running
// collector. Batches go to the spool; after ATTACH they are replayed and every flow is
// stored exactly once. (clickhouse/writer-outage.test.ts holds the long outage with a
// restart in the middle, at the writer.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../support/service.js'
import { SteadySender } from '../support/udp-load.js'

const FLOWS_PER_DATAGRAM = 10
const datagram = (i: number): Uint8Array =>
  v5Now(
    Array.from({ length: FLOWS_PER_DATAGRAM }, (_, j) => ({
      src: '10.7.0.1',
      dst: '10.8.0.2',
      srcPort: i & 0xffff,
      dstPort: j,
      bytes: 10 + j,
    })),
  )

void test(
  'a ClickHouse outage spools and replays with nothing lost',
  { timeout: 60_000 },
  async () => {
    const svc = await startTestService({ 'writer.batch_ms': 200, 'decode.workers': 1 })
    const sender = new SteadySender(svc.netflowPort, datagram, 100)
    const client = svc.service.engine.client
    let detached = false
    try {
      sender.start()
      await eventually(
        async () => metricValue(await svc.metrics(), 'flowloft_writer_rows_total') > 0,
      )
      await client.command({ query: 'DETACH TABLE flowloft.flows' })
      detached = true
      await eventually(async () => {
        const m = await svc.metrics()
        // Spooled, and a replay from the spool already failed: the retry runs.
        return (
          metricValue(m, 'flowloft_writer_spool_files') > 0 &&
          metricValue(m, 'flowloft_writer_batches_total{source="spool",result="error"}') >= 1
        )
      }, 20_000)
      await new Promise((r) => setTimeout(r, 1000))
      await client.command({ query: 'ATTACH TABLE flowloft.flows' })
      detached = false
      await new Promise((r) => setTimeout(r, 500))
      sender.stop()
      await new Promise((r) => setTimeout(r, 300)) // the last datagrams reach the socket

      const m0 = await svc.metrics()
      const received = metricValue(m0, 'flowloft_listener_datagrams_total{listener="netflow"}')
      assert.equal(received, sender.made, 'every datagram sent was received (loopback, low rate)')
      const spooled = metricValue(m0, 'flowloft_writer_spooled_rows_total')
      await eventually(async () => {
        const [r] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
        return Number(r?.n) === received * FLOWS_PER_DATAGRAM
      }, 30_000)
      const [r] = await svc.query<{ rows: number; uniq: number }>(
        'SELECT count() AS rows, uniqExact(src_port, dst_port) AS uniq FROM flows',
      )
      assert.deepEqual(r, {
        rows: received * FLOWS_PER_DATAGRAM,
        uniq: received * FLOWS_PER_DATAGRAM,
      })
      const m = await svc.metrics()
      assert.equal(metricValue(m, 'flowloft_writer_spool_files'), 0)
      assert.equal(metricValue(m, 'flowloft_writer_dropped_rows_total{reason="spool_full"}'), 0)
      assert.equal(metricValue(m, 'flowloft_writer_dropped_rows_total{reason="memory"}'), 0)
      assert.ok(metricValue(m, 'flowloft_writer_batches_total{source="spool",result="ok"}') >= 1)
      console.log(
        `outage: ${received * FLOWS_PER_DATAGRAM} flows sent, ${spooled} went through the spool, all stored once`,
      )
    } finally {
      await sender.close()
      if (detached) await client.command({ query: 'ATTACH TABLE flowloft.flows' })
      await svc.stop()
    }
  },
)
