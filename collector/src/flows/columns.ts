// The flow columns the collector writes, in the order of its TSV rows, and how each is
// read from a decoded record. Names are the `flowhouse.flows` contract (schema/).
import { F, flowTypeName, type RecordView } from '@flowhouse/decoder-wasm'
import { protocolName } from './protocols.js'

export interface Column {
  name: string
  /** Text of the value in ClickHouse's TabSeparated format. */
  tsv(v: RecordView, i: number): string
  /** Value for JSON output (`flowhouse decode`). */
  json(v: RecordView, i: number): string | number
}

const ms = (v: RecordView, i: number, f: (typeof F)[keyof typeof F]): string => {
  const t = v.u64(i, f)
  return `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}`
}
const isoMs = (t: number): string => new Date(t).toISOString().replace('T', ' ').replace('Z', '')

function num(name: string, read: (v: RecordView, i: number) => number): Column {
  return { name, tsv: (v, i) => String(read(v, i)), json: read }
}
function addr(name: string, f: (typeof F)[keyof typeof F]): Column {
  return { name, tsv: (v, i) => v.addrColumn(i, f), json: (v, i) => v.addr(i, f) }
}
function mac(name: string, f: (typeof F)[keyof typeof F]): Column {
  return { name, tsv: (v, i) => String(v.u64(i, f)), json: (v, i) => v.mac(i, f) }
}
/** Columns that enrichment fills; empty until then. */
function text(name: string, read: (v: RecordView, i: number) => string = () => ''): Column {
  return { name, tsv: (v, i) => escapeTsv(read(v, i)), json: read }
}

export function escapeTsv(s: string): string {
  return /[\t\n\\]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
    : s
}

export const COLUMNS: readonly Column[] = [
  {
    name: 'time_received',
    tsv: (v, i) => String(Math.floor(v.u64(i, F.timeReceived) / 1000)),
    json: (v, i) => isoMs(Math.floor(v.u64(i, F.timeReceived) / 1000) * 1000).slice(0, 19),
  },
  {
    name: 'flow_start',
    tsv: (v, i) => ms(v, i, F.flowStart),
    json: (v, i) => isoMs(v.u64(i, F.flowStart)),
  },
  {
    name: 'flow_end',
    tsv: (v, i) => ms(v, i, F.flowEnd),
    json: (v, i) => isoMs(v.u64(i, F.flowEnd)),
  },
  addr('exporter', F.exporter),
  text('exporter_name'),
  num('observation_domain', (v, i) => v.u32(i, F.observationDomain)),
  {
    name: 'flow_type',
    tsv: (v, i) => flowTypeName(v.u8(i, F.flowType)),
    json: (v, i) => flowTypeName(v.u8(i, F.flowType)),
  },
  num('sequence', (v, i) => v.u32(i, F.sequence)),
  num('sampling_rate', (v, i) => v.u32(i, F.samplingRate)),
  addr('src_addr', F.srcAddr),
  addr('dst_addr', F.dstAddr),
  num('src_port', (v, i) => v.u16(i, F.srcPort)),
  num('dst_port', (v, i) => v.u16(i, F.dstPort)),
  num('proto', (v, i) => v.u8(i, F.proto)),
  text('proto_name', (v, i) => protocolName(v.u8(i, F.proto))),
  num('tcp_flags', (v, i) => v.u16(i, F.tcpFlags)),
  num('tos', (v, i) => v.u8(i, F.tos)),
  num('in_if', (v, i) => v.u32(i, F.inIf)),
  num('out_if', (v, i) => v.u32(i, F.outIf)),
  text('in_if_name'),
  text('out_if_name'),
  num('src_as', (v, i) => v.u32(i, F.srcAs)),
  num('dst_as', (v, i) => v.u32(i, F.dstAs)),
  text('src_as_name'),
  text('dst_as_name'),
  text('src_country'),
  text('dst_country'),
  num('src_mask', (v, i) => v.u8(i, F.srcMask)),
  num('dst_mask', (v, i) => v.u8(i, F.dstMask)),
  addr('next_hop', F.nextHop),
  num('flow_direction', (v, i) => v.u8(i, F.flowDirection)),
  num('vlan', (v, i) => v.u16(i, F.vlan)),
  mac('src_mac', F.srcMac),
  mac('dst_mac', F.dstMac),
  num('icmp_type', (v, i) => v.u8(i, F.icmpType)),
  num('icmp_code', (v, i) => v.u8(i, F.icmpCode)),
  num('flow_end_reason', (v, i) => v.u8(i, F.flowEndReason)),
  num('forwarding_status', (v, i) => v.u8(i, F.forwardingStatus)),
  addr('post_nat_src_addr', F.postNatSrcAddr),
  addr('post_nat_dst_addr', F.postNatDstAddr),
  num('post_nat_src_port', (v, i) => v.u16(i, F.postNatSrcPort)),
  num('post_nat_dst_port', (v, i) => v.u16(i, F.postNatDstPort)),
  num('nat_event', (v, i) => v.u8(i, F.natEvent)),
  num('bytes', (v, i) => v.u64(i, F.bytes)),
  num('packets', (v, i) => v.u64(i, F.packets)),
  text('src_host'),
  text('dst_host'),
]

export const COLUMN_NAMES = COLUMNS.map((c) => c.name)

/** Append the TSV rows of `count` records to `out`. */
export function appendTsvRows(v: RecordView, count: number, out: string[]): void {
  const cols = COLUMNS
  for (let i = 0; i < count; i++) {
    let line = cols[0]?.tsv(v, i) ?? ''
    for (let c = 1; c < cols.length; c++) line += `\t${cols[c]?.tsv(v, i) ?? ''}`
    out.push(line)
  }
}

/** One JSON object per record, keys equal to the column names. */
export function recordJson(v: RecordView, i: number): Record<string, string | number> {
  const o: Record<string, string | number> = {}
  for (const c of COLUMNS) o[c.name] = c.json(v, i)
  return o
}
