// The dynamic enrichment channel: changes published on the main thread reach two
// independent workers (each an Enricher over its own WASM decoder, reading the same
// shared journal), which then miss their caches for the changed keys only; a journal
// rewrite (full state) also invalidates only what differs; per-exporter prefixes give
// those exporters' flows a direction of their own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DatagramBatch, Decoder, F, S, parseAddress } from '@flowloft/decoder-wasm'
import { createLogger } from '../../../../dist/observability/log.js'
import { Registry } from '../../../../dist/observability/metrics.js'
import { v5Now, type TestFlow } from '../../../support/netflow5.js'
import { Enricher } from '../../../../dist/enrich/enricher.js'
import type { EnrichWorkerData } from '../../../../dist/enrich/worker-data.js'
import {
  createDynamicPublisher,
  type DynamicPublisher,
} from '../../../../dist/enrich/dynamic/index.js'

interface Seen {
  misses: number
  rows: Array<{ src: string; srcHost: string; dstHost: string; inIf: string; dir: number }>
}

class FakeWorker {
  readonly decoder = new Decoder()
  readonly enricher: Enricher
  constructor(data: EnrichWorkerData) {
    this.enricher = new Enricher(data)
  }
  /** Decode and enrich one batch as the pool's worker does; what came out. */
  run(batches: Array<[exporter: string, flows: TestFlow[]]>): Seen {
    const b = new DatagramBatch(1 << 20, 64)
    for (const [exporter, flows] of batches) b.add(v5Now(flows), parseAddress(exporter), 2055, 0)
    const p = b.take()
    const seen: Seen = { misses: 0, rows: [] }
    const text = (id: number): string => this.decoder.strings.text(id)
    this.enricher.refresh()
    this.decoder.decode(new Uint8Array(p.buffer), p.count, (v, n) => {
      seen.misses += this.enricher.enrichRecords(v, n, this.decoder)
      for (let i = 0; i < n; i++)
        seen.rows.push({
          src: v.addr(i, F.srcAddr),
          srcHost: text(v.sid(i, S.srcHost)),
          dstHost: text(v.sid(i, S.dstHost)),
          inIf: text(v.sid(i, S.inIfName)),
          dir: v.u8(i, F.direction),
        })
    })
    return seen
  }
}

function setup(capacityBytes?: number, localPrefixes: string[] = []) {
  const metrics = new Registry()
  const pub: DynamicPublisher = createDynamicPublisher({
    log: createLogger('error'),
    metrics,
    ...(capacityBytes ? { capacityBytes } : {}),
  })
  const data: EnrichWorkerData = {
    countryDb: null,
    asnDb: null,
    asnTable: null,
    generation: new SharedArrayBuffer(4),
    localPrefixes,
    hostAliases: { '10.0.0.3': 'static-three' },
    interfaces: {},
    dynamic: pub.buffer,
  }
  return { pub, metrics, workers: [new FakeWorker(data), new FakeWorker(data)] }
}

const E1 = '192.0.2.1'
const E2 = '192.0.2.2'
const FLOWS: TestFlow[] = [
  { src: '10.0.0.1', dst: '198.51.100.7', input: 1, output: 2 },
  { src: '10.0.0.2', dst: '198.51.100.7', input: 2, output: 3 },
  { src: '10.0.0.3', dst: '198.51.100.8', input: 3, output: 2 },
]

void test('both workers see a learned name; only flows with that address miss the cache', () => {
  const { pub, workers } = setup()
  for (const w of workers) {
    assert.equal(w.run([[E1, FLOWS]]).misses, 3)
    assert.equal(w.run([[E1, FLOWS]]).misses, 0)
  }
  pub.setHostName('10.0.0.2', 'two.example')
  pub.setHostName('10.0.0.3', 'learned-three') // the static alias wins
  for (const w of workers) {
    const s = w.run([[E1, FLOWS]])
    assert.equal(s.misses, 2, 'records with 10.0.0.2 and 10.0.0.3 miss, 10.0.0.1 hits')
    assert.deepEqual(
      s.rows.map((r) => r.srcHost),
      ['', 'two.example', 'static-three'],
    )
    assert.equal(w.run([[E1, FLOWS]]).misses, 0)
  }
  pub.setHostName('10.0.0.2', null)
  for (const w of workers) {
    const s = w.run([[E1, FLOWS]])
    assert.equal(s.misses, 1)
    assert.equal(s.rows[1]?.srcHost, '')
  }
})

void test('interface names: the records touching a changed ifIndex miss, the rest hit', () => {
  const { pub, workers } = setup()
  pub.setInterfaces(E1, new Map([[3, { name: 'lan', description: '', alias: '', speedMbps: 1 }]]))
  for (const w of workers) {
    assert.equal(w.run([[E1, FLOWS]]).misses, 3)
    assert.equal(w.run([[E1, FLOWS]]).misses, 0)
  }
  pub.setInterfaces(
    E1,
    new Map([
      [1, { name: 'wan', description: 'uplink', alias: 'isp', speedMbps: 1000 }],
      [3, { name: 'lan', description: '', alias: '', speedMbps: 1 }],
    ]),
  )
  for (const w of workers) {
    const s = w.run([[E1, FLOWS]])
    assert.equal(s.misses, 1, 'only the record with ifIndex 1 misses')
    assert.deepEqual(
      s.rows.map((r) => r.inIf),
      ['wan', '', 'lan'],
    )
  }
  // The same map again publishes nothing.
  pub.setInterfaces(
    E1,
    new Map([
      [3, { name: 'lan', description: '', alias: '', speedMbps: 1 }],
      [1, { name: 'wan', description: 'uplink', alias: 'isp', speedMbps: 1000 }],
    ]),
  )
  for (const w of workers) assert.equal(w.run([[E1, FLOWS]]).misses, 0)
})

void test("per-exporter prefixes: that exporter's flows get direction from its prefixes plus the global ones", () => {
  const { pub, workers } = setup(undefined, ['198.51.100.8/32'])
  const flows: TestFlow[] = [
    { src: '10.0.0.1', dst: '198.51.100.7' },
    { src: '198.51.100.7', dst: '10.0.0.1' },
    { src: '10.0.0.1', dst: '198.51.100.8' },
  ]
  const [w1, w2] = workers as [FakeWorker, FakeWorker]
  // Global only: 10.0.0.1 is not local anywhere.
  assert.deepEqual(
    w1.run([[E1, flows]]).rows.map((r) => r.dir),
    [4, 4, 1],
  ) // transit, transit, inbound
  pub.setExporterPrefixes(E1, ['10.0.0.0/8'])
  const both = w2.run([
    [E1, flows],
    [E2, flows],
  ])
  // E1: outbound, inbound, internal; E2 (global prefixes only): transit, transit, inbound.
  assert.deepEqual(
    both.rows.map((r) => r.dir),
    [2, 1, 3, 4, 4, 1],
  )
  const again = w1.run([
    [E1, flows],
    [E2, flows],
  ])
  assert.deepEqual(
    again.rows.map((r) => r.dir),
    [2, 1, 3, 4, 4, 1],
  )
  assert.equal(w1.run([[E2, flows]]).misses, 0, "E2's cached entries were not touched")
  pub.setExporterPrefixes(E1, [])
  assert.deepEqual(
    w1.run([[E1, flows]]).rows.map((r) => r.dir),
    [4, 4, 1],
  )
  assert.throws(() => pub.setExporterPrefixes(E1, ['10.0.0.0/33']), /10\.0\.0\.0\/33.*not a CIDR/)
  assert.throws(() => pub.setHostName('nas', 'x'), /"nas" is not an IP address/)
})

void test('a full journal is rewritten as the state; workers invalidate only what differs', () => {
  const { pub, metrics, workers } = setup(400)
  pub.setHostName('10.0.0.1', 'one')
  for (const w of workers) {
    assert.equal(w.run([[E1, FLOWS]]).rows[0]?.srcHost, 'one')
    assert.equal(w.run([[E1, FLOWS]]).misses, 0)
  }
  // Churn on an address no flow uses until the journal has to be rewritten.
  const rewrites = (): number =>
    metrics.read('flowloft_enrich_dynamic_rewrites_total').reduce((t, s) => t + s.value, 0)
  for (let k = 0; rewrites() < 2; k++) {
    pub.setHostName('203.0.113.9', `name-${k}`)
    assert.ok(k < 100, 'the journal was never rewritten')
  }
  for (const w of workers) assert.equal(w.run([[E1, FLOWS]]).misses, 0)
  pub.setHostName('10.0.0.2', 'two')
  for (let k = 0; rewrites() < 4; k++) pub.setHostName('203.0.113.9', `again-${k}`)
  for (const w of workers) {
    const s = w.run([[E1, FLOWS]])
    assert.equal(s.misses, 1)
    assert.deepEqual(
      s.rows.map((r) => r.srcHost),
      ['one', 'two', 'static-three'],
    )
  }
})
