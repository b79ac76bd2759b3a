// The WASM enrichment cache: misses are listed, answers put for them are applied on
// retry and by later runs without the host, a full cache clears itself rather than
// failing (the host then sees misses again), single keys can be forgotten, and an
// exporter's own prefix set decides the direction of its records.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Decoder } from '../../dist/decoder.js'
import { DatagramBatch } from '../../dist/datagram-batch.js'
import { F, Q_ADDRESS, Q_EXPORTER, Q_PREFIX_SET, S } from '../../dist/generated/contract.js'
import { parseAddress } from '../../dist/ip.js'
import { buildV5 } from './builders/netflow5.js'

const header = { sysUptime: 100_000, unixSecs: 1_700_000_000 }
const flow = (src: string, dst: string, input = 1) => ({
  src,
  dst,
  packets: 1,
  bytes: 100,
  first: 1,
  last: 2,
  srcPort: 1,
  dstPort: 2,
  proto: 6,
  input,
  output: 2,
})

function run(
  d: Decoder,
  flags: number,
  records: ReturnType<typeof flow>[],
  each: (misses: number[], v: Parameters<Parameters<Decoder['decode']>[2]>[0], n: number) => void,
): void {
  const b = new DatagramBatch(1 << 20, 64)
  for (let k = 0; k < records.length; k += 30)
    b.add(buildV5(header, records.slice(k, k + 30)), parseAddress('192.0.2.1'), 2055, 0)
  const p = b.take()
  d.decode(new Uint8Array(p.buffer), p.count, (v, n) => {
    const m = d.enrichRun(n, flags)
    each(
      Array.from({ length: m }, (_, k) => d.enrichMissAt(k)),
      v,
      n,
    )
  })
}

void test('misses are listed, answered, applied on retry and cached for the next run', () => {
  const d = new Decoder()
  const de = d.strings.id('DE')
  const us = d.strings.id('US')
  const eth = d.strings.id('ether1')
  const records = [
    flow('192.168.1.10', '8.8.8.8'),
    flow('8.8.8.8', '192.168.1.10'),
    flow('192.168.1.10', '192.168.1.11'),
  ]
  run(d, 3, records, (misses, v, n) => {
    assert.deepEqual(misses, [0, 1, 2])
    for (const i of misses) {
      for (const f of [F.srcAddr, F.dstAddr] as const) {
        const local = v.addr(i, f).startsWith('192.168.')
        d.enrichPut(i, f, Q_ADDRESS, local ? de : us, local ? 0 : 15169, 0, 0, local)
      }
      d.enrichPut(i, F.exporter, Q_EXPORTER, 0, 0, 0, 0, false)
      d.enrichPut(i, F.exporter, 1, eth, 0, 0, 0, false)
      d.enrichPut(i, F.exporter, 2, 0, 0, 0, 0, false)
    }
    assert.equal(d.enrichRetry(misses.length), 0)
    assert.equal(n, 3)
    assert.deepEqual(
      [0, 1, 2].map((i) => v.u8(i, F.direction)),
      [2, 1, 3],
    ) // outbound, inbound, internal
    assert.equal(v.sid(0, S.srcCountry), de)
    assert.equal(v.sid(0, S.dstCountry), us)
    assert.equal(v.u32(0, F.dstAs), 15169)
    assert.equal(v.sid(0, S.inIfName), eth)
  })
  // Same keys again: all applied inside WASM.
  run(d, 3, records, (misses, v) => {
    assert.deepEqual(misses, [])
    assert.equal(v.u8(1, F.direction), 1)
    assert.equal(v.sid(1, S.srcCountry), us)
  })
  // A new address and a new interface miss; the rest does not.
  run(d, 3, [flow('192.168.1.10', '1.1.1.1'), flow('192.168.1.10', '8.8.8.8', 7)], (misses) => {
    assert.deepEqual(misses, [0, 1])
  })
})

void test('a full cache clears itself; cleared answers show up as misses again', () => {
  const d = new Decoder({ enrichSlotsLog2: 4 })
  const records = Array.from({ length: 30 }, (_, k) => flow(`10.0.0.${k + 1}`, `10.0.1.${k + 1}`))
  let retried = -1
  run(d, 1, records, (misses, _v, n) => {
    assert.equal(misses.length, n)
    for (const i of misses) {
      d.enrichPut(i, F.srcAddr, Q_ADDRESS, 0, 0, 0, 0, true)
      d.enrichPut(i, F.dstAddr, Q_ADDRESS, 0, 0, 0, 0, false)
    }
    retried = d.enrichRetry(misses.length)
  })
  assert.ok(retried > 0 && retried < 30, `16 slots cannot hold 60 keys: ${retried} still miss`)
  d.enrichClear()
  run(d, 1, records.slice(0, 2), (misses) => assert.deepEqual(misses, [0, 1]))
})

void test('forgetting a key drops only that key, also inside a crowded cluster', () => {
  const d = new Decoder({ enrichSlotsLog2: 8 })
  const records = Array.from({ length: 150 }, (_, k) =>
    flow(`10.${k >> 4}.${k & 15}.${k + 1}`, '192.0.2.99'),
  )
  run(d, 0, records, (misses) => {
    for (const i of misses) {
      d.enrichPut(i, F.srcAddr, Q_ADDRESS, i + 1, 0, 0, 0, false)
      d.enrichPut(i, F.dstAddr, Q_ADDRESS, 0, 0, 0, 0, false)
    }
    assert.equal(d.enrichRetry(misses.length), 0)
  })
  const forgotten = [0, 3, 7, 42, 99, 149]
  for (const k of forgotten) d.enrichForget(parseAddress(records[k]?.src ?? ''), Q_ADDRESS)
  d.enrichForget(parseAddress('203.0.113.1'), Q_ADDRESS) // not cached: nothing happens
  run(d, 0, records, (misses, v) => {
    assert.deepEqual(misses, forgotten)
    // The survivors kept their own answers (entries moved into a gap keep their values).
    for (let i = 0; i < 150; i++)
      if (!forgotten.includes(i)) assert.equal(v.sid(i, S.srcCountry), i + 1)
  })
})

void test("an exporter's prefix set decides direction for its records only", () => {
  const d = new Decoder()
  const records = [flow('10.1.0.5', '8.8.8.8'), flow('8.8.8.8', '10.1.0.5')]
  // Global prefixes: none (flag 1 off). The exporter has set 3 in which 10.1.0.0/16 is local.
  run(d, 4, records, (misses, v) => {
    assert.deepEqual(misses, [0, 1])
    for (const i of misses) {
      d.enrichPut(i, F.exporter, Q_EXPORTER, 0, 3, 0, 0, false)
      for (const f of [F.srcAddr, F.dstAddr] as const) {
        d.enrichPut(i, f, Q_ADDRESS, 0, 0, 0, 0, false)
        d.enrichPut(i, f, Q_PREFIX_SET + 3, 0, 0, 0, 0, v.addr(i, f).startsWith('10.1.'))
      }
    }
    assert.equal(d.enrichRetry(misses.length), 0)
    assert.deepEqual([v.u8(0, F.direction), v.u8(1, F.direction)], [2, 1])
  })
  // The exporter's entry forgotten (its set changed): its records miss again.
  d.enrichForget(parseAddress('192.0.2.1'), Q_EXPORTER)
  run(d, 4, records, (misses) => assert.deepEqual(misses, [0, 1]))
})
