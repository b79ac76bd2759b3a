// Each datagram's outcome after a decode: the status entries WASM writes per datagram
// of the batch (ST in the contract).
import { ST, ST_SIZE } from './generated/contract.js'
import type { WasmMemory } from './wasm-memory.js'

export class DatagramStatus {
  readonly #mem: WasmMemory
  readonly #at: number

  /** `at`: the status region; it never moves. */
  constructor(mem: WasmMemory, at: number) {
    this.#mem = mem
    this.#at = at
  }

  /** The outcome code (STATUS_REASONS) of datagram `i`. */
  status(i: number): number {
    return this.#mem.view.getUint16(this.#at + i * ST_SIZE + ST.status, true)
  }
  /** The flow type code of datagram `i` (0 when the version was not recognised). */
  flowType(i: number): number {
    return this.#mem.view.getUint8(this.#at + i * ST_SIZE + ST.flowType)
  }
  /** Samples or records left undecoded in datagram `i` (unknown formats; saturates at 255). */
  skipped(i: number): number {
    return this.#mem.view.getUint8(this.#at + i * ST_SIZE + ST.skipped)
  }
  records(i: number): number {
    return this.#mem.view.getUint32(this.#at + i * ST_SIZE + ST.records, true)
  }
  /** Flows of datagram `i` refused for a sampling rate above the cap. */
  refused(i: number): number {
    return this.#mem.view.getUint32(this.#at + i * ST_SIZE + ST.refused, true)
  }
  /** The highest sampling rate refused in datagram `i` (0 when none was). */
  refusedRate(i: number): number {
    return this.#mem.view.getUint32(this.#at + i * ST_SIZE + ST.refusedRate, true)
  }
}
