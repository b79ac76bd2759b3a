// Seeds decoders with the template registry's snapshot: the main thread publishes it into
// one SharedArrayBuffer, guarded by a sequence lock, whenever the registry changes; a
// decoder reads it when it is made (a worker's start, a rebuild after a trap). Later
// templates travel one way only: the worker that decodes an exporter (lanes keep each
// exporter on one worker) learns them from the wire and reports them as events, which the
// registry merges, saves to templates.bin and publishes for the next seed.
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

export class TemplateSeed {
  readonly #hdr: Int32Array
  readonly #bytes: Uint8Array
  constructor(sab: SharedArrayBuffer) {
    this.#hdr = new Int32Array(sab, 0, HEADER_INTS)
    this.#bytes = new Uint8Array(sab, HEADER_BYTES)
  }
  /** A stable copy of the latest snapshot; null if none was published yet. */
  read(): Uint8Array | null {
    for (;;) {
      const s1 = Atomics.load(this.#hdr, 0)
      if (s1 === 0) return null
      if (s1 & 1) continue
      const len = Atomics.load(this.#hdr, 1)
      const copy = this.#bytes.slice(0, len)
      if (Atomics.load(this.#hdr, 0) === s1) return copy
    }
  }
}
