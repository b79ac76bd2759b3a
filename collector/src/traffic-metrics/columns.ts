// Reads one flows column of a decoded record (RecordView in WASM memory) as label text,
// for the traffic metrics. Text columns are string-table ids resolved by the table.
import {
  DIRECTIONS,
  F,
  S,
  flowTypeName,
  protocolName,
  type RecordView,
  type TsvColumn,
} from '@flowloft/decoder-wasm'

/** Resolves a string-table id to its text. */
export type Names = (id: number) => string
/** The column's value as text; '' when missing (empty text, 0, unspecified address). */
export type ColumnReader = (v: RecordView, i: number, names: Names) => string

const num = (n: number): string => (n === 0 ? '' : String(n))
const u8 =
  (f: (typeof F)[keyof typeof F]): ColumnReader =>
  (v, i) =>
    num(v.u8(i, f))
const u16 =
  (f: (typeof F)[keyof typeof F]): ColumnReader =>
  (v, i) =>
    num(v.u16(i, f))
const u32 =
  (f: (typeof F)[keyof typeof F]): ColumnReader =>
  (v, i) =>
    num(v.u32(i, f))
const u64 =
  (f: (typeof F)[keyof typeof F]): ColumnReader =>
  (v, i) =>
    num(v.u64(i, f))
const sid =
  (s: (typeof S)[keyof typeof S]): ColumnReader =>
  (v, i, names) =>
    names(v.sid(i, s))
const mac =
  (f: (typeof F)[keyof typeof F]): ColumnReader =>
  (v, i) =>
    v.u64(i, f) === 0 ? '' : v.mac(i, f)

const NUMBERS = {
  time_received: u64(F.timeReceived),
  flow_start: u64(F.flowStart),
  flow_end: u64(F.flowEnd),
  bytes: u64(F.bytes),
  packets: u64(F.packets),
  observation_domain: u32(F.observationDomain),
  sequence: u32(F.sequence),
  sampling_rate: u32(F.samplingRate),
  in_if: u32(F.inIf),
  out_if: u32(F.outIf),
  src_as: u32(F.srcAs),
  dst_as: u32(F.dstAs),
  src_port: u16(F.srcPort),
  dst_port: u16(F.dstPort),
  post_nat_src_port: u16(F.postNatSrcPort),
  post_nat_dst_port: u16(F.postNatDstPort),
  vlan: u16(F.vlan),
  tcp_flags: u16(F.tcpFlags),
  proto: u8(F.proto),
  tos: u8(F.tos),
  src_mask: u8(F.srcMask),
  dst_mask: u8(F.dstMask),
  flow_direction: u8(F.flowDirection),
  icmp_type: u8(F.icmpType),
  icmp_code: u8(F.icmpCode),
  flow_end_reason: u8(F.flowEndReason),
  forwarding_status: u8(F.forwardingStatus),
  nat_event: u8(F.natEvent),
} as const

const ADDRESSES = {
  exporter: F.exporter,
  src_addr: F.srcAddr,
  dst_addr: F.dstAddr,
  next_hop: F.nextHop,
  post_nat_src_addr: F.postNatSrcAddr,
  post_nat_dst_addr: F.postNatDstAddr,
} as const

const OTHERS: Partial<Record<TsvColumn, ColumnReader>> = {
  exporter_name: sid(S.exporterName),
  in_if_name: sid(S.inIfName),
  out_if_name: sid(S.outIfName),
  src_as_name: sid(S.srcAsName),
  dst_as_name: sid(S.dstAsName),
  src_country: sid(S.srcCountry),
  dst_country: sid(S.dstCountry),
  src_host: sid(S.srcHost),
  dst_host: sid(S.dstHost),
  src_mac: mac(F.srcMac),
  dst_mac: mac(F.dstMac),
  proto_name: (v, i) => protocolName(v.u8(i, F.proto)),
  flow_type: (v, i) => flowTypeName(v.u8(i, F.flowType)),
  direction: (v, i) => DIRECTIONS[v.u8(i, F.direction)] ?? 'unknown',
}

export const NUMBER_COLUMNS: ReadonlySet<string> = new Set(Object.keys(NUMBERS))
export const ADDRESS_COLUMNS: ReadonlySet<string> = new Set(Object.keys(ADDRESSES))

const UNSPECIFIED = new Set(['0.0.0.0', '::'])

/** A reader for `column` as the converter wants it (ipv4: dotted or missing; ipv6: full). */
export function columnReader(column: TsvColumn, converter: string): ColumnReader {
  if (column in ADDRESSES) {
    const f = ADDRESSES[column as keyof typeof ADDRESSES]
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
  if (column in NUMBERS) return NUMBERS[column as keyof typeof NUMBERS]
  const r = OTHERS[column]
  if (!r) throw new Error(`no reader for column ${column}`)
  return r
}
