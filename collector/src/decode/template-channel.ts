// Carries the template registry's snapshot from the main thread to every decoder
// worker through one SharedArrayBuffer, guarded by a sequence lock: the main thread
// publishes a new snapshot when templates change; a worker imports it before its next
// batch when the sequence moved. Any worker can then decode any exporter's data.
const HEADER_INTS = 2 // [sequence, length]
const HEADER_BYTES = HEADER_INTS * 4

export function createTemplateBuffer(capacityBytes = 8 << 20): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + capacityBytes)
}

export class TemplatePublisher {
  readonly #hdr: Int32Array
  readonly #bytes: Uint8Array
  constructor(sab: SharedArrayBuffer) {
    this.#hdr = new Int32Array(sab, 0, HEADER_INTS)
    this.#bytes = new Uint8Array(sab, HEADER_BYTES)
  }
  /** False (nothing written) when the snapshot is larger than the buffer. */
  publish(snapshot: Uint8Array): boolean {
    if (snapshot.byteLength > this.#bytes.byteLength) return false
    Atomics.add(this.#hdr, 0, 1) // odd: writing
    this.#bytes.set(snapshot)
    Atomics.store(this.#hdr, 1, snapshot.byteLength)
    Atomics.add(this.#hdr, 0, 1) // even: stable
    return true
  }
}

export class TemplateSubscriber {
  readonly #hdr: Int32Array
  readonly #bytes: Uint8Array
  #seen = 0
  constructor(sab: SharedArrayBuffer) {
    this.#hdr = new Int32Array(sab, 0, HEADER_INTS)
    this.#bytes = new Uint8Array(sab, HEADER_BYTES)
  }
  /** The snapshot when it changed since the last call, else null. */
  poll(): Uint8Array | null {
    for (let attempt = 0; attempt < 100; attempt++) {
      const s1 = Atomics.load(this.#hdr, 0)
      if (s1 === this.#seen) return null
      if (s1 & 1) continue
      const len = Atomics.load(this.#hdr, 1)
      const copy = this.#bytes.slice(0, len)
      if (Atomics.load(this.#hdr, 0) === s1) {
        this.#seen = s1
        return copy
      }
    }
    return null
  }
}
