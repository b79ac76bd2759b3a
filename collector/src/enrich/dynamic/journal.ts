// A change journal in one SharedArrayBuffer, written by the main thread and read by every
// decode worker. The main thread appends lines; a worker copies what was appended since
// its last look (two atomic loads when nothing changed). When the buffer is full the
// main thread rewrites it as a snapshot of the whole state under a new epoch (odd while
// rewriting); a worker that sees another epoch reads everything again from the start.
// So the bytes [0, used) always describe the complete state.
const HEADER_INTS = 2 // [epoch, used bytes]
const HEADER_BYTES = HEADER_INTS * 4

export function createJournalBuffer(capacityBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + capacityBytes)
}

export class JournalWriter {
  readonly #hdr: Int32Array
  readonly #bytes: Uint8Array
  constructor(sab: SharedArrayBuffer) {
    this.#hdr = new Int32Array(sab, 0, HEADER_INTS)
    this.#bytes = new Uint8Array(sab, HEADER_BYTES)
  }
  get capacity(): number {
    return this.#bytes.byteLength
  }
  get used(): number {
    return Atomics.load(this.#hdr, 1)
  }
  /** Append after what is there; false (nothing written) when it does not fit. */
  append(chunk: Uint8Array): boolean {
    const used = Atomics.load(this.#hdr, 1)
    if (used + chunk.byteLength > this.#bytes.byteLength) return false
    this.#bytes.set(chunk, used)
    Atomics.store(this.#hdr, 1, used + chunk.byteLength)
    return true
  }
  /** Replace everything with `snapshot` under a new epoch; false when it does not fit. */
  rewrite(snapshot: Uint8Array): boolean {
    if (snapshot.byteLength > this.#bytes.byteLength) return false
    Atomics.add(this.#hdr, 0, 1) // odd: rewriting
    this.#bytes.set(snapshot)
    Atomics.store(this.#hdr, 1, snapshot.byteLength)
    Atomics.add(this.#hdr, 0, 1) // even: stable
    return true
  }
}

/** What a reader got: `full` means the bytes are the whole state (start again from it). */
export interface JournalRead {
  full: boolean
  bytes: Uint8Array
}

export class JournalReader {
  readonly #hdr: Int32Array
  readonly #bytes: Uint8Array
  #epoch = -1
  #offset = 0
  constructor(sab: SharedArrayBuffer) {
    this.#hdr = new Int32Array(sab, 0, HEADER_INTS)
    this.#bytes = new Uint8Array(sab, HEADER_BYTES)
  }
  /** Bytes appended since the last call, or null when nothing changed (or a rewrite is under way). */
  poll(): JournalRead | null {
    const epoch = Atomics.load(this.#hdr, 0)
    const used = Atomics.load(this.#hdr, 1)
    if (epoch === this.#epoch && used === this.#offset) return null
    if (epoch & 1) return null // being rewritten: look again at the next batch
    const full = epoch !== this.#epoch
    const from = full ? 0 : this.#offset
    const bytes = this.#bytes.slice(from, used)
    if (Atomics.load(this.#hdr, 0) !== epoch) return null
    this.#epoch = epoch
    this.#offset = used
    return { full, bytes }
  }
}
