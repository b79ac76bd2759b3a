// Host side of the template decoders' state inside one WASM instance: sizes it, moves
// template-sharing events out of WASM memory after each call, writes imported events in
// chunk by chunk and reads the counters. Used by Decoder.
import { concatBytes, eventSlices } from './flow-events.js'
import { readFlowCounters, type FlowCounters } from './flow-counters.js'

export interface TemplateStateOptions {
  /** Data and options templates kept, all exporters together (default 4096). */
  templates?: number
  /** Templates kept per exporter address, all its sessions together (default 512). */
  templatesPerExporter?: number
  /** A template unused this long may give way to a new one of its address (default 1 h). */
  templateIdleMs?: number
  /** Transport sessions (address + source port) and addresses tracked (default 4096). */
  sessions?: number
  /** Sampling rates and init times kept (default 4096). */
  optionValues?: number
  /** Data sets held for a missing template, all exporters together (default 1024). */
  heldSets?: number
  /** Bytes of held data sets (default 2 MiB). */
  heldBytes?: number
  /** Data sets held per exporter (default 256). */
  heldPerExporter?: number
  /** Age after which a held data set is dropped (default 60 s). */
  heldMaxAgeMs?: number
  /** Events region size (default 256 KiB); events are moved out after every run. */
  eventBytes?: number
}

export interface TemplateExports {
  memory: WebAssembly.Memory
  inputRegion(): number
  inputCapacity(): number
  initFlowState(
    templates: number,
    templatesPerExporter: number,
    templateIdleMs: number,
    sessions: number,
    optionValues: number,
    heldSets: number,
    heldBytes: number,
    heldPerExporter: number,
    heldMaxAgeMs: number,
    eventBytes: number,
  ): void
  flowEventsRegion(): number
  flowEventsLength(): number
  flowEventsClear(): void
  flowImportInput(len: number): number
  flowReleaseHeld(): number
  flowExpireHeld(nowMs: number): void
  flowCountersRegion(): number
  flowCounterCount(): number
}

export class TemplateState {
  readonly #x: TemplateExports
  #pending: Uint8Array[] = []

  constructor(x: TemplateExports, o: TemplateStateOptions = {}) {
    this.#x = x
    x.initFlowState(
      o.templates ?? 4096,
      o.templatesPerExporter ?? 512,
      o.templateIdleMs ?? 3_600_000,
      o.sessions ?? 4096,
      o.optionValues ?? 4096,
      o.heldSets ?? 1024,
      o.heldBytes ?? 2 << 20,
      o.heldPerExporter ?? 256,
      o.heldMaxAgeMs ?? 60_000,
      o.eventBytes ?? 256 << 10,
    )
  }

  /** Move the events the last WASM call wrote out of its region. */
  collect(): void {
    const n = this.#x.flowEventsLength()
    if (n === 0) return
    this.#pending.push(new Uint8Array(this.#x.memory.buffer, this.#x.flowEventsRegion(), n).slice())
    this.#x.flowEventsClear()
  }

  take(): Uint8Array {
    this.collect()
    const out = concatBytes(this.#pending)
    this.#pending = []
    return out
  }

  /** Apply events through the input region, at most its capacity at a time. */
  import(bytes: Uint8Array): number {
    const cap = this.#x.inputCapacity()
    let applied = 0
    let start = 0
    let end = 0
    const flush = (): void => {
      if (end === start) return
      new Uint8Array(this.#x.memory.buffer).set(bytes.subarray(start, end), this.#x.inputRegion())
      applied += this.#x.flowImportInput(end - start)
      start = end
    }
    for (const e of eventSlices(bytes)) {
      if (end - start + e.byteLength > cap) flush()
      end += e.byteLength
    }
    flush()
    return applied
  }

  counters(): FlowCounters {
    const dv = new DataView(this.#x.memory.buffer)
    return readFlowCounters(dv, this.#x.flowCountersRegion())
  }

  expire(nowMs: number): void {
    this.#x.flowExpireHeld(nowMs)
  }
}
