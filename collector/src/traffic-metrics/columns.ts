// Reads one flows column of a decoded record (RecordView in WASM memory) as label text,
// for the traffic metrics: each column as FLOW_COLUMNS (the flows contract) says where it
// lives in the record. Text columns are string-table ids resolved by the table.
import {
  DIRECTIONS,
  F,
  FLOW_COLUMNS,
  S,
  flowTypeName,
  protocolName,
  type RecordView,
  type FlowColumn,
} from '@flowloft/decoder-wasm'

/** Resolves a string-table id to its text. */
export type Names = (id: number) => string
/** The column's value as text; '' when missing (empty text, 0, unspecified address). */
export type ColumnReader = (v: RecordView, i: number, names: Names) => string

type Column = (typeof FLOW_COLUMNS)[number]
type FieldOffset = (typeof F)[keyof typeof F]

const num = (n: number): string => (n === 0 ? '' : String(n))

/** Names of the values of `names` and `enum` columns, by the range they are named from. */
const VALUE_NAMES: Record<
  Extract<Column, { names: string }>['names'] | Extract<Column, { enum: string }>['enum'],
  (n: number) => string
> = {
  proto: protocolName,
  flowType: flowTypeName,
  direction: (n) => DIRECTIONS[n] ?? 'unknown',
}

function numberReader(f: FieldOffset, width: number): ColumnReader {
  if (width === 1) return (v, i) => num(v.u8(i, f))
  if (width === 2) return (v, i) => num(v.u16(i, f))
  if (width === 4) return (v, i) => num(v.u32(i, f))
  return (v, i) => num(v.u64(i, f))
}

const ADDRESSES = new Map<string, FieldOffset>()
const NUMBERS = new Map<string, ColumnReader>()
const OTHERS = new Map<string, ColumnReader>()
for (const c of FLOW_COLUMNS as readonly Column[]) {
  if ('string' in c) {
    const slot = S[c.string]
    OTHERS.set(c.name, (v, i, names) => names(v.sid(i, slot)))
    continue
  }
  const f = F[c.field]
  if ('names' in c || 'enum' in c) {
    const name = VALUE_NAMES['names' in c ? c.names : c.enum]
    OTHERS.set(c.name, (v, i) => name(v.u8(i, f)))
  } else if (c.text === 'address') ADDRESSES.set(c.name, f)
  else if (c.text === 'mac') OTHERS.set(c.name, (v, i) => (v.u64(i, f) === 0 ? '' : v.mac(i, f)))
  else NUMBERS.set(c.name, numberReader(f, c.width))
}

export const NUMBER_COLUMNS: ReadonlySet<string> = new Set(NUMBERS.keys())
export const ADDRESS_COLUMNS: ReadonlySet<string> = new Set(ADDRESSES.keys())

const UNSPECIFIED = new Set(['0.0.0.0', '::'])

/** A reader for `column` as the converter wants it (ipv4: dotted or missing; ipv6: full). */
export function columnReader(column: FlowColumn, converter: string): ColumnReader {
  const f = ADDRESSES.get(column)
  if (f !== undefined) {
    if (converter === 'ipv6')
      return (v, i) => {
        const t = v.addrColumn(i, f)
        return t === '::' ? '' : t
      }
    return (v, i) => {
      const t = v.addr(i, f)
      if (UNSPECIFIED.has(t)) return ''
      return converter === 'ipv4' && t.includes(':') ? '' : t
    }
  }
  const r = NUMBERS.get(column) ?? OTHERS.get(column)
  if (!r) throw new Error(`no reader for column ${column}`)
  return r
}
