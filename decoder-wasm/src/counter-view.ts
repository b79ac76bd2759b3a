// Reads fields of the interface-counter records in the decoder's counter region by index,
// straight from WASM memory: no object is made per record.
import { C, CREC_SIZE } from './counter-layout.js'
import { formatAddress } from './ip.js'

export type CounterFieldOffset = (typeof C)[keyof typeof C]

export class CounterView {
  #mem: Uint8Array
  #dv: DataView
  readonly #base: number

  constructor(mem: Uint8Array, base: number) {
    this.#mem = mem
    this.#dv = new DataView(mem.buffer)
    this.#base = base
  }

  rebind(mem: Uint8Array): void {
    this.#mem = mem
    this.#dv = new DataView(mem.buffer)
  }

  /** Byte offset of record `i` within the memory (for bulk copies). */
  offsetOf(i: number): number {
    return this.#base + i * CREC_SIZE
  }
  get bytes(): Uint8Array {
    return this.#mem
  }

  u8(i: number, f: CounterFieldOffset): number {
    return this.#dv.getUint8(this.#base + i * CREC_SIZE + f)
  }
  u16(i: number, f: CounterFieldOffset): number {
    return this.#dv.getUint16(this.#base + i * CREC_SIZE + f, true)
  }
  u32(i: number, f: CounterFieldOffset): number {
    return this.#dv.getUint32(this.#base + i * CREC_SIZE + f, true)
  }
  /** A u64 as a number: exact below 2^53 (octet counters wrap long before a year of 400G). */
  u64(i: number, f: CounterFieldOffset): number {
    const at = this.#base + i * CREC_SIZE + f
    return this.#dv.getUint32(at, true) + this.#dv.getUint32(at + 4, true) * 0x100000000
  }
  /** A u64 exactly, for counters that may pass 2^53. */
  u64n(i: number, f: CounterFieldOffset): bigint {
    return this.#dv.getBigUint64(this.#base + i * CREC_SIZE + f, true)
  }
  /** Address as dotted IPv4 (when mapped) or IPv6 text. */
  addr(i: number, f: CounterFieldOffset): string {
    return formatAddress(this.#mem, this.#base + i * CREC_SIZE + f)
  }
}
