// The host side of the enrichment cache inside WASM: records of the current run whose
// keys it holds are enriched without leaving WASM; the host answers the misses
// (put), has them enriched again (retry) and forgets keys whose answers changed.
import { REC_SIZE } from './generated/contract.js'
import type { WasmMemory } from './wasm-memory.js'

export interface EnrichExports {
  outputRegion(): number
  enrichStage(): number
  enrichMisses(): number
  enrichClear(): void
  enrichPut(a: number, b: number, c: number, d: number, local: number): void
  enrichRun(count: number, flags: number): number
  enrichRetry(misses: number): number
  enrichForget(): void
}

export class EnrichCache {
  readonly #x: EnrichExports
  readonly #mem: WasmMemory

  constructor(x: EnrichExports, mem: WasmMemory) {
    this.#x = x
    this.#mem = mem
  }

  /** Enrich the first `count` records of the current run (flags: ENRICH_FLAGS); returns the misses. */
  run(count: number, flags: number): number {
    return this.#x.enrichRun(count, flags)
  }
  /** The record index of miss `k`. */
  missAt(k: number): number {
    return this.#mem.view.getUint32(this.#x.enrichMisses() + k * 4, true)
  }
  /** Enrich the missed records again after put(); returns how many still miss. */
  retry(misses: number): number {
    return this.#x.enrichRetry(misses)
  }
  /** Cache an answer for the address at `field` of record `i`, under `qualifier`. */
  put(
    i: number,
    field: number,
    qualifier: number,
    a: number,
    b: number,
    c: number,
    d: number,
    local: boolean,
  ): void {
    const from = this.#x.outputRegion() + i * REC_SIZE + field
    const stage = this.#x.enrichStage()
    this.#mem.bytes.copyWithin(stage, from, from + 16)
    this.#mem.view.setUint32(stage + 16, qualifier >>> 0, true)
    this.#x.enrichPut(a, b, c, d, local ? 1 : 0)
  }
  /** Forget every cached answer. */
  clear(): void {
    this.#x.enrichClear()
  }
  /** Forget the cached answer for one key: 16 address bytes and a qualifier. */
  forget(addr: Uint8Array, qualifier: number): void {
    this.#mem.refresh()
    const stage = this.#x.enrichStage()
    this.#mem.bytes.set(addr.subarray(0, 16), stage)
    this.#mem.view.setUint32(stage + 16, qualifier >>> 0, true)
    this.#x.enrichForget()
  }
}
