// Decodes one packed batch into TSV rows and per-exporter outcomes. Used by the pool's
// workers and, in-process, by `flowhouse decode|import`.
import {
  Decoder,
  IN_HDR,
  TsvOutput,
  flowTypeName,
  formatAddress,
  statusReason,
  type RecordSink,
} from '@flowhouse/decoder-wasm'
import { threadId } from 'node:worker_threads'
import type { Enricher } from '../enrich/index.js'
import type { TemplateSubscriber } from './template-channel.js'
import { outcomeKey, type DecodeResult, type DecodeTask, type Outcomes } from './task.js'

const EXPORTER_AT = 16

export class BatchDecoder {
  #decoder = new Decoder()
  readonly #templates: TemplateSubscriber | undefined

  readonly #enricher: Enricher | undefined
  readonly #tsv = new TsvOutput()

  constructor(templates?: TemplateSubscriber, enricher?: Enricher) {
    this.#templates = templates
    this.#enricher = enricher
  }

  /**
   * Import templates other workers learned (decoding data held for them into `sink`),
   * then decode the batch. Returns outcomes by exporter, type and result.
   */
  decodeWith(task: DecodeTask, sink: RecordSink): { outcomes: Outcomes; trapped?: string } {
    const bytes = new Uint8Array(task.buffer, 0, task.byteLength)
    try {
      const snapshot = this.#templates?.poll()
      if (snapshot) this.#decoder.importEvents(snapshot, sink)
      this.#decoder.expireHeld(Date.now())
      this.#decoder.decode(bytes, task.count, sink)
    } catch (err) {
      // A trap means a decoder bug; the instance is rebuilt so the next batch is clean.
      this.#decoder = new Decoder()
      return {
        outcomes: { [outcomeKey('', 'unknown', 'decoder_trap')]: task.count },
        trapped: String(err),
      }
    }
    return { outcomes: this.#outcomes(bytes, task.count) }
  }

  /**
   * Decode, enrich in place and format the rows as TSV inside WASM (TSV_COLUMNS order):
   * the rows leave WASM as one byte copy per run.
   */
  decodeToTsv(task: DecodeTask): DecodeResult {
    const out = this.#tsv
    let rows = 0
    const en = this.#enricher
    en?.refresh()
    const strings = this.#decoder.strings
    strings.compact()
    const { outcomes, trapped } = this.decodeWith(task, (v, n) => {
      en?.enrichRecords(v, n, this.#decoder)
      this.#decoder.formatTsv(n, out)
      rows += n
    })
    const tsv = out.take()
    const result: DecodeResult = {
      tsv,
      rows,
      outcomes,
      events: this.#decoder.takeEvents(),
      counters: this.#decoder.flowCounters(),
      threadId,
    }
    if (trapped !== undefined) result.trapped = trapped
    return result
  }

  #outcomes(bytes: Uint8Array, count: number): Outcomes {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const out: Outcomes = {}
    let p = 0
    let lastKeyBytes = ''
    let exporter = ''
    for (let i = 0; i < count; i++) {
      const len = dv.getUint32(p, true)
      // Exporters repeat within a batch: format the address only when it changes.
      const keyBytes = String.fromCharCode(...bytes.subarray(p + EXPORTER_AT, p + EXPORTER_AT + 16))
      if (keyBytes !== lastKeyBytes) {
        exporter = formatAddress(bytes, p + EXPORTER_AT)
        lastKeyBytes = keyBytes
      }
      const key = outcomeKey(
        exporter,
        flowTypeName(this.#decoder.flowTypeOf(i)),
        statusReason(this.#decoder.statusOf(i)),
      )
      out[key] = (out[key] ?? 0) + 1
      p += IN_HDR + ((len + 7) & ~7)
    }
    return out
  }
}
