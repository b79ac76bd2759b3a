// Collects the TSV bytes of a batch in one growing buffer (no zero-filling, no copy per
// run beyond the one out of WASM memory), for the writer to insert.
export class TsvOutput {
  #buf: Buffer
  #len = 0

  constructor(initialBytes = 1 << 20) {
    this.#buf = Buffer.allocUnsafe(initialBytes)
  }

  append(bytes: Uint8Array): void {
    if (this.#len + bytes.byteLength > this.#buf.byteLength) {
      const grown = Buffer.allocUnsafe(
        Math.max(this.#buf.byteLength * 2, this.#len + bytes.byteLength),
      )
      this.#buf.copy(grown, 0, 0, this.#len)
      this.#buf = grown
    }
    this.#buf.set(bytes, this.#len)
    this.#len += bytes.byteLength
  }

  get byteLength(): number {
    return this.#len
  }

  /** The bytes so far (a view: copy it to keep it past the next append or reset). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#len)
  }

  /** Hand the bytes over and start a fresh buffer sized for the next batch. */
  take(): Buffer {
    const out = this.#buf.subarray(0, this.#len)
    this.#buf = Buffer.allocUnsafe(Math.max(1 << 16, this.#len))
    this.#len = 0
    return out
  }
}
