// Decodes one packed batch into rows (RowBinary for the writer, TSV for the flow log and
// `flowloft decode`) and per-exporter outcomes. Used by the pool's workers and,
// in-process, by `flowloft decode|import` and the fuzzer.
import {
  Decoder,
  IN_HDR,
  RowOutput,
  flowTypeName,
  formatAddress,
  statusReason,
  type CounterSink,
  type RecordSink,
} from '@flowloft/decoder-wasm'
import { appendCounterRows } from '../flows/counter-rows.js'
import { threadId } from 'node:worker_threads'
import type { Enricher } from '../enrich/index.js'
import type { TrafficAggregator } from '../traffic-metrics/aggregate.js'
import type { TemplateSeed } from './template-channel.js'
import {
  outcomeKey,
  type DecodeResult,
  type DecodeTask,
  type Outcomes,
  type Refusal,
  type TemplateBounds,
} from './task.js'

const EXPORTER_AT = 16

/** Which row formats a BatchDecoder writes (each costs its own formatting pass). */
export interface RowFormats {
  /** RowBinary rows for the writer's inserts. */
  rowBinary: boolean
  /** TSV rows for the flow log and `flowloft decode`. */
  tsv: boolean
}

/** A decoder with these template bounds and sampling cap (the defaults without). */
function newDecoder(b: TemplateBounds | undefined, maxSamplingRate: number | undefined): Decoder {
  return new Decoder({
    ...(b
      ? {
          templates: {
            templates: b.max,
            templatesPerExporter: b.perExporter,
            templateIdleMs: b.idleMs,
          },
        }
      : {}),
    ...(maxSamplingRate !== undefined ? { maxSamplingRate } : {}),
  })
}

export class BatchDecoder {
  #decoder: Decoder
  readonly #seed: TemplateSeed | undefined

  readonly #enricher: Enricher | undefined
  readonly #traffic: TrafficAggregator | undefined
  readonly #formats: RowFormats
  readonly #binary = new RowOutput()
  readonly #tsv = new RowOutput()
  readonly #bounds: TemplateBounds | undefined
  readonly #maxSamplingRate: number | undefined
  /** The decoder's count of refused flows outside any datagram, as last reported. */
  #refusedOutside = 0

  constructor(
    seed?: TemplateSeed,
    enricher?: Enricher,
    traffic?: TrafficAggregator,
    formats: RowFormats = { rowBinary: true, tsv: false },
    bounds?: TemplateBounds,
    maxSamplingRate?: number,
  ) {
    this.#bounds = bounds
    this.#maxSamplingRate = maxSamplingRate
    this.#seed = seed
    this.#decoder = this.#seeded()
    this.#enricher = enricher
    this.#traffic = traffic
    this.#formats = formats
  }

  /**
   * A new decoder that knows every template and sampling rate the main thread's registry
   * holds (saved ones, and what workers reported): at start, and after a trap.
   */
  #seeded(): Decoder {
    const decoder = newDecoder(this.#bounds, this.#maxSamplingRate)
    const snapshot = this.#seed?.read()
    // A new decoder holds no data yet, so importing releases nothing to a sink.
    if (snapshot) decoder.importEvents(snapshot, () => undefined)
    return decoder
  }

  /** Decode the batch. Returns outcomes by exporter, type and result. */
  decodeWith(
    task: DecodeTask,
    sink: RecordSink,
    counterSink?: CounterSink,
  ): { outcomes: Outcomes; refused: Refusal[]; trapped?: string } {
    const bytes = new Uint8Array(task.buffer, 0, task.byteLength)
    try {
      // A capture's held data ages by its own receive times only (0 adds no clock).
      this.#decoder.expireHeld(task.heldClock === 'capture' ? 0 : Date.now())
      this.#decoder.decode(bytes, task.count, sink, counterSink)
    } catch (err) {
      // A trap means a decoder bug; the instance is rebuilt so the next batch is clean,
      // seeded again with the registry's templates.
      this.#decoder = this.#seeded()
      this.#refusedOutside = 0
      return {
        outcomes: { [outcomeKey('', 'unknown', 'decoder_trap')]: task.count },
        refused: [],
        trapped: String(err),
      }
    }
    return {
      outcomes: this.#outcomes(bytes, task.count),
      refused: this.#refusals(bytes, task.count),
    }
  }

  /**
   * Decode, enrich in place and format the rows inside WASM (INSERT_COLUMNS order) in the
   * formats asked for: the rows leave WASM as one byte copy per run.
   */
  decode(task: DecodeTask): DecodeResult {
    const { rowBinary, tsv } = this.#formats
    let rows = 0
    const en = this.#enricher
    en?.refresh()
    this.#decoder.strings.compact()
    const traffic = this.#traffic
    const names = (id: number): string => this.#decoder.strings.text(id)
    let misses = 0
    const counterLines: string[] = []
    const { outcomes, refused, trapped } = this.decodeWith(
      task,
      (v, n) => {
        if (en) misses += en.enrichRecords(v, n, this.#decoder)
        traffic?.add(v, n, names)
        if (rowBinary) this.#decoder.formatRows('RowBinary', n, this.#binary)
        if (tsv) this.#decoder.formatRows('TabSeparated', n, this.#tsv)
        rows += n
      },
      (v, n) => appendCounterRows(v, n, counterLines),
    )
    const binaryRows = this.#decoder.takeRows('RowBinary', this.#binary)
    const tsvRows = this.#decoder.takeRows('TabSeparated', this.#tsv)
    const result: DecodeResult = {
      binary: binaryRows.chunks,
      binaryRows: binaryRows.rows,
      tsv: tsvRows.chunks,
      tsvRows: tsvRows.rows,
      rows,
      outcomes,
      refused,
      events: this.#decoder.takeEvents(),
      counters: this.#decoder.flowCounters(),
      threadId,
    }
    if (en) result.enrich = { hits: rows - misses, misses }
    const unnamed = en?.takeUnnamed()
    if (unnamed) result.unnamed = unnamed
    if (counterLines.length > 0) {
      result.interfaceCounters = {
        tsv: Buffer.from(counterLines.join('')),
        rows: counterLines.length,
      }
    }
    if (traffic) result.traffic = traffic.take()
    if (trapped !== undefined) result.trapped = trapped
    return result
  }

  /** Refused flows of the last decode, by exporter and flow type (rare: one pass, no runs). */
  #refusals(bytes: Uint8Array, count: number): Refusal[] {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const by = new Map<string, Refusal>()
    let p = 0
    for (let i = 0; i < count; i++) {
      const n = this.#decoder.refusedOf(i)
      if (n > 0) {
        const exporter = formatAddress(bytes, p + EXPORTER_AT)
        const flowType = flowTypeName(this.#decoder.flowTypeOf(i))
        const key = `${exporter}|${flowType}`
        const r = by.get(key) ?? { exporter, flowType, flows: 0, rate: 0 }
        r.flows += n
        r.rate = Math.max(r.rate, this.#decoder.refusedRateOf(i))
        by.set(key, r)
      }
      p += IN_HDR + ((dv.getUint32(p, true) + 7) & ~7)
    }
    const outside = this.#decoder.flowCounters().flowsRefused
    if (outside > this.#refusedOutside) {
      by.set('', {
        exporter: '',
        flowType: 'unknown',
        flows: outside - this.#refusedOutside,
        rate: 0,
      })
    }
    this.#refusedOutside = outside
    return [...by.values()]
  }

  #outcomes(bytes: Uint8Array, count: number): Outcomes {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const out: Outcomes = {}
    // Datagrams come in runs from one exporter with one outcome: count a run, and build
    // its key (formatting the exporter's address) only when the run ends.
    let p = 0
    let run = 0
    let runAt = 0
    let runCode = -1
    let e0 = 0
    let e1 = 0
    let e2 = 0
    let e3 = 0
    const flush = (): void => {
      if (run === 0) return
      const key = outcomeKey(
        formatAddress(bytes, runAt + EXPORTER_AT),
        flowTypeName(runCode >> 16),
        statusReason(runCode & 0xffff),
      )
      out[key] = (out[key] ?? 0) + run
    }
    for (let i = 0; i < count; i++) {
      const len = dv.getUint32(p, true)
      const a0 = dv.getUint32(p + EXPORTER_AT, true)
      const a1 = dv.getUint32(p + EXPORTER_AT + 4, true)
      const a2 = dv.getUint32(p + EXPORTER_AT + 8, true)
      const a3 = dv.getUint32(p + EXPORTER_AT + 12, true)
      const code = (this.#decoder.flowTypeOf(i) << 16) | this.#decoder.statusOf(i)
      if (code !== runCode || a0 !== e0 || a1 !== e1 || a2 !== e2 || a3 !== e3) {
        flush()
        run = 0
        runAt = p
        runCode = code
        e0 = a0
        e1 = a1
        e2 = a2
        e3 = a3
      }
      run++
      p += IN_HDR + ((len + 7) & ~7)
    }
    flush()
    return out
  }
}
