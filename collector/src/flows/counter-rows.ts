// sFlow interface-counter records as TabSeparated rows for flowloft.sflow_counters.
// Counter samples arrive every 20-30 s per interface, so JS formatting is fine here.
import { C, formatIPv6Column, type CounterView } from '@flowloft/decoder-wasm'

type Field = (typeof C)[keyof typeof C]
type Kind = 'u8' | 'u32' | 'u64' | 'addr' | 'seconds'

const COLUMNS: readonly (readonly [string, Field, Kind])[] = [
  ['time_received', C.timeReceived, 'seconds'],
  ['exporter', C.exporter, 'addr'],
  ['agent', C.agent, 'addr'],
  ['sub_agent', C.subAgent, 'u32'],
  ['source_id_type', C.sourceIdType, 'u8'],
  ['source_id', C.sourceId, 'u32'],
  ['sequence', C.sequence, 'u32'],
  ['uptime', C.uptime, 'u32'],
  ['if_index', C.ifIndex, 'u32'],
  ['if_type', C.ifType, 'u32'],
  ['if_speed', C.ifSpeed, 'u64'],
  ['if_direction', C.ifDirection, 'u8'],
  ['if_status', C.ifStatus, 'u8'],
  ['promiscuous', C.promiscuous, 'u8'],
  ['in_octets', C.inOctets, 'u64'],
  ['in_ucast', C.inUcast, 'u32'],
  ['in_mcast', C.inMcast, 'u32'],
  ['in_bcast', C.inBcast, 'u32'],
  ['in_discards', C.inDiscards, 'u32'],
  ['in_errors', C.inErrors, 'u32'],
  ['in_unknown_protos', C.inUnknownProtos, 'u32'],
  ['out_octets', C.outOctets, 'u64'],
  ['out_ucast', C.outUcast, 'u32'],
  ['out_mcast', C.outMcast, 'u32'],
  ['out_bcast', C.outBcast, 'u32'],
  ['out_discards', C.outDiscards, 'u32'],
  ['out_errors', C.outErrors, 'u32'],
]

export const COUNTER_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name)

function value(v: CounterView, i: number, f: Field, kind: Kind): string {
  switch (kind) {
    case 'u8':
      return String(v.u8(i, f))
    case 'u32':
      return String(v.u32(i, f))
    case 'u64':
      return v.u64n(i, f).toString()
    case 'addr':
      return formatIPv6Column(v.bytes, v.offsetOf(i) + f)
    case 'seconds':
      return String(Math.floor(v.u64(i, f) / 1000))
  }
}

/** Append `n` counter records as TSV lines (each ending in '\n') to `out`. */
export function appendCounterRows(v: CounterView, n: number, out: string[]): void {
  for (let i = 0; i < n; i++) {
    out.push(`${COLUMNS.map(([, f, kind]) => value(v, i, f, kind)).join('\t')}\n`)
  }
}
