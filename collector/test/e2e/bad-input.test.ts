// Datagrams that are not NetFlow are counted by reason and dropped; the service and
// its workers keep running and decode the next good datagram.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sendUdp } from '../support/exporters.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../support/service.js'

void test('bad datagrams are counted by reason; workers survive and keep decoding', async () => {
  const svc = await startTestService()
  try {
    const random = new Uint8Array(300).map((_, i) => (i * 7919 + 13) & 0xff)
    random[0] = 0x7f // not a known version
    const truncated = v5(1, 1).slice(0, 12)
    const wrongVersion = v5(1, 1)
    new DataView(wrongVersion.buffer).setUint16(0, 4)
    const countTooLarge = v5(20, 2)
    await sendUdp(svc.netflowPort, [random, truncated, wrongVersion, countTooLarge, v5(2, 2)])

    const series = (result: string, protocol: string): string =>
      `flowloft_decoder_datagrams_total{exporter="127.0.0.1",protocol="${protocol}",result="${result}"}`
    await eventually(async () => metricValue(await svc.metrics(), series('ok', 'netflow5')) === 1)
    const m = await svc.metrics()
    assert.equal(metricValue(m, series('unknown_version', 'unknown')), 2)
    assert.equal(metricValue(m, series('truncated_header', 'netflow5')), 1)
    assert.equal(metricValue(m, series('bad_count', 'netflow5')), 1)
    assert.equal(
      metricValue(m, 'flowloft_decode_dropped_datagrams_total{reason="worker_error"}'),
      0,
    )

    // After the bad ones, good datagrams still decode and are stored.
    await sendUdp(svc.netflowPort, [v5(2, 2), v5(1, 1)])
    await eventually(async () => {
      const [r] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
      return r?.n === 5
    })
    const [sum] = await svc.query<{ b: number }>('SELECT sum(bytes) AS b FROM flows')
    assert.equal(sum?.b, 5 * 300)
  } finally {
    await svc.stop()
  }
})

function v5(count: number, records: number): Uint8Array {
  const flow = { src: '10.0.0.1', dst: '8.8.8.8', packets: 3, bytes: 300 }
  return v5Now(
    Array.from({ length: records }, () => flow),
    count,
  )
}
