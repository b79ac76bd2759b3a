// One robustness suite for every decoder: feeds a fixture datagram, its empty form, every
// truncation, every 32-bit word replaced by hostile lengths/counts, and seeded random
// mutations through a real Decoder, in large batches. A WebAssembly trap would throw out of
// Decoder.decode; a hang would hit the test's timeout. Every datagram must get a known status.
import assert from 'node:assert/strict'
import { Decoder } from '../../../dist/decoder.js'
import { DatagramBatch } from '../../../dist/datagram-batch.js'
import { F } from '../../../dist/generated/contract.js'
import { statusReason } from '../../../dist/status.js'
import { prng } from '../builders/traffic.js'
import { HOSTILE_WORDS, cutLength, restore, scribble } from '../builders/mutate.js'

export interface ConformanceOptions {
  /** Flow type of the protocol under test (mutations may turn a datagram into another). */
  flowType: number
  mutations?: number
  seed?: number
}

export interface ConformanceResult {
  datagrams: number
  records: number
  counters: number
  /** Datagrams still recognised as the protocol under test. */
  sameType: number
  statuses: Map<string, number>
}

const exporter = new Uint8Array(16)

class Harness {
  // Idle templates give way at once: mutated template IDs churn through the quota (aging).
  readonly #decoder = new Decoder({
    records: 4096,
    counters: 1024,
    templates: { templateIdleMs: 0 },
  })
  readonly #batch = new DatagramBatch(this.#decoder.inputBytes, this.#decoder.datagrams)
  readonly result: ConformanceResult = {
    datagrams: 0,
    records: 0,
    counters: 0,
    sameType: 0,
    statuses: new Map(),
  }
  readonly flowType: number

  constructor(flowType: number) {
    this.flowType = flowType
  }

  add(payload: Uint8Array): void {
    if (!this.#batch.add(payload, exporter, 6343, 1_700_000_000_000)) {
      this.flush()
      assert.ok(this.#batch.add(payload, exporter, 6343, 1_700_000_000_000))
    }
  }

  flush(): void {
    const packed = this.#batch.take()
    if (packed.count === 0) return
    const d = this.#decoder
    let counters = 0
    const records = d.decode(
      new Uint8Array(packed.buffer),
      packed.count,
      (v, n) => {
        for (let i = 0; i < n; i++) {
          const dg = v.u32(i, F.datagram)
          assert.ok(dg < packed.count)
          assert.equal(v.u8(i, F.flowType), d.flowTypeOf(dg))
        }
      },
      (_, n) => {
        counters += n
      },
    )
    let sum = 0
    for (let i = 0; i < packed.count; i++) {
      const reason = statusReason(d.statusOf(i))
      assert.notEqual(reason, 'unknown_status')
      if (d.flowTypeOf(i) === this.flowType) this.result.sameType++
      sum += d.recordsOf(i)
      const s = this.result.statuses
      s.set(reason, (s.get(reason) ?? 0) + 1)
    }
    assert.equal(sum, records, 'per-datagram record counts add up to the records handed over')
    this.result.datagrams += packed.count
    this.result.records += records
    this.result.counters += counters
  }
}

/** Run the suite over each fixture; returns what was decoded, for sanity checks. */
export function runConformance(fixtures: Uint8Array[], o: ConformanceOptions): ConformanceResult {
  const h = new Harness(o.flowType)
  const rnd = prng(o.seed ?? 1)
  const mutations = o.mutations ?? 100_000
  h.add(new Uint8Array(0))
  for (const fixture of fixtures) {
    h.add(fixture)
    for (let cut = 0; cut < fixture.byteLength; cut++) h.add(fixture.subarray(0, cut))
    const scratch = fixture.slice()
    const dv = new DataView(scratch.buffer)
    for (let at = 0; at + 4 <= scratch.byteLength; at += 4) {
      const old = dv.getUint32(at)
      for (const w of [...HOSTILE_WORDS, old + 4, old * 2]) {
        dv.setUint32(at, w >>> 0)
        h.add(scratch)
      }
      dv.setUint32(at, old)
    }
    const undo: number[] = []
    for (let m = 0; m < mutations; m++) {
      scribble(scratch, rnd, undo)
      // Now and then also cut the mutated datagram short.
      h.add(scratch.subarray(0, cutLength(scratch.byteLength, rnd)))
      restore(scratch, undo)
    }
  }
  h.flush()
  return h.result
}
