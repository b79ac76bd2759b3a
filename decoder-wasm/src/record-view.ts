// Reads (and, for enrichment, writes) fields of the records in the decoder's output
// region by index, straight from WASM memory: no object is made per flow.
import { F, REC_SIZE, S } from './generated/contract.js'
import { formatIPv6Column } from './ip.js'
import { RegionView } from './region-view.js'

export type FieldOffset = (typeof F)[keyof typeof F]
export type StringSlot = (typeof S)[keyof typeof S]

export class RecordView extends RegionView<FieldOffset> {
  constructor(mem: Uint8Array, base: number) {
    super(mem, base, REC_SIZE)
  }

  /** String-table id in a text-column slot. */
  sid(i: number, s: StringSlot): number {
    return this.dv.getUint32(this.base + i * REC_SIZE + s, true)
  }
  /** Enrichment writes: a string id into a text-column slot. */
  setSid(i: number, s: StringSlot, id: number): void {
    this.dv.setUint32(this.base + i * REC_SIZE + s, id, true)
  }
  setU8(i: number, f: FieldOffset, v: number): void {
    this.dv.setUint8(this.base + i * REC_SIZE + f, v)
  }
  setU32(i: number, f: FieldOffset, v: number): void {
    this.dv.setUint32(this.base + i * REC_SIZE + f, v, true)
  }
  setU64(i: number, f: FieldOffset, v: bigint): void {
    this.dv.setBigUint64(this.base + i * REC_SIZE + f, v, true)
  }
  /**
   * A cache key for the address at `f`: a number for IPv4-mapped addresses (cheap Map
   * keys), a short string for IPv6.
   */
  addrKey(i: number, f: FieldOffset): number | string {
    const at = this.base + i * REC_SIZE + f
    const dv = this.dv
    const w0 = dv.getUint32(at, true)
    const w1 = dv.getUint32(at + 4, true)
    const w2 = dv.getUint32(at + 8, true)
    const w3 = dv.getUint32(at + 12, false)
    if (w0 === 0 && w1 === 0 && w2 === 0xffff0000) return w3
    return `${w0.toString(36)}.${w1.toString(36)}.${w2.toString(36)}.${w3.toString(36)}`
  }
  /** Address as ClickHouse prints an IPv6 column. */
  addrColumn(i: number, f: FieldOffset): string {
    return formatIPv6Column(this.mem, this.base + i * REC_SIZE + f)
  }
  /** MAC address (low 48 bits of a u64) as aa:bb:cc:dd:ee:ff. */
  mac(i: number, f: FieldOffset): string {
    const at = this.base + i * REC_SIZE + f
    const parts: string[] = []
    for (let k = 5; k >= 0; k--) parts.push((this.mem[at + k] ?? 0).toString(16).padStart(2, '0'))
    return parts.join(':')
  }
}
