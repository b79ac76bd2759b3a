// Views of the decoder's WASM memory. A memory that grows detaches its old buffer, so
// the views are taken again by refresh() after any WASM call that may allocate; views
// made over the memory elsewhere (record views) are told through onGrow().
export class WasmMemory {
  readonly #memory: WebAssembly.Memory
  readonly #grown: ((bytes: Uint8Array) => void)[] = []
  bytes: Uint8Array
  view: DataView

  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory
    this.bytes = new Uint8Array(memory.buffer)
    this.view = new DataView(memory.buffer)
  }

  /** Take the views again if the memory grew since the last call. */
  refresh(): void {
    if (this.bytes.buffer === this.#memory.buffer) return
    this.bytes = new Uint8Array(this.#memory.buffer)
    this.view = new DataView(this.#memory.buffer)
    for (const f of this.#grown) f(this.bytes)
  }

  /** Call `f` with the new bytes whenever refresh() finds the memory grown. */
  onGrow(f: (bytes: Uint8Array) => void): void {
    this.#grown.push(f)
  }
}
