// /metrics of a running collector passes `promtool check metrics` (the Prometheus
// linter: naming, units, HELP/TYPE), with most series present after real traffic.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { sendUdp } from '../../support/exporters.js'
import { v5Now } from '../../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../../support/service.js'
import { requireTools } from '../../support/tools.js'

void test('/metrics passes promtool check metrics', async (t) => {
  if (!requireTools(t, 'promtool')) return
  const svc = await startTestService({
    'enrich.local_prefixes': ['10.0.0.0/8'],
    metrics: [
      {
        name: 'flow_transmit_bytes_total',
        description: 'Bytes sent by local networks, by destination AS',
        labels: [{ name: 'dst_addr', attribute: 'dst_addr', converter: 'ipv4' }],
        filters: [{ attribute: 'direction', equals: 'outbound' }],
      },
    ],
  })
  try {
    const bad = new Uint8Array([0x7f, 1, 2, 3])
    await sendUdp(svc.netflowPort, [v5(3), v5(2), bad])
    await eventually(async () => {
      const m = await svc.metrics()
      return metricValue(m, 'flowloft_writer_rows_total') === 5
    })
    await fetch(`${svc.httpBase}/healthz`)
    const text = await svc.metrics()
    assert.equal(metricValue(text, 'flow_transmit_bytes_total{dst_addr="8.8.8.8"}'), 5 * 300)
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_active_seconds_total',
      'flowloft_listener_kernel_drops_total',
      'flowloft_decode_task_duration_seconds_bucket',
      'flowloft_enrich_cache_lookups_total',
      'flowloft_writer_insert_duration_seconds_count',
      'flowloft_http_requests_total',
      'flowloft_decoder_held_sets_total',
    ])
      assert.match(text, new RegExp(`^${name}[{ ]`, 'm'), `${name} missing`)
    // The main thread has received, dispatched and inserted: its busy time is counted,
    // and it is less than the time the process has been up.
    const busy = metricValue(text, 'nodejs_eventloop_active_seconds_total')
    assert.ok(busy > 0 && busy < process.uptime(), `event loop busy ${busy} s`)
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
    assert.equal(r.status, 0, `promtool check metrics:\n${r.stdout}${r.stderr}`)
  } finally {
    await svc.stop()
  }
})

function v5(records: number): Uint8Array {
  return v5Now(
    Array.from({ length: records }, (_, i) => ({
      src: `10.0.0.${1 + i}`,
      dst: '8.8.8.8',
      packets: 3,
      bytes: 300,
    })),
  )
}
