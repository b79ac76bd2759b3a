// Builds NetFlow v5 datagrams for tests: header fields and records given as plain values.
export interface V5Record {
  src: string
  dst: string
  nextHop?: string
  input?: number
  output?: number
  packets: number
  bytes: number
  first: number
  last: number
  srcPort: number
  dstPort: number
  tcpFlags?: number
  proto: number
  tos?: number
  srcAs?: number
  dstAs?: number
  srcMask?: number
  dstMask?: number
}

export interface V5Header {
  sysUptime: number
  unixSecs: number
  unixNsecs?: number
  sequence?: number
  engineType?: number
  engineId?: number
  sampling?: number
  /** Override the count field (to craft bad datagrams). */
  count?: number
}

function ipv4(text: string): number {
  return text.split('.').reduce((acc, p) => acc * 256 + Number(p), 0)
}

export function buildV5(h: V5Header, records: V5Record[]): Uint8Array {
  const buf = new Uint8Array(24 + records.length * 48)
  const v = new DataView(buf.buffer)
  v.setUint16(0, 5)
  v.setUint16(2, h.count ?? records.length)
  v.setUint32(4, h.sysUptime)
  v.setUint32(8, h.unixSecs)
  v.setUint32(12, h.unixNsecs ?? 0)
  v.setUint32(16, h.sequence ?? 0)
  v.setUint8(20, h.engineType ?? 0)
  v.setUint8(21, h.engineId ?? 0)
  v.setUint16(22, h.sampling ?? 0)
  records.forEach((r, i) => {
    const o = 24 + i * 48
    v.setUint32(o, ipv4(r.src))
    v.setUint32(o + 4, ipv4(r.dst))
    v.setUint32(o + 8, ipv4(r.nextHop ?? '0.0.0.0'))
    v.setUint16(o + 12, r.input ?? 0)
    v.setUint16(o + 14, r.output ?? 0)
    v.setUint32(o + 16, r.packets)
    v.setUint32(o + 20, r.bytes)
    v.setUint32(o + 24, r.first)
    v.setUint32(o + 28, r.last)
    v.setUint16(o + 32, r.srcPort)
    v.setUint16(o + 34, r.dstPort)
    v.setUint8(o + 37, r.tcpFlags ?? 0)
    v.setUint8(o + 38, r.proto)
    v.setUint8(o + 39, r.tos ?? 0)
    v.setUint16(o + 40, r.srcAs ?? 0)
    v.setUint16(o + 42, r.dstAs ?? 0)
    v.setUint8(o + 44, r.srcMask ?? 0)
    v.setUint8(o + 45, r.dstMask ?? 0)
  })
  return buf
}

/**
 * One v5 datagram of values at the edges: every counter, port and id at its widest or
 * zero, the largest sampling interval, times at the end of the uptime and epoch ranges.
 */
export function fullWidthV5(): Uint8Array {
  return buildV5(
    { sysUptime: 0xffffffff, unixSecs: 0xffffffff, unixNsecs: 999_999_999, sampling: 0x3fff },
    [
      {
        src: '255.255.255.255',
        dst: '0.0.0.0',
        packets: 0xffffffff,
        bytes: 0xffffffff,
        first: 0,
        last: 0xffffffff,
        srcPort: 65535,
        dstPort: 0,
        proto: 255,
        tos: 255,
        tcpFlags: 255,
        srcAs: 65535,
        input: 65535,
      },
    ],
  )
}
