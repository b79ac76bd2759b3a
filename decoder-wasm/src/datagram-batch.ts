// Packs received datagrams into one ArrayBuffer laid out exactly as the decoder's input
// region (layout.ts IN_*), so a worker copies a whole batch into WASM memory at once.
import { IN, IN_HDR } from './generated/contract.js'

export interface PackedBatch {
  buffer: ArrayBuffer
  byteLength: number
  count: number
}

export class DatagramBatch {
  readonly #buffer: ArrayBuffer
  readonly #bytes: Uint8Array
  readonly #view: DataView
  #length = 0
  #count = 0
  readonly capacityBytes: number
  readonly capacityDatagrams: number

  constructor(capacityBytes: number, capacityDatagrams: number) {
    this.capacityBytes = capacityBytes
    this.capacityDatagrams = capacityDatagrams
    this.#buffer = new ArrayBuffer(capacityBytes)
    this.#bytes = new Uint8Array(this.#buffer)
    this.#view = new DataView(this.#buffer)
  }

  get count(): number {
    return this.#count
  }
  get byteLength(): number {
    return this.#length
  }

  /** True when a datagram of `size` bytes still fits. */
  fits(size: number): boolean {
    return (
      this.#count < this.capacityDatagrams &&
      this.#length + IN_HDR + ((size + 7) & ~7) <= this.capacityBytes
    )
  }

  /**
   * Append one datagram; false (and nothing written) when it does not fit.
   * `exporter` is the 16-byte IPv6 / IPv4-mapped source address.
   */
  add(
    payload: Uint8Array,
    exporter: Uint8Array,
    port: number,
    receivedMs: number,
    samplingDefault = 0,
    samplingOverride = 0,
  ): boolean {
    if (!this.fits(payload.byteLength)) return false
    const at = this.#length
    const v = this.#view
    v.setUint32(at + IN.len, payload.byteLength, true)
    v.setUint16(at + IN.port, port, true)
    v.setUint16(at + IN.port + 2, 0, true)
    v.setUint32(at + IN.recvMs, receivedMs % 0x100000000, true)
    v.setUint32(at + IN.recvMs + 4, Math.floor(receivedMs / 0x100000000), true)
    this.#bytes.set(exporter, at + IN.exporter)
    v.setUint32(at + IN.samplingDefault, samplingDefault, true)
    v.setUint32(at + IN.samplingOverride, samplingOverride, true)
    this.#bytes.set(payload, at + IN_HDR)
    this.#length = at + IN_HDR + ((payload.byteLength + 7) & ~7)
    this.#count++
    return true
  }

  /**
   * Hand the packed bytes over as an exactly-sized copy (to be transferred to a
   * worker) and start again in the same packing buffer.
   */
  take(): PackedBatch {
    const out = {
      buffer: this.#buffer.slice(0, this.#length),
      byteLength: this.#length,
      count: this.#count,
    }
    this.#length = 0
    this.#count = 0
    return out
  }
}
