// The WASM decoder instance: copies a packed batch into WASM memory, runs the batch
// loop and hands the fixed-layout records to a sink without creating an object per flow.
// Its parts: the module and its exports (wasm-module.ts), the row regions
// (row-regions.ts), the enrichment cache (enrich-cache.ts), each datagram's outcome
// (datagram-status.ts) and the template state (template-state.ts).
import { STATE_DEFAULTS } from './generated/contract.js'
import { RecordView } from './record-view.js'
import { CounterView } from './counter-view.js'
import { TemplateState, type TemplateStateOptions } from './template-state.js'
import type { FlowCounters } from './flow-counters.js'
import { StringTable } from './string-table.js'
import type { RowChunks, RowOutput } from './row-output.js'
import { instantiateDecoder, type DecoderExports } from './wasm-module.js'
import { WasmMemory } from './wasm-memory.js'
import { RowRegions, type RowFormat } from './row-regions.js'
import { EnrichCache } from './enrich-cache.js'
import { DatagramStatus } from './datagram-status.js'

export type { RowFormat }

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

export class Decoder {
  readonly inputBytes: number
  readonly datagrams: number
  readonly records: number
  readonly counters: number
  readonly #x: DecoderExports
  readonly #mem: WasmMemory
  readonly #view: RecordView
  readonly #counterView: CounterView
  readonly #templates: TemplateState
  readonly #rows: RowRegions
  readonly #status: DatagramStatus
  /** Ids for the text columns' values; enrichment writes them into records. */
  readonly strings: StringTable

  // The enrichment cache (enrich-cache.ts), on the records of the current run.
  /** Enrich the first `count` records from the cache (flags: ENRICH_FLAGS); returns the misses. */
  readonly enrichRun: EnrichCache['run']
  /** The record index of miss `k`. */
  readonly enrichMissAt: EnrichCache['missAt']
  /** Enrich the missed records again after enrichPut(); returns how many still miss. */
  readonly enrichRetry: EnrichCache['retry']
  /** Cache an answer for the address at a field of a record, under Q_ADDRESS, Q_EXPORTER or an ifIndex. */
  readonly enrichPut: EnrichCache['put']
  /** Forget cached answers (string ids changed, databases reloaded). */
  readonly enrichClear: EnrichCache['clear']
  /** Forget the cached answer for one key: 16 address bytes and a qualifier. */
  readonly enrichForget: EnrichCache['forget']

  constructor(options: DecoderOptions = {}) {
    this.inputBytes = options.inputBytes ?? 4 << 20
    this.datagrams = options.datagrams ?? 8192
    this.records = options.records ?? 16384
    this.counters = options.counters ?? 1024
    const x = instantiateDecoder()
    this.#x = x
    x.init(this.inputBytes, this.datagrams, this.records, this.counters)
    x.setMaxSamplingRate((options.maxSamplingRate ?? STATE_DEFAULTS.maxSamplingRate) >>> 0)
    const mem = new WasmMemory(x.memory)
    this.#mem = mem
    this.#view = new RecordView(mem.bytes, x.outputRegion())
    this.#counterView = new CounterView(mem.bytes, x.counterRegion())
    mem.onGrow((bytes) => {
      this.#view.rebind(bytes)
      this.#counterView.rebind(bytes)
    })
    this.#templates = new TemplateState(x, options.templates)
    const arenaBytes = options.strings?.bytes ?? 4 << 20
    const rowBytes = options.rowBytes ?? 1 << 20
    x.initText(options.strings?.ids ?? 1 << 17, arenaBytes, rowBytes, rowBytes)
    this.#rows = new RowRegions(x, mem)
    x.initEnrich(options.enrichSlotsLog2 ?? 16, this.records)
    const enrich = new EnrichCache(x, mem)
    this.enrichRun = enrich.run.bind(enrich)
    this.enrichMissAt = enrich.missAt.bind(enrich)
    this.enrichRetry = enrich.retry.bind(enrich)
    this.enrichPut = enrich.put.bind(enrich)
    this.enrichClear = enrich.clear.bind(enrich)
    this.enrichForget = enrich.forget.bind(enrich)
    this.#status = new DatagramStatus(mem, x.statusRegion())
    mem.refresh()
    this.strings = new StringTable({
      bytes: () => {
        mem.refresh()
        return mem.bytes
      },
      indexAt: x.stringIndexRegion(),
      arenaAt: x.stringArenaRegion(),
      capacity: x.stringCapacity(),
      arenaBytes,
    })
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
    this.#mem.refresh()
    this.#mem.bytes.set(bytes, this.#x.inputRegion())
    this.#x.begin(count)
    let total = 0
    for (;;) {
      const done = this.#x.run()
      this.#mem.refresh()
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
      this.#mem.refresh()
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
    this.#mem.refresh()
    this.#templates.import(bytes)
    this.#mem.refresh()
    return this.#releaseHeld(sink)
  }

  /** Cumulative counters of the NetFlow v9 / IPFIX decoders (held data, templates, events). */
  flowCounters(): FlowCounters {
    this.#mem.refresh()
    return this.#templates.counters()
  }

  /** Drop held data sets older than the configured age at `nowMs` (unix ms). */
  expireHeld(nowMs: number): void {
    this.#templates.expire(nowMs)
  }

  /**
   * Format the first `count` records of the current run (call it inside a RecordSink)
   * as rows of `format` in INSERT_COLUMNS order. Rows collect in WASM memory; each time that
   * region fills, its bytes move to `out` as one chunk. takeRows() adds the last chunk
   * and hands everything over. Returns the bytes formatted.
   */
  formatRows(format: RowFormat, count: number, out: RowOutput): number {
    return this.#rows.format(format, count, out)
  }
  /** The rows of `format` formatted since the last take, as chunks of their own (transferable). */
  takeRows(format: RowFormat, out: RowOutput): RowChunks {
    return this.#rows.take(format, out)
  }

  statusOf(i: number): number {
    return this.#status.status(i)
  }
  flowTypeOf(i: number): number {
    return this.#status.flowType(i)
  }
  /** Samples or records the decoder skipped in datagram `i` (unknown formats; saturates at 255). */
  skippedOf(i: number): number {
    return this.#status.skipped(i)
  }
  recordsOf(i: number): number {
    return this.#status.records(i)
  }
  /** Flows of datagram `i` refused for a sampling rate above the cap. */
  refusedOf(i: number): number {
    return this.#status.refused(i)
  }
  /** The highest sampling rate refused in datagram `i` (0 when none was). */
  refusedRateOf(i: number): number {
    return this.#status.refusedRate(i)
  }
}
