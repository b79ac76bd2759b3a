// Reads fixed-size records in a region of WASM memory by index and field offset:
// the shared base of the flow-record and counter-record views. No object per record.
import { formatAddress } from './ip.js'

export class RegionView<Field extends number> {
  protected mem: Uint8Array
  protected dv: DataView
  protected readonly base: number
  protected readonly size: number

  constructor(mem: Uint8Array, base: number, size: number) {
    this.mem = mem
    this.dv = new DataView(mem.buffer)
    this.base = base
    this.size = size
  }

  /** Point at the memory again after it grew (WASM memory growth detaches the old buffer). */
  rebind(mem: Uint8Array): void {
    this.mem = mem
    this.dv = new DataView(mem.buffer)
  }

  /** Byte offset of record `i` within the memory (for bulk copies). */
  offsetOf(i: number): number {
    return this.base + i * this.size
  }
  get bytes(): Uint8Array {
    return this.mem
  }

  u8(i: number, f: Field): number {
    return this.dv.getUint8(this.base + i * this.size + f)
  }
  u16(i: number, f: Field): number {
    return this.dv.getUint16(this.base + i * this.size + f, true)
  }
  u32(i: number, f: Field): number {
    return this.dv.getUint32(this.base + i * this.size + f, true)
  }
  /** A u64 as a number: exact below 2^53, which counters and timestamps stay under. */
  u64(i: number, f: Field): number {
    const at = this.base + i * this.size + f
    return this.dv.getUint32(at, true) + this.dv.getUint32(at + 4, true) * 0x100000000
  }
  /** Address as dotted IPv4 (when mapped) or IPv6 text. */
  addr(i: number, f: Field): string {
    return formatAddress(this.mem, this.base + i * this.size + f)
  }
}
