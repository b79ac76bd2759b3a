// Turns the TSV rows the decoder formats into JSON objects keyed by column name, for
// `flowloft decode`: one source of truth for what a flow row holds.
import { TSV_COLUMNS, type TsvColumn } from '@flowloft/decoder-wasm'

export const COLUMN_NAMES: readonly TsvColumn[] = TSV_COLUMNS

const TEXT = new Set<TsvColumn>([
  'exporter_name',
  'flow_type',
  'proto_name',
  'in_if_name',
  'out_if_name',
  'src_as_name',
  'dst_as_name',
  'src_country',
  'dst_country',
  'direction',
  'src_host',
  'dst_host',
])
const ADDRESS = new Set<TsvColumn>([
  'exporter',
  'src_addr',
  'dst_addr',
  'next_hop',
  'post_nat_src_addr',
  'post_nat_dst_addr',
])
const MAC = new Set<TsvColumn>(['src_mac', 'dst_mac'])
const MILLIS = new Set<TsvColumn>(['flow_start', 'flow_end'])

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

/** One TSV row (without its newline) as an object keyed by column name. */
export function tsvRowToJson(line: string): Record<string, string | number> {
  const fields = line.split('\t')
  const out: Record<string, string | number> = {}
  TSV_COLUMNS.forEach((col, i) => {
    const f = fields[i] ?? ''
    if (TEXT.has(col)) out[col] = unescape(f)
    else if (ADDRESS.has(col))
      out[col] = f.startsWith('::ffff:') && f.includes('.') ? f.slice(7) : f
    else if (MAC.has(col)) out[col] = mac(f)
    else if (MILLIS.has(col)) out[col] = iso(Math.round(Number(f) * 1000))
    else if (col === 'time_received') out[col] = iso(Number(f) * 1000).slice(0, 19)
    else out[col] = Number(f)
  })
  return out
}
