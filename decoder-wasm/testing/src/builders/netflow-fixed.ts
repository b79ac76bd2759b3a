// Builds NetFlow v1, v6 and v7 datagrams for tests from the same values as v5: the
// v5 datagram re-laid in the other versions' header and record sizes (v1: 16-byte
// header, 48-byte records with protocol, ToS and flags at 38..40, no AS numbers; v6 and
// v7: the v5 header and 52-byte records, v7 without engine or sampling fields).
import { buildV5, type V5Header, type V5Record } from './netflow5.js'

export type FixedVersion = 1 | 6 | 7

const LAYOUT = {
  1: { header: 16, record: 48 },
  6: { header: 24, record: 52 },
  7: { header: 24, record: 52 },
} as const

export function buildFixed(version: FixedVersion, h: V5Header, records: V5Record[]): Uint8Array {
  const v5 = buildV5(h, records)
  const l = LAYOUT[version]
  const out = new Uint8Array(l.header + records.length * l.record)
  out.set(v5.subarray(0, l.header))
  new DataView(out.buffer).setUint16(0, version)
  // v7 has no engine or sampling fields: those four bytes are reserved.
  if (version === 7) out.fill(0, 20, 24)
  records.forEach((r, i) => {
    const from = 24 + i * 48
    const to = l.header + i * l.record
    // src, dst, next hop, interfaces, counters, times, ports: the same 36 bytes.
    out.set(v5.subarray(from, from + 36), to)
    if (version === 1) {
      out[to + 38] = r.proto
      out[to + 39] = r.tos ?? 0
      out[to + 40] = r.tcpFlags ?? 0
    } else {
      // flags, protocol, ToS, AS numbers and masks where v5 has them.
      out.set(v5.subarray(from + 37, from + 46), to + 37)
    }
  })
  return out
}
