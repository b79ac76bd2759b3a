import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FlowHarness } from './harness/flow-harness.js'
import { buildIpfix } from './builders/ipfix.js'
import { VARIABLE, type TemplateDef } from './builders/flow-fields.js'

const exportTime = 1_700_000_000
const exportMs = exportTime * 1000
const header = { exportTime, sequence: 9, domain: 5 }

// Flow keys and counters around an unknown enterprise field and two variable-length
// fields (one short, one with the 255 + 2-byte length form).
const withExtras: TemplateDef = {
  id: 256,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 100, length: 4, enterprise: 9 }, // Cisco-specific: skipped
    { id: 7, length: 2 },
    { id: 11, length: 2 },
    { id: 96, length: VARIABLE }, // applicationName: skipped
    { id: 4, length: 1 },
    { id: 1, length: 8 },
    { id: 2, length: 8 },
    { id: 200, length: VARIABLE, enterprise: 12345 },
    { id: 152, length: 8 }, // flowStartMilliseconds
    { id: 153, length: 8 },
    { id: 243, length: 2 }, // dot1qVlanId
    { id: 254, length: 2 }, // postDot1qVlanId
    { id: 81, length: 6 }, // postSourceMacAddress (no 56: used for the source MAC)
    { id: 57, length: 6 }, // postDestinationMacAddress
    { id: 176, length: 1 }, // icmpTypeIPv4
    { id: 177, length: 1 }, // icmpCodeIPv4
  ],
}

void test('variable-length and enterprise fields are skipped cleanly', () => {
  const long = new Uint8Array(300).fill(0x41)
  const h = new FlowHarness()
  const { rows, statuses } = h.decode([
    buildIpfix(header, [
      { templates: [withExtras] },
      {
        template: withExtras,
        records: [
          [
            '10.0.0.1',
            '10.0.0.2',
            7,
            40000,
            53,
            'dns',
            17,
            120n,
            2n,
            long,
            1_699_999_999_000n,
            1_699_999_999_500n,
            10,
            20,
            '02:00:00:00:00:0a',
            '02:00:00:00:00:0b',
            0,
            0,
          ],
          [
            '10.0.0.3',
            '10.0.0.4',
            7,
            0,
            0,
            '',
            1,
            84n,
            1n,
            new Uint8Array(0),
            1_699_999_998_000n,
            1_699_999_998_000n,
            10,
            20,
            '02:00:00:00:00:0a',
            '02:00:00:00:00:0b',
            8,
            0,
          ],
        ],
        pad: 3,
      },
    ]),
  ])
  assert.deepEqual(statuses, ['ok'])
  assert.deepEqual(
    rows.map((r) => [
      r.src,
      r.dst,
      r.srcPort,
      r.dstPort,
      r.proto,
      r.bytes,
      r.packets,
      r.start,
      r.end,
    ]),
    [
      ['10.0.0.1', '10.0.0.2', 40000, 53, 17, 120, 2, 1_699_999_999_000, 1_699_999_999_500],
      ['10.0.0.3', '10.0.0.4', 0, 0, 1, 84, 1, 1_699_999_998_000, 1_699_999_998_000],
    ],
  )
  assert.deepEqual(
    rows.map((r) => [
      r.vlan,
      r.srcVlan,
      r.dstVlan,
      r.srcMac,
      r.dstMac,
      r.icmpType,
      r.flowType,
      r.domain,
      r.sequence,
    ]),
    [
      [10, 10, 20, '02:00:00:00:00:0a', '02:00:00:00:00:0b', 0, 10, 5, 9],
      [10, 10, 20, '02:00:00:00:00:0a', '02:00:00:00:00:0b', 8, 10, 5, 9],
    ],
  )
})

void test('a variable-length field running past the set is a truncated record', () => {
  const t: TemplateDef = {
    id: 256,
    fields: [
      { id: 8, length: 4 },
      { id: 96, length: VARIABLE },
    ],
  }
  const dg = buildIpfix(header, [
    { templates: [t] },
    { rawId: 256, body: Uint8Array.from([10, 0, 0, 1, 0, 10, 0, 0, 2, 20, 1, 2]) },
  ])
  const { rows, statuses } = new FlowHarness().decode([dg])
  assert.deepEqual(statuses, ['truncated_record'])
  assert.deepEqual(
    rows.map((r) => r.src),
    ['10.0.0.1'],
  )
})

void test('absolute times in seconds, microseconds and nanoseconds (NTP format)', () => {
  const ntp = (unixMs: number): bigint => {
    const secs = BigInt(Math.floor(unixMs / 1000)) + 2208988800n
    const frac = (BigInt(unixMs % 1000) << 32n) / 1000n + 1n
    return (secs << 32n) | frac
  }
  const sec: TemplateDef = {
    id: 256,
    fields: [
      { id: 150, length: 4 },
      { id: 151, length: 4 },
    ],
  }
  const us: TemplateDef = {
    id: 257,
    fields: [
      { id: 154, length: 8 },
      { id: 155, length: 8 },
    ],
  }
  const ns: TemplateDef = {
    id: 258,
    fields: [
      { id: 156, length: 8 },
      { id: 157, length: 8 },
    ],
  }
  const { rows } = new FlowHarness().decode([
    buildIpfix(header, [
      { templates: [sec, us, ns] },
      { template: sec, records: [[1_699_999_990, 1_699_999_995]] },
      { template: us, records: [[ntp(1_699_999_990_123), ntp(1_699_999_995_456)]] },
      { template: ns, records: [[ntp(1_699_999_991_001), ntp(1_699_999_992_999)]] },
    ]),
  ])
  assert.deepEqual(
    rows.map((r) => [r.start, r.end]),
    [
      [1_699_999_990_000, 1_699_999_995_000],
      [1_699_999_990_123, 1_699_999_995_456],
      [1_699_999_991_001, 1_699_999_992_999],
    ],
  )
})

// MikroTik-style IPFIX: flowStartSysUpTime / flowEndSysUpTime, with or without
// systemInitTimeMilliseconds (160) in the data record.
const relative: TemplateDef = {
  id: 256,
  fields: [
    { id: 8, length: 4 },
    { id: 22, length: 4 },
    { id: 21, length: 4 },
    { id: 1, length: 4 },
  ],
}
const relativeWithInit: TemplateDef = {
  id: 257,
  fields: [...relative.fields, { id: 160, length: 8 }],
}

void test('relative timestamps use systemInitTimeMilliseconds when the record carries it', () => {
  const init = 1_699_990_000_000n
  const { rows } = new FlowHarness().decode([
    buildIpfix(header, [
      { templates: [relativeWithInit] },
      { template: relativeWithInit, records: [['10.0.0.1', 5_000, 9_000, 1, init]] },
    ]),
  ])
  assert.deepEqual([rows[0]?.start, rows[0]?.end], [1_699_990_005_000, 1_699_990_009_000])
})

void test('relative timestamps are 32-bit: taken around the uptime at export', () => {
  const init = BigInt(exportMs - 100_000) // uptime 100 s at export
  const { rows } = new FlowHarness().decode([
    buildIpfix(header, [
      { templates: [relativeWithInit] },
      // started before init + 0 by the exporter's 32-bit clock: 105 s before export
      { template: relativeWithInit, records: [['10.0.0.1', 2 ** 32 - 5_000, 90_000, 1, init]] },
    ]),
  ])
  assert.deepEqual([rows[0]?.start, rows[0]?.end], [exportMs - 105_000, exportMs - 10_000])
})

void test('relative timestamps without 160 fall back to the export time', () => {
  const { rows } = new FlowHarness().decode([
    buildIpfix(header, [
      { templates: [relative] },
      { template: relative, records: [['10.0.0.1', 5_000, 9_000, 1]] },
    ]),
  ])
  assert.deepEqual([rows[0]?.start, rows[0]?.end], [exportMs - 4_000, exportMs])
})

void test('systemInitTimeMilliseconds from options data anchors relative timestamps', () => {
  const opts: TemplateDef = {
    id: 300,
    scopeCount: 1,
    fields: [
      { id: 143, length: 4 }, // meteringProcessId
      { id: 160, length: 8 },
      { id: 305, length: 4 },
      { id: 306, length: 4 },
    ],
  }
  const h = new FlowHarness()
  const { rows } = h.decode([
    buildIpfix(header, [
      { optionsTemplates: [opts] },
      { template: opts, records: [[1, 1_699_990_000_000n, 1, 9]] },
      { templates: [relative] },
      { template: relative, records: [['10.0.0.1', 5_000, 9_000, 100]] },
    ]),
  ])
  assert.deepEqual(
    [rows[0]?.start, rows[0]?.end, rows[0]?.rate, rows[0]?.bytes],
    [1_699_990_005_000, 1_699_990_009_000, 10, 1000],
  )
})

void test('options-template sampling by selector ID (samplingPacketInterval/Space)', () => {
  const opts: TemplateDef = {
    id: 300,
    scopeCount: 1,
    fields: [
      { id: 302, length: 8 }, // selectorId (scope)
      { id: 305, length: 4 },
      { id: 306, length: 4 },
    ],
  }
  const data: TemplateDef = {
    id: 301,
    fields: [
      { id: 8, length: 4 },
      { id: 1, length: 4 },
      { id: 302, length: 8 },
    ],
  }
  const { rows } = new FlowHarness().decode([
    buildIpfix(header, [
      { optionsTemplates: [opts] },
      {
        template: opts,
        records: [
          [7n, 1, 99],
          [8n, 2, 2],
        ],
      },
      { templates: [data] },
      {
        template: data,
        records: [
          ['10.0.0.1', 10, 7n],
          ['10.0.0.1', 10, 8n],
        ],
      },
    ]),
  ])
  assert.deepEqual(
    rows.map((r) => [r.rate, r.bytes]),
    [
      [100, 1000],
      [2, 20],
    ],
  )
})

void test('template withdrawal, and withdrawal of all data templates', () => {
  const a: TemplateDef = {
    id: 256,
    fields: [
      { id: 8, length: 4 },
      { id: 1, length: 4 },
    ],
  }
  const b: TemplateDef = {
    id: 257,
    fields: [
      { id: 12, length: 4 },
      { id: 1, length: 4 },
    ],
  }
  const opts: TemplateDef = {
    id: 258,
    scopeCount: 1,
    fields: [
      { id: 149, length: 4 },
      { id: 34, length: 4 },
    ],
  }
  const h = new FlowHarness()
  h.decode([buildIpfix(header, [{ templates: [a, b] }, { optionsTemplates: [opts] }])])
  const dataA = buildIpfix(header, [{ template: a, records: [['10.0.0.1', 1]] }])
  const dataB = buildIpfix(header, [{ template: b, records: [['10.0.0.2', 2]] }])
  const optData = buildIpfix(header, [{ template: opts, records: [[5, 10]] }])

  const afterOne = h.decode([buildIpfix(header, [{ withdraw: [256] }]), dataA, dataB])
  assert.deepEqual(afterOne.statuses, ['ok', 'template_missing', 'ok'])
  const afterAll = h.decode([buildIpfix(header, [{ withdraw: [2] }]), dataB, optData])
  assert.deepEqual(afterAll.statuses, ['ok', 'template_missing', 'ok'])
  const c = h.decoder.flowCounters()
  assert.deepEqual([c.templatesLearned, c.templatesWithdrawn, c.optionsRecords], [3, 2, 1])
  const afterOptions = h.decode([buildIpfix(header, [{ withdraw: [3], options: true }]), optData])
  assert.deepEqual(afterOptions.statuses, ['ok', 'template_missing'])
})

void test('RFC 5103 biflow: the reverse direction is a second record when its counters are non-zero', () => {
  const t: TemplateDef = {
    id: 256,
    fields: [
      { id: 8, length: 4 },
      { id: 12, length: 4 },
      { id: 7, length: 2 },
      { id: 11, length: 2 },
      { id: 4, length: 1 },
      { id: 10, length: 4 },
      { id: 14, length: 4 },
      { id: 1, length: 8 },
      { id: 2, length: 8 },
      { id: 6, length: 1 },
      { id: 1, length: 8, enterprise: 29305 }, // reverseOctetDeltaCount
      { id: 2, length: 8, enterprise: 29305 },
      { id: 6, length: 1, enterprise: 29305 },
      { id: 5, length: 1, enterprise: 29305 }, // reverse ToS: not in the record
    ],
  }
  const { rows } = new FlowHarness().decode([
    buildIpfix(header, [
      { templates: [t] },
      {
        template: t,
        records: [
          ['10.0.0.1', '93.184.216.34', 50000, 443, 6, 1, 2, 500n, 5n, 0x1a, 8000n, 7n, 0x12, 0],
          ['10.0.0.1', '8.8.8.8', 50001, 53, 17, 1, 2, 70n, 1n, 0, 0n, 0n, 0, 0],
          // Only the reverse direction saw traffic: one record, the reverse one.
          ['10.0.0.1', '1.1.1.1', 50002, 53, 17, 1, 2, 0n, 0n, 0, 90n, 1n, 0, 0],
        ],
      },
    ]),
  ])
  assert.deepEqual(
    rows.map((r) => [
      r.src,
      r.dst,
      r.srcPort,
      r.dstPort,
      r.inIf,
      r.outIf,
      r.bytes,
      r.packets,
      r.tcpFlags,
    ]),
    [
      ['10.0.0.1', '93.184.216.34', 50000, 443, 1, 2, 500, 5, 0x1a],
      ['93.184.216.34', '10.0.0.1', 443, 50000, 2, 1, 8000, 7, 0x12],
      ['10.0.0.1', '8.8.8.8', 50001, 53, 1, 2, 70, 1, 0],
      ['1.1.1.1', '10.0.0.1', 53, 50002, 2, 1, 90, 1, 0],
    ],
  )
})

void test('IPv6 post-NAT addresses, NAT event and ports', () => {
  const t: TemplateDef = {
    id: 256,
    fields: [
      { id: 27, length: 16 },
      { id: 28, length: 16 },
      { id: 281, length: 16 },
      { id: 282, length: 16 },
      { id: 227, length: 2 },
      { id: 228, length: 2 },
      { id: 230, length: 1 },
    ],
  }
  const { rows } = new FlowHarness().decode([
    buildIpfix(header, [
      { templates: [t] },
      {
        template: t,
        records: [['fd00::1', '2001:db8::1', '2001:db8:ffff::1', '2001:db8::1', 1024, 443, 2]],
      },
    ]),
  ])
  assert.deepEqual(
    [
      rows[0]?.postNatSrc,
      rows[0]?.postNatDst,
      rows[0]?.postNatSrcPort,
      rows[0]?.postNatDstPort,
      rows[0]?.natEvent,
    ],
    ['2001:db8:ffff::1', '2001:db8::1', 1024, 443, 2],
  )
})

void test('message length and set length errors', () => {
  const t: TemplateDef = { id: 256, fields: [{ id: 8, length: 4 }] }
  const good = buildIpfix(header, [{ templates: [t] }, { template: t, records: [['10.0.0.1']] }])
  const tooLong = buildIpfix({ ...header, length: 500 }, [{ templates: [t] }])
  const tooShort = buildIpfix({ ...header, length: 12 }, [])
  const zeroSet = buildIpfix(header, [
    { rawId: 256, body: new Uint8Array(0) },
    { template: t, records: [['10.0.0.2']] },
  ])
  const badSet = Uint8Array.from(good)
  badSet[good.byteLength - 8 + 3] = 2 // data set length 2
  const { statuses, records } = new FlowHarness().decode([good, tooLong, tooShort, zeroSet, badSet])
  assert.deepEqual(statuses, ['ok', 'bad_length', 'bad_length', 'ok', 'bad_set_length'])
  assert.deepEqual(records, [1, 0, 0, 1, 0])
})

void test('an IPFIX datagram with held data and nothing else says template_missing; counters tell the rest', () => {
  const t: TemplateDef = { id: 256, fields: [{ id: 8, length: 4 }] }
  const h = new FlowHarness()
  const { statuses } = h.decode([
    buildIpfix(header, [{ template: t, records: [['10.0.0.1']] }]),
    buildIpfix(header, [
      { templates: [{ id: 300, fields: [{ id: 1, length: 4 }] }] },
      { template: t, records: [['10.0.0.1']] },
    ]),
  ])
  assert.deepEqual(statuses, ['template_missing', 'ok'])
  assert.equal(h.decoder.flowCounters().setsHeld, 2)
})
