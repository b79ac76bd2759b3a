// Writes received UDP datagrams back into a pcap (raw IPv4 link type) so tools such as
// tshark and nfdump can be run on exactly the bytes the decoder saw.
import { writeFileSync } from 'node:fs'

export interface Datagram {
  payload: Uint8Array
  timeMs: number
}

const LINKTYPE_RAW = 101

export function udpPcapBytes(
  datagrams: readonly Datagram[],
  srcPort: number,
  dstPort: number,
): Uint8Array {
  const size = 24 + datagrams.reduce((n, d) => n + 16 + 28 + d.payload.byteLength, 0)
  const b = new Uint8Array(size)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, 0xa1b2c3d4, true)
  dv.setUint16(4, 2, true)
  dv.setUint16(6, 4, true)
  dv.setUint32(16, 65535, true)
  dv.setUint32(20, LINKTYPE_RAW, true)
  let o = 24
  for (const d of datagrams) {
    const len = 28 + d.payload.byteLength
    dv.setUint32(o, Math.floor(d.timeMs / 1000), true)
    dv.setUint32(o + 4, (d.timeMs % 1000) * 1000, true)
    dv.setUint32(o + 8, len, true)
    dv.setUint32(o + 12, len, true)
    const ip = o + 16
    b[ip] = 0x45
    dv.setUint16(ip + 2, len)
    b[ip + 8] = 64
    b[ip + 9] = 17
    b.set([127, 0, 0, 1], ip + 12)
    b.set([127, 0, 0, 1], ip + 16)
    dv.setUint16(ip + 20, srcPort)
    dv.setUint16(ip + 22, dstPort)
    dv.setUint16(ip + 24, 8 + d.payload.byteLength)
    b.set(d.payload, ip + 28)
    o += 16 + len
  }
  return b
}

export function writeUdpPcap(
  path: string,
  datagrams: readonly Datagram[],
  srcPort: number,
  dstPort: number,
): void {
  writeFileSync(path, udpPcapBytes(datagrams, srcPort, dstPort))
}
