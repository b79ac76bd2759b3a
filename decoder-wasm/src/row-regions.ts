// The two row regions in WASM memory (TSV and RowBinary): records of the current run are
// formatted into a region, and each time it fills its bytes move to a RowOutput as one
// chunk, so rows leave WASM in a few large copies.
import type { RowChunks, RowOutput } from './row-output.js'
import type { WasmMemory } from './wasm-memory.js'

/** The row formats the decoder writes: TSV for people and logs, RowBinary for inserts. */
export type RowFormat = 'TabSeparated' | 'RowBinary'

export interface RowExports {
  formatTsv(first: number, count: number): number
  tsvRegion(): number
  tsvLength(): number
  tsvClear(): void
  formatRowBinary(first: number, count: number): number
  rowBinaryRegion(): number
  rowBinaryLength(): number
  rowBinaryClear(): void
}

/** A row region in WASM memory and the rows it holds. */
interface RowRegion {
  format(first: number, count: number): number
  at(): number
  length(): number
  clear(): void
  rows: number
}

export class RowRegions {
  readonly #mem: WasmMemory
  readonly #regions: Record<RowFormat, RowRegion>

  constructor(x: RowExports, mem: WasmMemory) {
    this.#mem = mem
    this.#regions = {
      TabSeparated: {
        format: (first, count) => x.formatTsv(first, count),
        at: () => x.tsvRegion(),
        length: () => x.tsvLength(),
        clear: () => x.tsvClear(),
        rows: 0,
      },
      RowBinary: {
        format: (first, count) => x.formatRowBinary(first, count),
        at: () => x.rowBinaryRegion(),
        length: () => x.rowBinaryLength(),
        clear: () => x.rowBinaryClear(),
        rows: 0,
      },
    }
  }

  /** Format `count` records of the current run as rows of `format`; returns the bytes formatted. */
  format(format: RowFormat, count: number, out: RowOutput): number {
    const r = this.#regions[format]
    let first = 0
    const before = out.byteLength + r.length()
    while (first < count) {
      const done = r.format(first, count - first)
      first += done
      r.rows += done
      if (first < count) {
        if (done === 0 && r.length() === 0)
          throw new Error(`decoder-wasm: a ${format} row does not fit its region`)
        this.#spill(r, out)
      }
    }
    return out.byteLength + r.length() - before
  }

  /** The rows of `format` formatted since the last take, as chunks of their own. */
  take(format: RowFormat, out: RowOutput): RowChunks {
    this.#spill(this.#regions[format], out)
    return out.take()
  }

  #spill(r: RowRegion, out: RowOutput): void {
    this.#mem.refresh()
    const at = r.at()
    out.push(this.#mem.bytes.subarray(at, at + r.length()), r.rows)
    r.clear()
    r.rows = 0
  }
}
