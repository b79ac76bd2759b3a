// decode.max_sampling_rate through a running collector on the embedded engine: an sFlow
// sample announcing 0xFFFFFFFF and v9 options data announcing 4,000,000,000 are refused,
// counted per exporter and logged (rate-limited); flows with normal rates in the same run are stored
// with their rate applied, and nothing stored carries an absurd rate or byte count.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  buildSflow,
  buildV9,
  type FlowSample,
  frame,
  type TemplateDef,
} from '@flowloft/decoder-wasm/testing'
import { createLogger } from '../../dist/observability/log.js'
import { sendUdp } from '../support/exporters.js'
import { eventually, metricValue, startTestService } from '../support/service.js'

const L3 = 20 + 8 + 472 // IPv4 + UDP + payload
const sample = (rate: number, srcPort: number): FlowSample => ({
  kind: 'flow',
  rate,
  records: [
    {
      kind: 'header',
      frame: frame({
        timeMs: 0,
        src: '192.168.1.10',
        dst: '9.9.9.9',
        proto: 17,
        srcPort,
        dstPort: 53,
        payloadBytes: 472,
      }),
    },
  ],
})
const options: TemplateDef = {
  id: 400,
  scopeCount: 1,
  fields: [
    { id: 1, length: 4 },
    { id: 48, length: 1 }, // samplerId
    { id: 34, length: 4 }, // samplingInterval
  ],
}
const data: TemplateDef = {
  id: 401,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 4, length: 1 },
    { id: 1, length: 4 },
    { id: 2, length: 4 },
    { id: 48, length: 1 },
  ],
}

void test('sampling rates above decode.max_sampling_rate are refused, counted and logged; normal ones applied', async (t) => {
  const lines: string[] = []
  const svc = await startTestService(
    { 'listen.sflow': '127.0.0.1:0' },
    createLogger('info', {}, (l) => lines.push(l)),
  )
  t.after(() => svc.stop())
  const sflowPort = svc.service.listeners.find((l) => l.name === 'sflow')?.port ?? 0
  const header = { sysUptime: 60_000, unixSecs: Math.floor(Date.now() / 1000), sourceId: 1 }
  await sendUdp(sflowPort, [buildSflow({ samples: [sample(0xffffffff, 1), sample(512, 2)] })], {
    address: '127.0.0.7',
  })
  await sendUdp(
    svc.netflowPort,
    [
      buildV9(header, [
        { optionsTemplates: [options], pad: 2 },
        {
          template: options,
          records: [
            [0, 1, 256],
            [0, 2, 4_000_000_000],
          ],
          pad: 2,
        },
        { templates: [data] },
        {
          template: data,
          records: [
            ['10.0.0.1', '10.0.0.2', 6, 1000, 10, 1],
            ['10.0.0.1', '10.0.0.3', 6, 1000, 10, 2],
          ],
        },
      ]),
    ],
    { address: '127.0.0.8' },
  )
  type Row = { exporter: string; rate: number; bytes: number; packets: number }
  let rows: Row[] = []
  await eventually(async () => {
    rows = await svc.query<Row>(
      `SELECT toString(exporter) AS exporter, sampling_rate AS rate, bytes, packets
       FROM flows ORDER BY exporter`,
    )
    return rows.length >= 2
  })
  assert.deepEqual(rows, [
    { exporter: '::ffff:127.0.0.7', rate: 512, bytes: 512 * L3, packets: 512 },
    { exporter: '::ffff:127.0.0.8', rate: 256, bytes: 256_000, packets: 2560 },
  ])
  const text = await svc.metrics()
  const refused = (exporter: string, protocol: string): number =>
    metricValue(
      text,
      `flowloft_decoder_flows_refused_total{exporter="${exporter}",protocol="${protocol}",reason="sampling_rate"}`,
    )
  assert.equal(refused('127.0.0.7', 'sflow5'), 1)
  assert.equal(refused('127.0.0.8', 'netflow9'), 1)
  const logged = lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => String(l['msg']).startsWith('flows refused: sampling rate'))
  // Rate-limited: one line per 10 s for both exporters, naming the first one refused.
  assert.equal(logged.length, 1, JSON.stringify(logged))
  const first = logged[0] ?? {}
  assert.equal(first['max'], 1_000_000)
  assert.ok(
    (first['exporter'] === '127.0.0.7' && first['rate'] === 0xffffffff) ||
      (first['exporter'] === '127.0.0.8' && first['rate'] === 4_000_000_000),
    JSON.stringify(first),
  )
  console.log(
    `stored ${JSON.stringify(rows)}; refused sflow5 1, netflow9 1; log: ${JSON.stringify(logged[0])}`,
  )
})
