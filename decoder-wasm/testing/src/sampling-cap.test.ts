// The sampling-rate cap: a flow whose exporter announced a rate above it (sFlow sample,
// v9/IPFIX options data, a rate inside the record, the v5 header) is refused and counted
// in its datagram's status entry, with the rate; flows with normal rates in the same
// batch keep theirs. The configured override is not capped.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { frame, type Packet } from './builders/pcap-write.js'
import { FlowHarness } from './harness/flow-harness.js'
import type { TemplateDef } from './builders/flow-fields.js'
import { buildIpfix } from './builders/ipfix.js'
import { buildV5 } from './builders/netflow5.js'
import { buildV9 } from './builders/netflow9.js'
import { buildSflow, type FlowSample } from './builders/sflow.js'

const tcp: Packet = {
  timeMs: 0,
  src: '192.168.1.10',
  dst: '93.184.216.34',
  proto: 6,
  srcPort: 50000,
  dstPort: 443,
  payloadBytes: 960,
}
const L3 = 20 + 20 + 960
const sample = (rate: number): FlowSample => ({
  kind: 'flow',
  rate,
  records: [{ kind: 'header', frame: frame(tcp) }],
})

const small: TemplateDef = {
  id: 300,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 4, length: 1 },
    { id: 1, length: 4 },
    { id: 2, length: 4 },
    { id: 48, length: 1 }, // samplerId
  ],
}
const samplerOptions: TemplateDef = {
  id: 301,
  scopeCount: 1,
  fields: [
    { id: 1, length: 4 }, // scope: System
    { id: 48, length: 1 },
    { id: 34, length: 4 }, // samplingInterval
  ],
}
const inRecord: TemplateDef = {
  id: 302,
  fields: [...small.fields.slice(0, 5), { id: 34, length: 4 }],
}
const v9Header = { sysUptime: 100_000, unixSecs: 1_700_000_000, sequence: 1, sourceId: 7 }

/** Refused flows and the highest refused rate of each datagram of the last decode. */
function refusals(h: FlowHarness, n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [h.decoder.refusedOf(i), h.decoder.refusedRateOf(i)])
}

void test('sFlow: a sample rate of 0xFFFFFFFF is refused and counted; 512 in the same batch is applied', () => {
  const h = new FlowHarness()
  const d = h.decode([
    buildSflow({ samples: [sample(0xffffffff), sample(512)] }),
    buildSflow({ samples: [sample(1_000_000), sample(1_000_001)] }),
  ])
  assert.deepEqual(d.statuses, ['ok', 'ok'])
  assert.deepEqual(
    d.rows.map((r) => [r.rate, r.bytes]),
    [
      [512, 512 * L3],
      [1_000_000, 1_000_000 * L3],
    ],
  )
  assert.deepEqual(d.records, [1, 1])
  assert.deepEqual(refusals(h, 2), [
    [1, 0xffffffff],
    [1, 1_000_001],
  ])
})

void test('NetFlow v9: an absurd options samplingInterval refuses the flows that use it, not the others', () => {
  const h = new FlowHarness()
  const d = h.decode([
    buildV9(v9Header, [
      { optionsTemplates: [samplerOptions], pad: 2 },
      {
        template: samplerOptions,
        records: [
          [0, 1, 100],
          [0, 2, 0xfffffff0],
        ],
        pad: 2,
      },
      { templates: [small, inRecord] },
      {
        template: small,
        records: [
          ['10.0.0.1', '10.0.0.2', 6, 1000, 10, 1],
          ['10.0.0.1', '10.0.0.3', 6, 1000, 10, 2],
          ['10.0.0.1', '10.0.0.4', 6, 1000, 10, 2],
        ],
      },
      {
        template: inRecord,
        records: [
          ['10.0.0.5', '10.0.0.6', 17, 50, 1, 4_000_000_000],
          ['10.0.0.5', '10.0.0.7', 17, 50, 1, 64],
        ],
      },
    ]),
  ])
  assert.deepEqual(d.statuses, ['ok'])
  assert.deepEqual(
    d.rows.map((r) => [r.dst, r.rate, r.bytes]),
    [
      ['10.0.0.2', 100, 100_000],
      ['10.0.0.7', 64, 3200],
    ],
  )
  assert.deepEqual(refusals(h, 1), [[3, 0xfffffff0]])
  // The options record itself was learned (the rate is known, just never applied).
  assert.equal(h.decoder.flowCounters().ratesLearned, 2)
  assert.equal(h.decoder.flowCounters().flowsRefused, 0, 'all refusals belonged to a datagram')
})

void test('IPFIX options data above the cap; a lower configured cap; the override is trusted', () => {
  const ipfixHeader = { exportTime: 1_700_000_000, sequence: 1, domain: 3 }
  const dg = buildIpfix(ipfixHeader, [
    { optionsTemplates: [samplerOptions] },
    { template: samplerOptions, records: [[0, 1, 5000]] },
    { templates: [small] },
    { template: small, records: [['10.0.0.1', '10.0.0.2', 6, 1000, 10, 1]] },
  ])
  const capped = new FlowHarness({ maxSamplingRate: 4096 })
  const d = capped.decode([dg])
  assert.deepEqual(d.rows, [])
  assert.deepEqual(refusals(capped, 1), [[1, 5000]])
  const open = new FlowHarness({ maxSamplingRate: 0 })
  assert.deepEqual(
    open.decode([dg]).rows.map((r) => r.rate),
    [5000],
    'a cap of 0 turns it off',
  )
  const overridden = new FlowHarness({ maxSamplingRate: 4096 })
  assert.deepEqual(
    overridden.decode([dg], { samplingOverride: 8 }).rows.map((r) => [r.rate, r.bytes]),
    [[8, 8000]],
  )
})

void test('NetFlow v5: a header interval above a low cap refuses every record of the datagram', () => {
  const rec = {
    src: '10.0.0.1',
    dst: '10.0.0.2',
    packets: 1,
    bytes: 100,
    first: 1,
    last: 2,
    srcPort: 1,
    dstPort: 2,
    proto: 6,
  }
  const h = new FlowHarness({ maxSamplingRate: 1000 })
  const d = h.decode([
    buildV5({ sysUptime: 10, unixSecs: 1_700_000_000, sampling: 0x3fff }, [rec, rec, rec]),
    buildV5({ sysUptime: 10, unixSecs: 1_700_000_000, sampling: 1000 }, [rec]),
  ])
  assert.deepEqual(d.statuses, ['ok', 'ok'])
  assert.deepEqual(
    d.rows.map((r) => [r.rate, r.bytes]),
    [[1000, 100_000]],
  )
  assert.deepEqual(refusals(h, 2), [
    [3, 0x3fff],
    [0, 0],
  ])
})
