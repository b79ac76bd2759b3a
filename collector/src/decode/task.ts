// What crosses the thread boundary between the pool and its workers.
export interface DecodeTask {
  /** Packed datagrams (DatagramBatch layout), transferred. */
  buffer: ArrayBuffer
  byteLength: number
  count: number
}

/** Datagram outcomes of one batch, keyed `exporter|flow type|result`. */
export type Outcomes = Record<string, number>

export interface DecodeResult {
  /** TSV rows in COLUMNS order, each ending in '\n'. */
  tsv: Uint8Array
  rows: number
  outcomes: Outcomes
  /** Set when the decoder trapped and was rebuilt (a bug, never input's fault). */
  trapped?: string
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
