// Traffic metrics end to end: NetFlow v5 flows into a real collector, counters on
// /metrics with exact values, the missing-value label, expiry and the cardinality cap.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseTrafficMetrics } from '../../../dist/traffic-metrics/config.js'
import { sendUdp } from '../../support/exporters.js'
import { v5Now } from '../../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../../support/service.js'

interface Flow {
  src: number
  dst: number
  bytes: number
  packets: number
  dstPort: number
}

const ip = (a: number, b: number, c: number, d: number): number =>
  ((a << 24) | (b << 16) | (c << 8) | d) >>> 0

const FLOWS: Flow[] = [
  { src: ip(10, 0, 0, 1), dst: ip(8, 8, 8, 8), bytes: 300, packets: 3, dstPort: 53 },
  { src: ip(10, 0, 0, 1), dst: ip(8, 8, 8, 8), bytes: 200, packets: 2, dstPort: 53 },
  { src: ip(10, 0, 0, 2), dst: ip(1, 1, 1, 1), bytes: 1000, packets: 10, dstPort: 443 },
  { src: ip(10, 0, 0, 1), dst: ip(10, 0, 0, 2), bytes: 50, packets: 1, dstPort: 22 },
  { src: ip(10, 0, 0, 1), dst: ip(9, 9, 9, 9), bytes: 100, packets: 1, dstPort: 443 },
]

const METRICS = [
  {
    name: 'flow_transmit_bytes_total',
    description: 'Bytes by source, destination and host name',
    labels: [
      { name: 'src', attribute: 'src_addr', converter: 'ipv4' },
      { name: 'dst', attribute: 'dst_addr', converter: 'ipv4' },
      { name: 'host', attribute: 'src_host', converter: 'str', missing: 'unknown' },
      { name: 'site', converter: 'static', value: 'lab' },
    ],
    exclude_direction: ['internal'],
  },
  {
    name: 'flow_capped_packets_total',
    labels: [{ name: 'dst', attribute: 'dst_addr', converter: 'ipv4' }],
    count: 'packets',
    max_series: 2,
  },
  {
    name: 'flow_dns_flows_total',
    labels: [{ name: 'port', attribute: 'dst_port', converter: 'uint' }],
    count: 'flows',
    filters: [{ attribute: 'dst_port', equals: [53] }],
    expire_seconds: 1,
  },
]

void test('traffic metrics: exact values, missing label, cap and expiry', async () => {
  const svc = await startTestService({
    'enrich.local_prefixes': ['10.0.0.0/8'],
    metrics: METRICS,
  })
  try {
    await sendUdp(svc.netflowPort, [v5(FLOWS)])
    await eventually(
      async () => metricValue(await svc.metrics(), 'flowloft_decoder_flows_total') === 5,
    )
    const m = await svc.metrics()
    const tx = (src: string, dst: string): number =>
      metricValue(
        m,
        `flow_transmit_bytes_total{src="${src}",dst="${dst}",host="unknown",site="lab"}`,
      )
    assert.equal(tx('10.0.0.1', '8.8.8.8'), 500)
    assert.equal(tx('10.0.0.2', '1.1.1.1'), 1000)
    assert.equal(tx('10.0.0.1', '9.9.9.9'), 100)
    assert.equal(tx('10.0.0.1', '10.0.0.2'), 0, 'internal traffic is excluded')
    assert.equal(m.split('\n').filter((l) => l.startsWith('flow_transmit_bytes_total{')).length, 3)

    // The cap: the first two destinations get series, the other two are refused.
    assert.equal(metricValue(m, 'flow_capped_packets_total{dst="8.8.8.8"}'), 5)
    assert.equal(metricValue(m, 'flow_capped_packets_total{dst="1.1.1.1"}'), 10)
    assert.equal(m.split('\n').filter((l) => l.startsWith('flow_capped_packets_total{')).length, 2)
    assert.equal(
      metricValue(
        m,
        'flowloft_traffic_metric_series_dropped_total{metric="flow_capped_packets_total"}',
      ),
      2,
    )
    assert.equal(metricValue(m, 'flow_dns_flows_total{port="53"}'), 2)

    // Expiry: the 1-second series goes, the others stay.
    await new Promise((r) => setTimeout(r, 1500))
    const later = await svc.metrics()
    assert.doesNotMatch(later, /^flow_dns_flows_total\{/m)
    assert.match(later, /^# TYPE flow_dns_flows_total counter$/m)
    assert.equal(metricValue(later, 'flow_capped_packets_total{dst="8.8.8.8"}'), 5)

    // A new flow brings the expired series back, counting from zero.
    await sendUdp(svc.netflowPort, [v5([FLOWS[0] as Flow])])
    await eventually(
      async () => metricValue(await svc.metrics(), 'flowloft_decoder_flows_total') === 6,
    )
    assert.equal(metricValue(await svc.metrics(), 'flow_dns_flows_total{port="53"}'), 1)
  } finally {
    await svc.stop()
  }
})

void test('metrics config errors name the path and the rule', () => {
  const bad = (v: unknown): string => {
    try {
      parseTrafficMetrics(v)
    } catch (err) {
      return (err as Error).message
    }
    return 'no error'
  }
  assert.equal(
    bad([
      {
        name: 'a_total',
        labels: [
          { name: 'x', attribute: 'proto' },
          { name: 'y', attribute: 'proto', converter: 'hex' },
        ],
      },
    ]),
    'metrics[0].labels[1].converter must be one of str, ipv4, ipv6, uint, static',
  )
  assert.match(
    bad([{ name: 'a_bytes' }]),
    /^metrics\[0\]\.name must be a Prometheus metric name ending in _total/,
  )
  assert.match(
    bad([{ name: 'a_total', labels: [{ name: 'x', attribute: 'nope' }] }]),
    /^metrics\[0\]\.labels\[0\]\.attribute must be a flows column/,
  )
  assert.match(
    bad([{ name: 'a_total', labels: [{ name: 'x', attribute: 'proto', converter: 'ipv4' }] }]),
    /needs an address column/,
  )
  assert.match(
    bad([{ name: 'a_total', count: 'octets' }]),
    /^metrics\[0\]\.count must be one of bytes, packets, flows/,
  )
  assert.match(
    bad([{ name: 'a_total', max_series: 0 }]),
    /^metrics\[0\]\.max_series must be a whole number 1\.\.1000000/,
  )
  assert.match(
    bad([{ name: 'a_total', exclude_direction: ['sideways'] }]),
    /^metrics\[0\]\.exclude_direction\[0\] must be one of/,
  )
  assert.match(
    bad([{ name: 'a_total', filters: [{ attribute: 'proto' }] }]),
    /^metrics\[0\]\.filters\[0\] must have exactly one of equals, not_equals/,
  )
  assert.match(bad([{ name: 'a_total', colour: 1 }]), /^metrics\[0\]: unknown key colour/)
})

const dotted = (n: number): string =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')

function v5(flows: Flow[]): Uint8Array {
  return v5Now(
    flows.map((f) => ({
      src: dotted(f.src),
      dst: dotted(f.dst),
      packets: f.packets,
      bytes: f.bytes,
      dstPort: f.dstPort,
    })),
  )
}
