// Datagrams that are not NetFlow are counted by reason and dropped; the service and
// its workers keep running and decode the next good datagram.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sendUdp } from '../testing/exporters.js'
import { eventually, metricValue, startTestService } from '../testing/service.js'

function v5(count: number, records: number): Uint8Array {
  const b = new Uint8Array(24 + records * 48)
  const v = new DataView(b.buffer)
  v.setUint16(0, 5)
  v.setUint16(2, count)
  v.setUint32(4, 60_000)
  v.setUint32(8, Math.floor(Date.now() / 1000))
  for (let i = 0; i < records; i++) {
    const o = 24 + i * 48
    v.setUint32(o, 0x0a000001)
    v.setUint32(o + 4, 0x08080808)
    v.setUint32(o + 16, 3)
    v.setUint32(o + 20, 300)
    v.setUint32(o + 24, 50_000)
    v.setUint32(o + 28, 59_000)
    v.setUint8(o + 38, 17)
  }
  return b
}

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
      `flowhouse_decoder_datagrams_total{exporter="127.0.0.1",protocol="${protocol}",result="${result}"}`
    await eventually(async () => metricValue(await svc.metrics(), series('ok', 'netflow5')) === 1)
    const m = await svc.metrics()
    assert.equal(metricValue(m, series('unknown_version', 'unknown')), 2)
    assert.equal(metricValue(m, series('truncated_header', 'netflow5')), 1)
    assert.equal(metricValue(m, series('bad_count', 'netflow5')), 1)
    assert.equal(
      metricValue(m, 'flowhouse_decode_dropped_datagrams_total{reason="worker_error"}'),
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
