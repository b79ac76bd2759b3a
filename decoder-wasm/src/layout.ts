// Offsets of the fixed-layout record written by assembly/record.ts. Keep in step with
// it; the loader refuses a module whose layoutVersion() differs from LAYOUT_VERSION.
export const LAYOUT_VERSION = 2
export const REC_SIZE = 256

export const F = {
  timeReceived: 0,
  flowStart: 8,
  flowEnd: 16,
  bytes: 24,
  packets: 32,
  srcAddr: 40,
  dstAddr: 56,
  nextHop: 72,
  postNatSrcAddr: 88,
  postNatDstAddr: 104,
  exporter: 120,
  srcMac: 136,
  dstMac: 144,
  observationDomain: 152,
  sequence: 156,
  samplingRate: 160,
  inIf: 164,
  outIf: 168,
  srcAs: 172,
  dstAs: 176,
  srcPort: 180,
  dstPort: 182,
  postNatSrcPort: 184,
  postNatDstPort: 186,
  vlan: 188,
  tcpFlags: 190,
  proto: 192,
  tos: 193,
  srcMask: 194,
  dstMask: 195,
  flowDirection: 196,
  icmpType: 197,
  icmpCode: 198,
  flowEndReason: 199,
  forwardingStatus: 200,
  natEvent: 201,
  flowType: 202,
  ipVersion: 203,
  datagram: 204,
  exporterPort: 208,
  direction: 214,
  srcVlan: 210,
  dstVlan: 212,
} as const

// String-table ids of the text columns, filled by the host's enrichment (0 = empty).
export const S = {
  exporterName: 216,
  inIfName: 220,
  outIfName: 224,
  srcAsName: 228,
  dstAsName: 232,
  srcCountry: 236,
  dstCountry: 240,
  srcHost: 244,
  dstHost: 248,
} as const

// Input region: a 40-byte header per datagram, then the payload padded to 8 bytes.
export const IN_HDR = 40
export const IN = {
  len: 0,
  port: 4,
  recvMs: 8,
  exporter: 16,
  samplingDefault: 32,
  samplingOverride: 36,
} as const

export const ST_SIZE = 16
export const ST = {
  status: 0,
  flowType: 2,
  skipped: 3,
  records: 4,
  refused: 8,
  refusedRate: 12,
} as const
