import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FlowHarness } from './harness/flow-harness.js'
import { buildIpfix } from './builders/ipfix.js'
import { buildV9 } from './builders/netflow9.js'
import { VARIABLE, type TemplateDef } from './builders/flow-fields.js'
import { eventSlices, parseEvent } from '../../dist/flow-events.js'
import { TemplateRegistry, SnapshotError } from '../../dist/template-registry.js'

const v9Header = { sysUptime: 100_000, unixSecs: 1_700_000_000, sourceId: 3 }
const ipfixHeader = { exportTime: 1_700_000_000, domain: 4 }
const v9Tpl: TemplateDef = {
  id: 256,
  fields: [
    { id: 8, length: 4 },
    { id: 1, length: 4 },
    { id: 48, length: 1 },
  ],
}
const v9Opts: TemplateDef = {
  id: 257,
  scopeCount: 1,
  fields: [
    { id: 1, length: 4 },
    { id: 48, length: 1 },
    { id: 34, length: 4 },
  ],
}
const ipfixTpl: TemplateDef = {
  id: 400,
  fields: [
    { id: 8, length: 4 },
    { id: 96, length: VARIABLE },
    { id: 1, length: 4, enterprise: 29305 },
    { id: 1, length: 4 },
  ],
}
const ipfixOpts: TemplateDef = {
  id: 401,
  scopeCount: 1,
  fields: [
    { id: 149, length: 4 },
    { id: 160, length: 8 },
  ],
}

const learnAll = (): Uint8Array[] => [
  buildV9(v9Header, [
    { templates: [v9Tpl] },
    { optionsTemplates: [v9Opts], pad: 2 },
    { template: v9Opts, records: [[0, 1, 100]], pad: 3 },
  ]),
  buildIpfix(ipfixHeader, [
    { templates: [ipfixTpl] },
    { optionsTemplates: [ipfixOpts] },
    { template: ipfixOpts, records: [[4, 1_699_000_000_000n]] },
  ]),
]

const v9Data = buildV9(v9Header, [{ template: v9Tpl, records: [['10.0.0.1', 10, 1]] }])
const ipfixData = buildIpfix(ipfixHeader, [
  { template: ipfixTpl, records: [['10.0.0.2', 'x', 0, 20]] },
])

void test('events: one per template / options value learned, none when re-sent unchanged', () => {
  const a = new FlowHarness()
  a.decode(learnAll())
  const events = [...eventSlices(a.decoder.takeEvents())].map(parseEvent)
  assert.deepEqual(
    events.map((e) => e?.kind),
    ['template', 'optionsTemplate', 'samplingRate', 'template', 'optionsTemplate', 'systemInit'],
  )
  assert.deepEqual(events[0], {
    kind: 'template',
    protocol: 9,
    exporter: '192.0.2.10',
    port: 2055,
    domain: 3,
    templateId: 256,
    scopeCount: 0,
    fields: [
      { id: 8, enterprise: 0, length: 4 },
      { id: 1, enterprise: 0, length: 4 },
      { id: 48, enterprise: 0, length: 1 },
    ],
  })
  assert.deepEqual(events[2], {
    kind: 'samplingRate',
    protocol: 9,
    exporter: '192.0.2.10',
    port: 2055,
    domain: 3,
    key: 'samplerId',
    samplerId: 1n,
    rate: 100,
  })
  const ipfix = events[3]
  assert.ok(ipfix?.kind === 'template')
  assert.deepEqual(ipfix.fields[2], { id: 1, enterprise: 29305, length: 4 })
  assert.deepEqual(ipfix.fields[1], { id: 96, enterprise: 0, length: VARIABLE })
  a.decode(learnAll())
  assert.equal(a.decoder.takeEvents().byteLength, 0)
})

void test("events from one instance let another decode that exporter's data, held data included", () => {
  const a = new FlowHarness()
  const b = new FlowHarness()
  // b sees data first: nothing to decode it with, so it is held.
  assert.deepEqual(b.decode([v9Data, ipfixData]).statuses, ['template_missing', 'template_missing'])
  a.decode(learnAll())
  const events = a.decoder.takeEvents()
  const released = b.importEvents(events)
  assert.deepEqual(
    released.map((r) => [r.src, r.bytes, r.rate, r.flowType, r.datagram]),
    [
      ['10.0.0.1', 1000, 100, 9, 0xffffffff],
      ['10.0.0.2', 20, 1, 10, 0xffffffff],
    ],
  )
  // Imported events are applied, not announced again.
  assert.equal(b.decoder.takeEvents().byteLength, 0)
  const later = b.decode([v9Data, ipfixData])
  assert.deepEqual(later.statuses, ['ok', 'ok'])
  assert.deepEqual(
    later.rows.map((r) => [r.src, r.bytes]),
    [
      ['10.0.0.1', 1000],
      ['10.0.0.2', 20],
    ],
  )
  const c = b.decoder.flowCounters()
  assert.deepEqual([c.eventsImported, c.heldDecoded, c.heldCurrent], [6, 2, 0])
})

void test('withdrawals travel as events too', () => {
  const a = new FlowHarness()
  const b = new FlowHarness()
  a.decode(learnAll())
  b.importEvents(a.decoder.takeEvents())
  a.decode([buildIpfix(ipfixHeader, [{ withdraw: [400] }])])
  const events = a.decoder.takeEvents()
  assert.deepEqual(
    [...eventSlices(events)].map((e) => parseEvent(e)?.kind),
    ['withdrawn'],
  )
  b.importEvents(events)
  assert.deepEqual(b.decode([ipfixData]).statuses, ['template_missing'])
})

void test('registry: merge, latest wins, withdrawals remove, snapshot round trip', () => {
  const a = new FlowHarness()
  a.decode(learnAll())
  const reg = new TemplateRegistry()
  const first = a.decoder.takeEvents()
  assert.equal(reg.apply(first), true)
  assert.equal(reg.apply(first), false)
  assert.equal(reg.size, 6)

  const redefined: TemplateDef = {
    id: 256,
    fields: [
      { id: 12, length: 4 },
      { id: 2, length: 4 },
    ],
  }
  a.decode([buildV9(v9Header, [{ templates: [redefined] }])])
  assert.equal(reg.apply(a.decoder.takeEvents()), true)
  assert.equal(reg.size, 6)

  const snap = reg.snapshot()
  assert.deepEqual(TemplateRegistry.fromSnapshot(snap).snapshot(), snap)
  assert.throws(() => TemplateRegistry.fromSnapshot(first), SnapshotError)

  // A fresh decoder primed from the snapshot decodes with the latest definition.
  const fresh = new FlowHarness()
  fresh.importEvents(snap)
  const { rows } = fresh.decode([
    buildV9(v9Header, [{ template: redefined, records: [['10.0.0.9', 4]] }]),
  ])
  // Records without a sampler ID take the domain's (first) sampler rate: 100.
  assert.deepEqual(
    rows.map((r) => [r.dst, r.packets, r.rate]),
    [['10.0.0.9', 400, 100]],
  )

  a.decode([buildIpfix(ipfixHeader, [{ withdraw: [2] }])])
  assert.equal(reg.apply(a.decoder.takeEvents()), true)
  assert.equal(reg.size, 5)
})

void test('registry: describe() lists templates and options values per exporter', () => {
  const a = new FlowHarness()
  a.decode(learnAll())
  const reg = new TemplateRegistry()
  reg.apply(a.decoder.takeEvents())
  const d = reg.describe()
  assert.equal(d.length, 1)
  assert.equal(d[0]?.exporter, '192.0.2.10')
  assert.deepEqual(
    d[0]?.templates.map((t) => [t.protocol, t.domain, t.templateId, t.kind, t.fields.length]),
    [
      ['ipfix', 4, 400, 'data', 4],
      ['ipfix', 4, 401, 'options', 2],
      ['netflow9', 3, 256, 'data', 3],
      ['netflow9', 3, 257, 'options', 3],
    ],
  )
  assert.deepEqual(d[0]?.sampling, [
    { protocol: 'netflow9', domain: 3, key: 'samplerId', samplerId: 1, rate: 100 },
  ])
  assert.deepEqual(d[0]?.systemInit, [{ protocol: 'ipfix', domain: 4, unixMs: 1_699_000_000_000 }])
  assert.doesNotThrow(() => JSON.stringify(d))
})

void test('corrupt event bytes are rejected without harm', () => {
  const a = new FlowHarness()
  a.decode(learnAll())
  const events = a.decoder.takeEvents()
  const b = new FlowHarness()
  const bad = events.slice()
  bad[32] = 200 // field count of the first template no longer matches its length
  b.importEvents(bad)
  const c = b.decoder.flowCounters()
  assert.equal(c.eventsRejected, 1)
  assert.equal(c.eventsImported, 5)
  b.importEvents(new Uint8Array([8, 0, 2, 1, 9, 0, 0, 0]))
  assert.equal(b.decoder.flowCounters().eventsRejected, 2)
})
