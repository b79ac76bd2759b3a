// Offsets of the fixed-layout interface-counter record written by
// assembly/counter-record.ts. Keep in step with it; the loader refuses a module whose
// counterLayoutVersion() differs from COUNTER_LAYOUT_VERSION.
export const COUNTER_LAYOUT_VERSION = 1
export const CREC_SIZE = 144

export const C = {
  timeReceived: 0, // u64 ms
  ifSpeed: 8, // u64 bits/s
  inOctets: 16, // u64
  outOctets: 24, // u64
  exporter: 32, // 16 bytes: UDP source of the datagram
  agent: 48, // 16 bytes: agent address inside the datagram
  subAgent: 64,
  sourceId: 68,
  sequence: 72,
  uptime: 76, // agent uptime, ms
  ifIndex: 80,
  ifType: 84,
  inUcast: 88,
  inMcast: 92,
  inBcast: 96,
  inDiscards: 100,
  inErrors: 104,
  inUnknownProtos: 108,
  outUcast: 112,
  outMcast: 116,
  outBcast: 120,
  outDiscards: 124,
  outErrors: 128,
  datagram: 132,
  exporterPort: 136, // u16
  ifDirection: 138, // u8: 0 unknown, 1 full-duplex, 2 half-duplex, 3 in, 4 out
  ifStatus: 139, // u8: bit 0 admin up, bit 1 oper up
  promiscuous: 140, // u8: 1 true, 2 false (as sent)
  sourceIdType: 141, // u8
  flowType: 142, // u8
} as const
