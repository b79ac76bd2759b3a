import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Decoder } from '../../dist/decoder.js'
import { DatagramBatch } from '../../dist/datagram-batch.js'
import { prng } from './builders/traffic.js'
import { statusReason } from '../../dist/status.js'
import { runConformance } from './harness/conformance.js'
import { builtIpfix, builtV9, capturePayloads } from './fixtures/flow-fixtures.js'
import { readGolden, goldenOf } from './fixtures/flow-golden.js'

const v9Fixtures = (): Uint8Array[] => [
  ...builtV9(),
  ...capturePayloads('softflowd-v9.pcap'),
  ...capturePayloads('softflowd-v9-sampled.pcap'),
]
const ipfixFixtures = (): Uint8Array[] => [
  ...builtIpfix(),
  ...capturePayloads('softflowd-ipfix.pcap'),
  ...capturePayloads('softflowd-ipfix-biflow.pcap'),
]

/** Mutations per fixture so that each protocol gets 100,000. */
const perFixture = (n: number): number => Math.ceil(100_000 / n)

void test(
  'NetFlow v9 conformance: truncation, hostile words, 100k mutations',
  { timeout: 55_000 },
  () => {
    const fixtures = v9Fixtures()
    assert.ok(fixtures.length >= 6)
    const r = runConformance(fixtures, {
      flowType: 9,
      seed: 91,
      mutations: perFixture(fixtures.length),
    })
    assert.ok(r.sameType > 100_000, `${r.sameType} datagrams still v9`)
    assert.ok(r.records > 100_000, `decoded ${r.records} records`)
    for (const s of ['ok', 'template_missing', 'bad_set_length', 'truncated_set', 'bad_template']) {
      assert.ok((r.statuses.get(s) ?? 0) > 0, `no ${s}`)
    }
  },
)

void test(
  'IPFIX conformance: truncation, hostile words, 100k mutations',
  { timeout: 55_000 },
  () => {
    const fixtures = ipfixFixtures()
    assert.ok(fixtures.length >= 6)
    const r = runConformance(fixtures, {
      flowType: 10,
      seed: 101,
      mutations: perFixture(fixtures.length),
    })
    assert.ok(r.sameType > 100_000, `${r.sameType} datagrams still IPFIX`)
    assert.ok(r.records > 50_000, `decoded ${r.records} records`)
    for (const s of [
      'ok',
      'bad_length',
      'bad_set_length',
      'truncated_set',
      'bad_template',
      'truncated_record',
    ]) {
      assert.ok((r.statuses.get(s) ?? 0) > 0, `no ${s}`)
    }
  },
)

/** Every set header of a v9 (header 20) or IPFIX (header 16) datagram, as offsets. */
function setOffsets(dg: Uint8Array, headerLen: number): number[] {
  const dv = new DataView(dg.buffer, dg.byteOffset, dg.byteLength)
  const out: number[] = []
  let p = headerLen
  while (p + 4 <= dg.byteLength) {
    out.push(p)
    const len = dv.getUint16(p + 2)
    if (len < 4) break
    p += len
  }
  return out
}

void test(
  'set lengths pointing past the end, zero-length sets, hostile template counts',
  { timeout: 30_000 },
  () => {
    const d = new Decoder({ records: 2048 })
    const exporter = new Uint8Array(16)
    let batch = new DatagramBatch(d.inputBytes, d.datagrams)
    let datagrams = 0
    const flush = (): void => {
      const packed = batch.take()
      d.decode(new Uint8Array(packed.buffer), packed.count, () => undefined)
      for (let i = 0; i < packed.count; i++)
        assert.notEqual(statusReason(d.statusOf(i)), 'unknown_status')
      datagrams += packed.count
      batch = new DatagramBatch(d.inputBytes, d.datagrams)
    }
    const add = (dg: Uint8Array): void => {
      if (!batch.add(dg, exporter, 2055, 1_700_000_000_000)) {
        flush()
        batch.add(dg, exporter, 2055, 1_700_000_000_000)
      }
    }
    for (const [fixtures, headerLen] of [
      [v9Fixtures(), 20],
      [ipfixFixtures(), 16],
    ] as const) {
      for (const fixture of fixtures) {
        add(fixture) // templates first, so data paths run with them known
        for (const at of setOffsets(fixture, headerLen)) {
          const rest = fixture.byteLength - at
          for (const len of [0, 1, 3, 4, 5, rest - 1, rest + 1, rest + 4, 0xffff]) {
            const dg = fixture.slice()
            new DataView(dg.buffer).setUint16(at + 2, len & 0xffff)
            add(dg)
            add(dg.subarray(0, at + 4)) // the set header alone at the end
          }
          // Inside the set: a template's field count / the first field length.
          for (const word of [0, 1, 0xff, 0x7fff, 0x8000, 0xfffe, 0xffff]) {
            for (const off of [6, 8, 10]) {
              if (at + off + 2 > fixture.byteLength) continue
              const dg = fixture.slice()
              new DataView(dg.buffer).setUint16(at + off, word)
              add(dg)
            }
          }
        }
        if (headerLen === 16) {
          for (const len of [0, 15, 16, fixture.byteLength - 1, fixture.byteLength + 1, 0xffff]) {
            const dg = fixture.slice()
            new DataView(dg.buffer).setUint16(2, len)
            add(dg)
          }
        }
      }
    }
    flush()
    assert.ok(datagrams > 500)
  },
)

void test('mutated event streams are imported without harm', { timeout: 30_000 }, () => {
  const source = new Decoder()
  const batch = new DatagramBatch(source.inputBytes, source.datagrams)
  for (const dg of [...v9Fixtures(), ...ipfixFixtures()])
    batch.add(dg, new Uint8Array(16), 2055, 1_700_000_000_000)
  const packed = batch.take()
  source.decode(new Uint8Array(packed.buffer), packed.count, () => undefined)
  const events = source.takeEvents()
  assert.ok(events.byteLength > 200)
  const target = new Decoder()
  const rnd = prng(77)
  for (let m = 0; m < 20_000; m++) {
    const e = events.slice(0, Math.floor(rnd() * (events.byteLength + 1)))
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++)
      e[Math.floor(rnd() * e.byteLength)] = Math.floor(rnd() * 256)
    target.importEvents(e, () => undefined)
  }
  const c = target.flowCounters()
  assert.ok(c.eventsImported > 0 && c.eventsRejected > 0)
})

void test('recorded softflowd captures decode to their golden records', () => {
  for (const name of [
    'softflowd-v9.pcap',
    'softflowd-v9-sampled.pcap',
    'softflowd-ipfix.pcap',
    'softflowd-ipfix-biflow.pcap',
  ]) {
    const golden = readGolden(name)
    assert.ok(golden.rows.length > 0)
    assert.deepEqual(goldenOf(name), golden, name)
  }
})
