// The WASM decoder instance: copies a packed batch into WASM memory, runs the batch
// loop and hands the fixed-layout records to a sink without creating an object per flow.
import { readFileSync } from 'node:fs'
import {
  CONTRACT_HASH,
  INSERT_COLUMNS,
  REC_SIZE,
  ST,
  ST_SIZE,
  STATE_DEFAULTS,
} from './generated/contract.js'
import { RecordView } from './record-view.js'
import { CounterView } from './counter-view.js'
import { TemplateState, type TemplateExports, type TemplateStateOptions } from './template-state.js'
import type { FlowCounters } from './flow-counters.js'
import { StringTable } from './string-table.js'
import type { RowChunks, RowOutput } from './row-output.js'

/** The row formats the decoder writes: TSV for people and logs, RowBinary for inserts. */
export type RowFormat = 'TabSeparated' | 'RowBinary'

interface Exports extends TemplateExports {
  memory: WebAssembly.Memory
  init(inputBytes: number, datagrams: number, records: number, counters: number): void
  setMaxSamplingRate(rate: number): void
  contractHash(): number
  inputRegion(): number
  inputCapacity(): number
  statusRegion(): number
  outputRegion(): number
  begin(count: number): void
  run(): number
  recordCount(): number
  counterRegion(): number
  counterRecordCount(): number
  initText(stringIds: number, arenaBytes: number, tsvBytes: number, rowBinaryBytes: number): void
  stringIndexRegion(): number
  stringArenaRegion(): number
  stringCapacity(): number
  rowColumnCount(): number
  tsvRegion(): number
  tsvLength(): number
  formatTsv(first: number, count: number): number
  tsvClear(): void
  rowBinaryRegion(): number
  rowBinaryLength(): number
  formatRowBinary(first: number, count: number): number
  rowBinaryClear(): void
  initEnrich(slotsLog2: number, misses: number): void
  enrichStage(): number
  enrichMisses(): number
  enrichClear(): void
  enrichPut(a: number, b: number, c: number, d: number, local: number): void
  enrichRun(count: number, flags: number): number
  enrichRetry(misses: number): number
  enrichForget(): void
}

export interface DecoderOptions {
  /** Bytes of packed datagrams one decode() call accepts. */
  inputBytes?: number
  /** Datagrams one decode() call accepts. */
  datagrams?: number
  /** Records held in WASM memory before they are handed to the sink. */
  records?: number
  /** Interface-counter records (sFlow counter samples) held before they go to the sink. */
  counters?: number
  /** NetFlow v9 / IPFIX template state: table sizes, held-data bounds, events region. */
  templates?: TemplateStateOptions
  /** String table for text columns: distinct strings and bytes held. */
  strings?: { ids?: number; bytes?: number }
  /** Bytes of rows (of each format) held in WASM memory before they spill to the host (default 1 MiB): the size of the chunks rows leave in. */
  rowBytes?: number
  /** Enrichment cache slots, as a power of two (default 2^16). */
  enrichSlotsLog2?: number
  /**
   * Highest sampling rate an exporter may announce (default STATE_DEFAULTS.maxSamplingRate;
   * 0: no cap). Flows announced with more are refused: not decoded, counted by refusedOf().
   */
  maxSamplingRate?: number
}

/** Called with the records of one run; `view` is only valid during the call. */
export type RecordSink = (view: RecordView, count: number) => void

/** Called with the interface-counter records of one run; `view` is only valid during the call. */
export type CounterSink = (view: CounterView, count: number) => void

const WASM_URL = new URL('../build/decoder.wasm', import.meta.url)
let compiled: WebAssembly.Module | undefined

function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(WASM_URL))
  return compiled
}

/** A row region in WASM memory and the rows it holds. */
interface RowRegion {
  format(first: number, count: number): number
  at(): number
  length(): number
  clear(): void
  rows: number
}

export class Decoder {
  readonly inputBytes: number
  readonly datagrams: number
  readonly records: number
  readonly counters: number
  readonly #x: Exports
  #mem: Uint8Array
  #dv: DataView
  readonly #view: RecordView
  readonly #counterView: CounterView
  readonly #templates: TemplateState
  /** Ids for the text columns' values; enrichment writes them into records. */
  readonly strings: StringTable

  constructor(options: DecoderOptions = {}) {
    this.inputBytes = options.inputBytes ?? 4 << 20
    this.datagrams = options.datagrams ?? 8192
    this.records = options.records ?? 16384
    this.counters = options.counters ?? 1024
    const instance = new WebAssembly.Instance(wasmModule(), {
      env: {
        abort(): never {
          throw new Error('decoder-wasm aborted')
        },
      },
    })
    this.#x = instance.exports as unknown as Exports
    if (
      this.#x.contractHash() >>> 0 !== CONTRACT_HASH ||
      this.#x.rowColumnCount() !== INSERT_COLUMNS.length
    ) {
      throw new Error(
        'decoder-wasm: build/decoder.wasm was built from another contract than this host; rebuild',
      )
    }
    this.#x.init(this.inputBytes, this.datagrams, this.records, this.counters)
    this.#x.setMaxSamplingRate((options.maxSamplingRate ?? STATE_DEFAULTS.maxSamplingRate) >>> 0)
    this.#mem = new Uint8Array(this.#x.memory.buffer)
    this.#dv = new DataView(this.#x.memory.buffer)
    this.#view = new RecordView(this.#mem, this.#x.outputRegion())
    this.#counterView = new CounterView(this.#mem, this.#x.counterRegion())
    this.#templates = new TemplateState(this.#x, options.templates)
    const arenaBytes = options.strings?.bytes ?? 4 << 20
    const rowBytes = options.rowBytes ?? 1 << 20
    this.#x.initText(options.strings?.ids ?? 1 << 17, arenaBytes, rowBytes, rowBytes)
    const x = this.#x
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
    this.#x.initEnrich(options.enrichSlotsLog2 ?? 16, this.records)
    this.#refresh()
    this.strings = new StringTable({
      bytes: () => {
        this.#refresh()
        return this.#mem
      },
      indexAt: this.#x.stringIndexRegion(),
      arenaAt: this.#x.stringArenaRegion(),
      capacity: this.#x.stringCapacity(),
      arenaBytes,
    })
  }

  /**
   * Enrich the first `count` records of the current run from the WASM-side cache
   * (flags: ENRICH_FLAGS). Returns how many missed; enrichMissAt(k) gives their indices.
   */
  enrichRun(count: number, flags: number): number {
    return this.#x.enrichRun(count, flags)
  }
  enrichMissAt(k: number): number {
    return this.#dv.getUint32(this.#x.enrichMisses() + k * 4, true)
  }
  /** Enrich the missed records again after enrichPut(); returns how many still miss. */
  enrichRetry(misses: number): number {
    return this.#x.enrichRetry(misses)
  }
  /**
   * Cache an answer for the address at `field` of record `i` of the current run,
   * qualified by Q_ADDRESS, Q_EXPORTER or an ifIndex.
   */
  enrichPut(
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
    this.#mem.copyWithin(stage, from, from + 16)
    this.#dv.setUint32(stage + 16, qualifier >>> 0, true)
    this.#x.enrichPut(a, b, c, d, local ? 1 : 0)
  }
  /** Forget cached answers (string ids changed, databases reloaded). */
  enrichClear(): void {
    this.#x.enrichClear()
  }
  /** Forget the cached answer for one key: 16 address bytes and a qualifier. */
  enrichForget(addr: Uint8Array, qualifier: number): void {
    this.#refresh()
    const stage = this.#x.enrichStage()
    this.#mem.set(addr.subarray(0, 16), stage)
    this.#dv.setUint32(stage + 16, qualifier >>> 0, true)
    this.#x.enrichForget()
  }

  /**
   * Format the first `count` records of the current run (call it inside a RecordSink)
   * as rows of `format` in INSERT_COLUMNS order. Rows collect in WASM memory; each time that
   * region fills, its bytes move to `out` as one chunk. takeRows() adds the last chunk
   * and hands everything over. Returns the bytes formatted.
   */
  formatRows(format: RowFormat, count: number, out: RowOutput): number {
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

  /** The rows of `format` formatted since the last take, as chunks of their own (transferable). */
  takeRows(format: RowFormat, out: RowOutput): RowChunks {
    this.#spill(this.#regions[format], out)
    return out.take()
  }

  readonly #regions: Record<RowFormat, RowRegion>

  #spill(r: RowRegion, out: RowOutput): void {
    this.#refresh()
    const at = r.at()
    out.push(this.#mem.subarray(at, at + r.length()), r.rows)
    r.clear()
    r.rows = 0
  }

  #refresh(): void {
    if (this.#mem.buffer !== this.#x.memory.buffer) {
      this.#mem = new Uint8Array(this.#x.memory.buffer)
      this.#dv = new DataView(this.#x.memory.buffer)
      this.#view.rebind(this.#mem)
      this.#counterView.rebind(this.#mem)
    }
  }

  /**
   * Decode `count` datagrams packed in `bytes` (DatagramBatch layout). The sink is
   * called once per run of records; afterwards statusOf/flowTypeOf/recordsOf tell
   * each datagram's outcome. Interface-counter records (sFlow counter samples) go to
   * `counterSink`, or are dropped without one. Returns the number of flow records.
   */
  decode(bytes: Uint8Array, count: number, sink: RecordSink, counterSink?: CounterSink): number {
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
      this.#templates.collect()
      const n = this.#x.recordCount()
      if (n > 0) {
        total += n
        sink(this.#view, n)
      }
      const c = this.#x.counterRecordCount()
      if (c > 0 && counterSink) counterSink(this.#counterView, c)
      if (done >= count) break
    }
    return total + this.#releaseHeld(sink)
  }

  /** Decode held data sets whose template has arrived since the last pass. */
  #releaseHeld(sink: RecordSink): number {
    let total = 0
    for (;;) {
      const more = this.#x.flowReleaseHeld()
      this.#refresh()
      this.#templates.collect()
      const n = this.#x.recordCount()
      if (n > 0) {
        total += n
        sink(this.#view, n)
      }
      if (more === 0) return total
    }
  }

  /**
   * Template-sharing events (templates learned, changed or withdrawn; sampling rates and
   * init times from options data) since the last call, for importEvents() elsewhere and
   * the TemplateRegistry.
   */
  takeEvents(): Uint8Array {
    return this.#templates.take()
  }

  /**
   * Apply events taken from another instance (or a registry snapshot) without announcing
   * them again, then decode held data that became decodable into `sink`. Returns the
   * number of records. Uses the input region: not during decode().
   */
  importEvents(bytes: Uint8Array, sink: RecordSink): number {
    this.#refresh()
    this.#templates.import(bytes)
    this.#refresh()
    return this.#releaseHeld(sink)
  }

  /** Cumulative counters of the NetFlow v9 / IPFIX decoders (held data, templates, events). */
  flowCounters(): FlowCounters {
    this.#refresh()
    return this.#templates.counters()
  }

  /** Drop held data sets older than the configured age at `nowMs` (unix ms). */
  expireHeld(nowMs: number): void {
    this.#templates.expire(nowMs)
  }

  statusOf(i: number): number {
    return this.#dv.getUint16(this.#x.statusRegion() + i * ST_SIZE + ST.status, true)
  }
  flowTypeOf(i: number): number {
    return this.#dv.getUint8(this.#x.statusRegion() + i * ST_SIZE + ST.flowType)
  }
  /** Samples or records the decoder skipped in datagram `i` (unknown formats; saturates at 255). */
  skippedOf(i: number): number {
    return this.#dv.getUint8(this.#x.statusRegion() + i * ST_SIZE + ST.skipped)
  }
  recordsOf(i: number): number {
    return this.#dv.getUint32(this.#x.statusRegion() + i * ST_SIZE + ST.records, true)
  }
  /** Flows of datagram `i` refused for a sampling rate above the cap. */
  refusedOf(i: number): number {
    return this.#dv.getUint32(this.#x.statusRegion() + i * ST_SIZE + ST.refused, true)
  }
  /** The highest sampling rate refused in datagram `i` (0 when none was). */
  refusedRateOf(i: number): number {
    return this.#dv.getUint32(this.#x.statusRegion() + i * ST_SIZE + ST.refusedRate, true)
  }
}
