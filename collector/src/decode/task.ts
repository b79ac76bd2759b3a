import type { FlowCounters } from '@flowloft/decoder-wasm'
import type { EnrichWorkerData } from '../enrich/index.js'
import type { TrafficBatch, TrafficMetricConfig } from '../traffic-metrics/index.js'

// What crosses the thread boundary between the pool and its workers.

/** decode.templates.*: templates per exporter address, in all, idle time before reuse. */
export interface TemplateBounds {
  perExporter: number
  max: number
  idleMs: number
}
/**
 * What held data (sets that came before their template) ages against: the wall clock
 * (the live service, the default) or only the receive times in the batches (a capture
 * decoded offline, whose times may be days old).
 */
export type HeldClock = 'wall' | 'capture'

export interface DecodeTask {
  /** Packed datagrams (DatagramBatch layout), transferred. */
  buffer: ArrayBuffer
  byteLength: number
  count: number
  heldClock?: HeldClock
}

/** Flows refused in one batch for a sampling rate above the cap, by exporter and flow type. */
export interface Refusal {
  /** '' for flows decoded outside a datagram (held data released by imported templates). */
  exporter: string
  flowType: string
  flows: number
  /** The highest rate refused. */
  rate: number
}

/** Datagram outcomes of one batch, keyed `exporter|flow type|result`. */
export type Outcomes = Record<string, number>

export interface DecodeResult {
  /** RowBinary rows in INSERT_COLUMNS order for the writer, in chunks (transferred). */
  binary: Uint8Array[]
  /** Rows in each chunk of `binary`. */
  binaryRows: number[]
  /** The same rows as TSV, each ending in '\n' (only when asked for: the flow log). */
  tsv: Uint8Array[]
  /** Rows in each chunk of `tsv`. */
  tsvRows: number[]
  rows: number
  outcomes: Outcomes
  /** Flows refused for a sampling rate above decode.max_sampling_rate. */
  refused: Refusal[]
  /** Template events learned in this batch, for the main thread's registry. */
  events: Uint8Array
  /** The worker's cumulative template-decoder counters and who it is. */
  counters: FlowCounters
  threadId: number
  /** Enrichment of this batch: records answered by the WASM-side cache, and looked up in JS. */
  enrich?: { hits: number; misses: number }
  /** Addresses first seen without a host name (for reverse DNS), and how many the worker dropped. */
  unnamed?: { addrs: string[]; dropped: number }
  /** Traffic-metric sums of this batch (only when metrics are configured). */
  traffic?: TrafficBatch
  /** sFlow interface-counter samples as TSV rows for flowloft.sflow_counters. */
  interfaceCounters?: { tsv: Uint8Array; rows: number }
  /** Set when the decoder trapped and was rebuilt (a bug, never input's fault). */
  trapped?: string
}

export interface WorkerData {
  templates: SharedArrayBuffer
  /** Template bounds of each worker's decoder (decode.templates.*). */
  templateBounds?: TemplateBounds
  /** decode.max_sampling_rate (the decoder's default without). */
  maxSamplingRate?: number
  /** Enrichment configuration and shared tables (enrich/); absent means no enrichment. */
  enrich?: EnrichWorkerData
  /** Traffic metrics to add up in the worker; absent or empty means none. */
  traffic?: TrafficMetricConfig[]
  /** Also format the rows as TSV (for the flow log). */
  tsv?: boolean
}

export function outcomeKey(exporter: string, flowType: string, result: string): string {
  return `${exporter}|${flowType}|${result}`
}

export function splitOutcomeKey(key: string): {
  exporter: string
  flowType: string
  result: string
} {
  const [exporter = '', flowType = '', result = ''] = key.split('|')
  return { exporter, flowType, result }
}
