// Host side of the template decoders' state inside one WASM instance: sizes it, moves
// template-sharing events out of WASM memory after each call, writes imported events in
// chunk by chunk and reads the counters. Used by Decoder.
import { concatBytes, eventSlices } from './flow-events.js'
import { readFlowCounters, type FlowCounters } from './flow-counters.js'
import { STATE_DEFAULTS } from './generated/contract.js'

/** Sizes of the template state; each defaults to STATE_DEFAULTS (contract/abi.json), which says what it bounds. */
export interface TemplateStateOptions {
  /** Data and options templates kept, all exporters together. */
  templates?: number
  /** Templates kept per exporter address, all its sessions together. */
  templatesPerExporter?: number
  /** A template unused this long may give way to a new one of its address. */
  templateIdleMs?: number
  /** Transport sessions (address + source port) and addresses tracked. */
  sessions?: number
  /** Sampling rates and init times kept. */
  optionValues?: number
  /** Data sets held for a missing template, all exporters together. */
  heldSets?: number
  /** Bytes of held data sets. */
  heldBytes?: number
  /** Data sets held per exporter. */
  heldPerExporter?: number
  /** Age after which a held data set is dropped. */
  heldMaxAgeMs?: number
  /** Events region size; events are moved out after every run. */
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
    const d = STATE_DEFAULTS
    x.initFlowState(
      o.templates ?? d.templates,
      o.templatesPerExporter ?? d.templatesPerExporter,
      o.templateIdleMs ?? d.templateIdleMs,
      o.sessions ?? d.sessions,
      o.optionValues ?? d.optionValues,
      o.heldSets ?? d.heldSets,
      o.heldBytes ?? d.heldBytes,
      o.heldPerExporter ?? d.heldPerExporter,
      o.heldMaxAgeMs ?? d.heldMaxAgeMs,
      o.eventBytes ?? d.eventBytes,
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
