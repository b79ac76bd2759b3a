// Turns the TSV rows the decoder formats into JSON objects keyed by column name, for
// `flowloft decode`: one source of truth for what a flow row holds.
import {
  FLOW_COLUMNS,
  INSERT_COLUMNS,
  type ColumnText,
  type FlowColumn,
} from '@flowloft/decoder-wasm'

export const COLUMN_NAMES: readonly FlowColumn[] = INSERT_COLUMNS

function unescape(s: string): string {
  return s.includes('\\')
    ? s.replace(/\\(.)/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c))
    : s
}

function mac(text: string): string {
  const v = BigInt(text)
  const parts: string[] = []
  for (let k = 5; k >= 0; k--)
    parts.push(((v >> BigInt(k * 8)) & 0xffn).toString(16).padStart(2, '0'))
  return parts.join(':')
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}

/** How each kind of column's text (FLOW_COLUMNS, the flows contract) becomes a JSON value. */
const VALUE: Record<ColumnText, (text: string) => string | number> = {
  number: Number,
  text: unescape,
  address: (f) => (f.startsWith('::ffff:') && f.includes('.') ? f.slice(7) : f),
  mac,
  millis: (f) => iso(Math.round(Number(f) * 1000)),
  seconds: (f) => iso(Number(f) * 1000).slice(0, 19),
}

/** One TSV row (without its newline) as an object keyed by column name. */
export function tsvRowToJson(line: string): Record<string, string | number> {
  const fields = line.split('\t')
  const out: Record<string, string | number> = {}
  FLOW_COLUMNS.forEach((col, i) => {
    out[col.name] = VALUE[col.text](fields[i] ?? '')
  })
  return out
}
