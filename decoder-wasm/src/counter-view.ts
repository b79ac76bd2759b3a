// Reads fields of the interface-counter records in the decoder's counter region by index,
// straight from WASM memory: no object is made per record.
import { C, CREC_SIZE } from './generated/contract.js'
import { RegionView } from './region-view.js'

export type CounterFieldOffset = (typeof C)[keyof typeof C]

export class CounterView extends RegionView<CounterFieldOffset> {
  constructor(mem: Uint8Array, base: number) {
    super(mem, base, CREC_SIZE)
  }

  /** A u64 exactly, for counters that may pass 2^53. */
  u64n(i: number, f: CounterFieldOffset): bigint {
    return this.dv.getBigUint64(this.base + i * this.size + f, true)
  }
}
