import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FlowHarness } from './harness/flow-harness.js'
import { buildV9 } from './builders/netflow9.js'
import type { TemplateDef } from './builders/flow-fields.js'
import { TemplateRegistry } from '../../dist/template-registry.js'

const header = { sysUptime: 100_000, unixSecs: 1_700_000_000, sequence: 42, sourceId: 7 }
const exportMs = 1_700_000_000_000

const full: TemplateDef = {
  id: 256,
  fields: [
    { id: 8, length: 4 }, // IPV4_SRC_ADDR
    { id: 12, length: 4 }, // IPV4_DST_ADDR
    { id: 15, length: 4 }, // IPV4_NEXT_HOP
    { id: 18, length: 4 }, // BGP_IPV4_NEXT_HOP (loses to 15)
    { id: 7, length: 2 },
    { id: 11, length: 2 },
    { id: 4, length: 1 },
    { id: 6, length: 1 },
    { id: 5, length: 1 },
    { id: 10, length: 4 },
    { id: 14, length: 2 },
    { id: 16, length: 4 },
    { id: 17, length: 2 },
    { id: 9, length: 1 },
    { id: 13, length: 1 },
    { id: 1, length: 8 }, // IN_BYTES
    { id: 2, length: 4 }, // IN_PKTS
    { id: 23, length: 4 }, // OUT_BYTES (loses to 1)
    { id: 22, length: 4 }, // FIRST_SWITCHED
    { id: 21, length: 4 }, // LAST_SWITCHED
    { id: 61, length: 1 }, // DIRECTION
    { id: 56, length: 6 }, // IN_SRC_MAC
    { id: 80, length: 6 }, // IN_DST_MAC
    { id: 58, length: 2 }, // SRC_VLAN
    { id: 59, length: 2 }, // DST_VLAN
    { id: 136, length: 1 }, // flowEndReason
    { id: 89, length: 1 }, // forwardingStatus
    { id: 225, length: 4 },
    { id: 226, length: 4 },
    { id: 227, length: 2 },
    { id: 228, length: 2 },
    { id: 230, length: 1 },
    { id: 95, length: 4 }, // APPLICATION ID: not in the record, skipped
  ],
}

const fullValues = [
  '10.0.0.1',
  '93.184.216.34',
  '10.0.0.254',
  '192.0.2.99',
  50000,
  443,
  6,
  0x1b,
  0x28,
  3,
  4,
  64512,
  15169,
  24,
  16,
  1500n,
  10,
  999,
  90_000,
  99_000,
  1,
  '02:00:00:00:00:01',
  '02:00:00:00:00:02',
  100,
  200,
  3,
  0x40,
  '203.0.113.5',
  '93.184.216.34',
  61000,
  443,
  1,
  0xdeadbeef,
]

void test('decodes every record field of a v9 template', () => {
  const h = new FlowHarness()
  const { rows, statuses } = h.decode([
    buildV9(header, [{ templates: [full] }, { template: full, records: [fullValues] }]),
  ])
  assert.deepEqual(statuses, ['ok'])
  assert.deepEqual(rows, [
    {
      src: '10.0.0.1',
      dst: '93.184.216.34',
      nextHop: '10.0.0.254',
      postNatSrc: '203.0.113.5',
      postNatDst: '93.184.216.34',
      srcMac: '02:00:00:00:00:01',
      dstMac: '02:00:00:00:00:02',
      bytes: 1500,
      packets: 10,
      // export 1_700_000_000 s, uptime 100 s: first 90 s -> 10 s before export
      start: exportMs - 10_000,
      end: exportMs - 1_000,
      rate: 1,
      srcPort: 50000,
      dstPort: 443,
      postNatSrcPort: 61000,
      postNatDstPort: 443,
      proto: 6,
      tcpFlags: 0x1b,
      tos: 0x28,
      srcMask: 24,
      dstMask: 16,
      srcAs: 64512,
      dstAs: 15169,
      inIf: 3,
      outIf: 4,
      vlan: 100,
      srcVlan: 100,
      dstVlan: 200,
      direction: 1,
      icmpType: 0,
      icmpCode: 0,
      endReason: 3,
      forwardingStatus: 0x40,
      natEvent: 1,
      flowType: 9,
      ipVersion: 4,
      domain: 7,
      sequence: 42,
      datagram: 0,
      exporter: '192.0.2.10',
    },
  ])
})

const v6: TemplateDef = {
  id: 300,
  fields: [
    { id: 27, length: 16 },
    { id: 28, length: 16 },
    { id: 62, length: 16 },
    { id: 29, length: 1 },
    { id: 30, length: 1 },
    { id: 4, length: 1 },
    { id: 139, length: 2 }, // icmpTypeCodeIPv6
    { id: 2, length: 4 },
    { id: 1, length: 4 },
  ],
}

void test('IPv6 addresses, prefix lengths and ICMPv6 type/code', () => {
  const h = new FlowHarness()
  const { rows } = h.decode([
    buildV9(header, [
      { templates: [v6] },
      {
        template: v6,
        records: [['2001:db8::1', '2001:db8::2', 'fe80::1', 64, 48, 58, 0x8000, 3, 240]],
      },
    ]),
  ])
  assert.equal(rows.length, 1)
  const r = rows[0]
  assert.equal(r?.src, '2001:db8::1')
  assert.equal(r?.dst, '2001:db8::2')
  assert.equal(r?.nextHop, 'fe80::1')
  assert.deepEqual([r?.srcMask, r?.dstMask, r?.ipVersion], [64, 48, 6])
  assert.deepEqual([r?.icmpType, r?.icmpCode, r?.packets, r?.bytes], [128, 0, 3, 240])
})

const small: TemplateDef = {
  id: 260,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 4, length: 1 },
    { id: 11, length: 2 },
    { id: 1, length: 4 },
    { id: 2, length: 4 },
  ],
}

void test('ICMP type and code ride in the destination port when the template has no ICMP field', () => {
  const h = new FlowHarness()
  const { rows } = h.decode([
    buildV9(header, [
      { templates: [small] },
      { template: small, records: [['10.0.0.1', '10.0.0.2', 1, 0x0303, 84, 1]] },
    ]),
  ])
  assert.deepEqual([rows[0]?.icmpType, rows[0]?.icmpCode], [3, 3])
})

void test('FIRST/LAST_SWITCHED across the 32-bit sysUptime wrap', () => {
  const t: TemplateDef = {
    id: 261,
    fields: [
      { id: 22, length: 4 },
      { id: 21, length: 4 },
      { id: 1, length: 4 },
    ],
  }
  const h = new FlowHarness()
  const { rows } = h.decode([
    buildV9({ ...header, sysUptime: 5_000 }, [
      { templates: [t] },
      { template: t, records: [[0xffffffff - 4_999, 4_000, 1]] },
    ]),
  ])
  assert.equal(rows[0]?.start, exportMs - 10_000)
  assert.equal(rows[0]?.end, exportMs - 1_000)
})

const samplerOptions: TemplateDef = {
  id: 270,
  scopeCount: 1,
  fields: [
    { id: 1, length: 4 }, // scope: System
    { id: 48, length: 1 }, // FLOW_SAMPLER_ID
    { id: 34, length: 4 }, // SAMPLING_INTERVAL
    { id: 35, length: 1 }, // SAMPLING_ALGORITHM
  ],
}
const sampled: TemplateDef = { id: 271, fields: [...small.fields, { id: 48, length: 1 }] }

void test('options-template sampling rate looked up by sampler ID', () => {
  const h = new FlowHarness()
  const { rows } = h.decode([
    buildV9(header, [
      { optionsTemplates: [samplerOptions], pad: 2 },
      {
        template: samplerOptions,
        records: [
          [0, 3, 100, 2],
          [0, 4, 1000, 2],
        ],
        pad: 2,
      },
      { templates: [sampled] },
      {
        template: sampled,
        records: [
          ['10.0.0.1', '10.0.0.2', 6, 443, 1000, 10, 3],
          ['10.0.0.1', '10.0.0.2', 6, 443, 1000, 10, 4],
        ],
      },
    ]),
  ])
  assert.deepEqual(
    rows.map((r) => [r.rate, r.bytes, r.packets]),
    [
      [100, 100_000, 1000],
      [1000, 1_000_000, 10_000],
    ],
  )
  const c = h.decoder.flowCounters()
  assert.equal(c.optionsRecords, 2)
  assert.equal(c.ratesLearned, 2)
})

void test('a domain-wide options rate applies to records without a sampler; override and default', () => {
  const domainOptions: TemplateDef = {
    id: 272,
    scopeCount: 1,
    fields: [
      { id: 2, length: 4 }, // scope: Interface
      { id: 34, length: 4 },
    ],
  }
  const dg = buildV9(header, [
    { optionsTemplates: [domainOptions], pad: 2 },
    { template: domainOptions, records: [[0, 10]] },
    { templates: [small] },
    { template: small, records: [['10.0.0.1', '10.0.0.2', 6, 443, 1000, 10]] },
  ])
  assert.equal(new FlowHarness().decode([dg]).rows[0]?.rate, 10)
  assert.equal(new FlowHarness().decode([dg], { samplingOverride: 7 }).rows[0]?.bytes, 7000)
  const plain = buildV9(header, [
    { templates: [small] },
    { template: small, records: [['10.0.0.1', '10.0.0.2', 6, 443, 1000, 10]] },
  ])
  assert.equal(new FlowHarness().decode([plain], { samplingDefault: 5 }).rows[0]?.rate, 5)
})

void test('MikroTik RouterOS v6: little-endian sampling interval inside the data record', () => {
  const t: TemplateDef = { id: 280, fields: [...small.fields, { id: 34, length: 4 }] }
  const le1000 = new Uint8Array([0xe8, 0x03, 0, 0])
  const h = new FlowHarness()
  const { rows } = h.decode([
    buildV9(header, [
      { templates: [t] },
      {
        template: t,
        records: [
          ['10.0.0.1', '10.0.0.2', 6, 443, 100, 1, le1000],
          ['10.0.0.1', '10.0.0.2', 6, 443, 100, 1, 512], // a big-endian exporter
        ],
      },
    ]),
  ])
  assert.deepEqual(
    rows.map((r) => [r.rate, r.bytes]),
    [
      [1000, 100_000],
      [512, 51_200],
    ],
  )
})

void test('data before its template is held, then decoded when the template arrives', () => {
  const h = new FlowHarness()
  const data = buildV9(header, [
    { template: small, records: [['10.0.0.1', '10.0.0.2', 6, 443, 1000, 10]] },
  ])
  const first = h.decode([data, data])
  assert.deepEqual(first.statuses, ['template_missing', 'template_missing'])
  assert.equal(first.rows.length, 0)
  assert.equal(h.decoder.flowCounters().setsHeld, 2)
  assert.equal(h.decoder.flowCounters().heldCurrent, 2)

  const later = { ...header, sysUptime: 130_000, unixSecs: 1_700_000_030, sequence: 43 }
  const second = h.decode([buildV9(later, [{ templates: [small] }])], {
    receivedMs: 1_700_000_030_000,
  })
  assert.deepEqual(second.statuses, ['ok'])
  assert.deepEqual(second.records, [2])
  assert.equal(second.rows.length, 2)
  // Decoded in the context the data arrived with: its header, its receive time.
  assert.equal(second.rows[0]?.sequence, 42)
  assert.equal(second.rows[0]?.start, 0) // template has no times
  assert.equal(second.rows[0]?.bytes, 1000)
  const c = h.decoder.flowCounters()
  assert.deepEqual([c.heldDecoded, c.heldRecords, c.heldCurrent, c.heldExpired], [2, 2, 0, 0])
})

void test('held data older than the age bound expires and is counted', () => {
  const h = new FlowHarness({ templates: { heldMaxAgeMs: 5_000 } })
  const data = buildV9(header, [
    { template: small, records: [['10.0.0.1', '10.0.0.2', 6, 443, 1000, 10]] },
  ])
  h.decode([data], { receivedMs: 1_700_000_000_000 })
  const { rows } = h.decode([buildV9(header, [{ templates: [small] }])], {
    receivedMs: 1_700_000_010_000,
  })
  assert.equal(rows.length, 0)
  const c = h.decoder.flowCounters()
  assert.deepEqual([c.setsHeld, c.heldExpired, c.heldCurrent], [1, 1, 0])
})

void test('held data is bounded per exporter: the oldest overflows', () => {
  const h = new FlowHarness({ templates: { heldPerExporter: 3 } })
  const sets = [1, 2, 3, 4, 5].map((i) =>
    buildV9({ ...header, sequence: i }, [
      { template: small, records: [['10.0.0.1', '10.0.0.2', 6, 443, i, 1]] },
    ]),
  )
  h.decode(sets)
  const { rows } = h.decode([buildV9(header, [{ templates: [small] }])])
  assert.deepEqual(
    rows.map((r) => r.bytes),
    [3, 4, 5],
  )
  assert.equal(h.decoder.flowCounters().heldOverflow, 2)
})

void test('a template redefined in the middle of a datagram applies to the sets after it', () => {
  const a: TemplateDef = {
    id: 256,
    fields: [
      { id: 8, length: 4 },
      { id: 1, length: 4 },
    ],
  }
  const b: TemplateDef = {
    id: 256,
    fields: [
      { id: 1, length: 4 },
      { id: 12, length: 4 },
      { id: 2, length: 2 },
    ],
  }
  const h = new FlowHarness()
  const { rows, statuses } = h.decode([
    buildV9(header, [
      { templates: [a] },
      { template: a, records: [['10.0.0.1', 100]] },
      { templates: [b] },
      { template: b, records: [[200, '10.0.0.2', 2]] },
    ]),
  ])
  assert.deepEqual(statuses, ['ok'])
  assert.deepEqual(
    rows.map((r) => [r.src, r.dst, r.bytes, r.packets]),
    [
      ['10.0.0.1', '::', 100, 0],
      ['::', '10.0.0.2', 200, 2],
    ],
  )
  assert.equal(h.decoder.flowCounters().templatesLearned, 2)
})

void test('source IDs of one exporter keep separate templates', () => {
  const a: TemplateDef = {
    id: 256,
    fields: [
      { id: 8, length: 4 },
      { id: 1, length: 4 },
    ],
  }
  const b: TemplateDef = {
    id: 256,
    fields: [
      { id: 1, length: 4 },
      { id: 8, length: 4 },
    ],
  }
  const h = new FlowHarness()
  h.decode([
    buildV9({ ...header, sourceId: 1 }, [{ templates: [a] }]),
    buildV9({ ...header, sourceId: 2 }, [{ templates: [b] }]),
  ])
  const { rows } = h.decode([
    buildV9({ ...header, sourceId: 1 }, [{ template: a, records: [['10.0.0.1', 100]] }]),
    buildV9({ ...header, sourceId: 2 }, [{ template: b, records: [[200, '10.0.0.2']] }]),
    buildV9({ ...header, sourceId: 3 }, [{ template: b, records: [[300, '10.0.0.3']] }]),
  ])
  assert.deepEqual(
    rows.map((r) => [r.domain, r.src, r.bytes]),
    [
      [1, '10.0.0.1', 100],
      [2, '10.0.0.2', 200],
    ],
  )
  // And a second exporter with the same source ID and template ID does not see them.
  const other = h.decode(
    [buildV9({ ...header, sourceId: 1 }, [{ template: a, records: [['10.0.0.1', 100]] }])],
    {
      exporter: '198.51.100.1',
    },
  )
  assert.deepEqual(other.statuses, ['template_missing'])
})

void test('bad flowsets and templates get a status; good sets before them still decode', () => {
  const good = buildV9(header, [
    { templates: [small] },
    { template: small, records: [['10.0.0.1', '10.0.0.2', 6, 80, 1, 1]] },
  ])
  const shortSet = Uint8Array.from([...good, 1, 0, 0, 2])
  const longSet = Uint8Array.from([...good, 1, 0, 0, 40, 0, 0])
  const lowId = buildV9(header, [{ templates: [{ id: 5, fields: [{ id: 8, length: 4 }] }] }])
  const truncatedTemplate = buildV9(header, [
    { rawId: 0, body: Uint8Array.from([1, 0, 0, 5, 0, 8, 0, 4]) },
  ])
  const h = new FlowHarness()
  const { statuses, records } = h.decode([
    shortSet,
    longSet,
    lowId,
    truncatedTemplate,
    new Uint8Array([0, 9, 0, 0]),
  ])
  assert.deepEqual(statuses, [
    'bad_set_length',
    'truncated_set',
    'bad_template',
    'bad_template',
    'truncated_header',
  ])
  assert.deepEqual(records, [1, 1, 0, 0, 0])
})

void test('a batch larger than the output is retried without holding or losing data twice', () => {
  const h = new FlowHarness({ records: 16 })
  const t = small
  const recs = Array.from({ length: 10 }, (_, i) => ['10.0.0.1', '10.0.0.2', 6, 443, i + 1, 1])
  const dgs = [
    buildV9(header, [{ template: t, records: recs }]), // held: template comes in the next datagram
    buildV9(header, [{ templates: [t] }, { template: t, records: recs }]),
    buildV9(header, [{ template: t, records: recs }]),
    buildV9(header, [{ template: t, records: recs }]),
  ]
  const { rows, statuses, records } = h.decode(dgs)
  assert.deepEqual(statuses, ['template_missing', 'ok', 'ok', 'ok'])
  assert.equal(rows.length, 40)
  // The held set, decoded after the batch loop, counts for the datagram with its template.
  assert.deepEqual(records, [0, 20, 10, 10])
  assert.deepEqual(new Set(rows.map((r) => r.datagram)), new Set([1, 2, 3]))
  assert.equal(
    rows.reduce((n, r) => n + r.bytes, 0),
    4 * 55,
  )
  const c = h.decoder.flowCounters()
  assert.deepEqual([c.setsHeld, c.heldDecoded, c.heldCurrent], [1, 1, 0])
})

void test('a full template store takes a slot only from a busier exporter address', () => {
  const h = new FlowHarness({ templates: { templates: 3 } })
  const t = (id: number): TemplateDef => ({
    id,
    fields: [
      { id: 8, length: 4 },
      { id: 1, length: 4 },
    ],
  })
  const data = (id: number): Uint8Array =>
    buildV9(header, [{ template: t(id), records: [['10.0.0.1', id]] }])
  const busy = { exporter: '192.0.2.1' }
  const quiet = { exporter: '192.0.2.2' }
  // The busy address fills the store; its own fourth template finds no busier victim.
  h.decode([buildV9(header, [{ templates: [t(256), t(257), t(258), t(259)] }])], busy)
  assert.equal(h.decoder.flowCounters().templatesRefusedFull, 1)
  // A quiet address's template takes the busy address's least recently used slot.
  h.decode([data(257), data(258)], busy)
  h.decode([buildV9(header, [{ templates: [t(300)] }])], quiet)
  assert.deepEqual(h.decode([data(300)], quiet).statuses, ['ok'])
  assert.deepEqual(h.decode([data(256), data(257), data(258), data(259)], busy).statuses, [
    'template_missing',
    'ok',
    'ok',
    'template_missing',
  ])
  // Now the two hold 2 and 1: a second quiet template would make them equal, never reverse.
  h.decode([buildV9(header, [{ templates: [t(301)] }])], quiet)
  assert.deepEqual(h.decode([data(300), data(301)], quiet).statuses, ['ok', 'template_missing'])
  const c = h.decoder.flowCounters()
  assert.deepEqual([c.templateTableFull, c.templatesRefusedFull], [1, 2])
})

void test('an exporter beyond the exporter table gets state_full', () => {
  const h = new FlowHarness({ templates: { sessions: 1 } })
  const dg = buildV9(header, [{ templates: [small] }])
  assert.deepEqual(h.decode([dg], { exporter: '192.0.2.1' }).statuses, ['ok'])
  assert.deepEqual(h.decode([dg], { exporter: '192.0.2.2' }).statuses, ['state_full'])
  assert.equal(h.decoder.flowCounters().exporterTableFull, 1)
})

void test('events are handed over between runs when their region fills', () => {
  const h = new FlowHarness({ templates: { eventBytes: 4096 } })
  const dgs = Array.from({ length: 200 }, (_, i) =>
    buildV9({ ...header, sourceId: i }, [{ templates: [small, sampled] }]),
  )
  h.decode(dgs)
  assert.equal(h.decoder.flowCounters().eventsDropped, 0)
  const reg = new TemplateRegistry()
  reg.apply(h.decoder.takeEvents())
  assert.equal(reg.size, 400)
})
