// The rows of a batch (TSV or RowBinary) as they leave WASM memory: chunks of at most
// the decoder's row region (1 MiB by default), each copied once into a Buffer with an ArrayBuffer of
// its own, so a worker can transfer them to the writer's thread without another copy.
// Chunks stay below the size at which the allocator maps fresh pages for every
// buffer, which cost ten times the copy itself when a batch left as one large buffer.
export class RowOutput {
  #chunks: Buffer[] = []
  #rows: number[] = []
  #bytes = 0

  /** Copy `bytes` (holding `rows` rows) out as the next chunk. */
  push(bytes: Uint8Array, rows: number): void {
    if (bytes.byteLength === 0) return
    const chunk = Buffer.allocUnsafeSlow(bytes.byteLength)
    chunk.set(bytes)
    this.#chunks.push(chunk)
    this.#rows.push(rows)
    this.#bytes += bytes.byteLength
  }

  get byteLength(): number {
    return this.#bytes
  }

  /** Hand the chunks over (with the rows each holds) and start empty. */
  take(): RowChunks {
    const out = { chunks: this.#chunks, rows: this.#rows }
    this.#chunks = []
    this.#rows = []
    this.#bytes = 0
    return out
  }
}

export interface RowChunks {
  chunks: Buffer[]
  /** Rows in each chunk (every chunk ends at a row's end). */
  rows: number[]
}
