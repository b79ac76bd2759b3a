// The WASM decoder instance: copies a packed batch into WASM memory, runs the batch
// loop and hands the fixed-layout records to a sink without creating an object per flow.
import { readFileSync } from 'node:fs'
import { LAYOUT_VERSION, REC_SIZE, ST, ST_SIZE } from './layout.js'
import { RecordView } from './record-view.js'

interface Exports {
  memory: WebAssembly.Memory
  init(inputBytes: number, datagrams: number, records: number): void
  layoutVersion(): number
  recordSize(): number
  inputRegion(): number
  inputCapacity(): number
  statusRegion(): number
  outputRegion(): number
  begin(count: number): void
  run(): number
  recordCount(): number
}

export interface DecoderOptions {
  /** Bytes of packed datagrams one decode() call accepts. */
  inputBytes?: number
  /** Datagrams one decode() call accepts. */
  datagrams?: number
  /** Records held in WASM memory before they are handed to the sink. */
  records?: number
}

/** Called with the records of one run; `view` is only valid during the call. */
export type RecordSink = (view: RecordView, count: number) => void

const WASM_URL = new URL('../build/decoder.wasm', import.meta.url)
let compiled: WebAssembly.Module | undefined

function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(WASM_URL))
  return compiled
}

export class Decoder {
  readonly inputBytes: number
  readonly datagrams: number
  readonly records: number
  readonly #x: Exports
  #mem: Uint8Array
  #dv: DataView
  readonly #view: RecordView

  constructor(options: DecoderOptions = {}) {
    this.inputBytes = options.inputBytes ?? 4 << 20
    this.datagrams = options.datagrams ?? 8192
    this.records = options.records ?? 16384
    const instance = new WebAssembly.Instance(wasmModule(), {
      env: {
        abort(): never {
          throw new Error('decoder-wasm aborted')
        },
      },
    })
    this.#x = instance.exports as unknown as Exports
    if (this.#x.layoutVersion() !== LAYOUT_VERSION || this.#x.recordSize() !== REC_SIZE) {
      throw new Error('decoder-wasm: build/decoder.wasm does not match the host layout; rebuild')
    }
    this.#x.init(this.inputBytes, this.datagrams, this.records)
    this.#mem = new Uint8Array(this.#x.memory.buffer)
    this.#dv = new DataView(this.#x.memory.buffer)
    this.#view = new RecordView(this.#mem, this.#x.outputRegion())
  }

  #refresh(): void {
    if (this.#mem.buffer !== this.#x.memory.buffer) {
      this.#mem = new Uint8Array(this.#x.memory.buffer)
      this.#dv = new DataView(this.#x.memory.buffer)
      this.#view.rebind(this.#mem)
    }
  }

  /**
   * Decode `count` datagrams packed in `bytes` (DatagramBatch layout). The sink is
   * called once per run of records; afterwards statusOf/flowTypeOf/recordsOf tell
   * each datagram's outcome.
   */
  decode(bytes: Uint8Array, count: number, sink: RecordSink): number {
    if (bytes.byteLength > this.inputBytes || count > this.datagrams) {
      throw new RangeError(
        `batch of ${count} datagrams / ${bytes.byteLength} bytes exceeds the decoder's ${this.datagrams} / ${this.inputBytes}`,
      )
    }
    this.#refresh()
    this.#mem.set(bytes, this.#x.inputRegion())
    this.#x.begin(count)
    let total = 0
    for (;;) {
      const done = this.#x.run()
      this.#refresh()
      const n = this.#x.recordCount()
      if (n > 0) {
        total += n
        sink(this.#view, n)
      }
      if (done >= count) break
    }
    return total
  }

  statusOf(i: number): number {
    return this.#dv.getUint16(this.#x.statusRegion() + i * ST_SIZE + ST.status, true)
  }
  flowTypeOf(i: number): number {
    return this.#dv.getUint8(this.#x.statusRegion() + i * ST_SIZE + ST.flowType)
  }
  recordsOf(i: number): number {
    return this.#dv.getUint32(this.#x.statusRegion() + i * ST_SIZE + ST.records, true)
  }
}
