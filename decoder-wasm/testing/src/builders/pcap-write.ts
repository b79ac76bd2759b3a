// Writes Ethernet pcap files of synthetic IPv4/IPv6 TCP, UDP and ICMP packets: the
// traffic that tests feed to real exporters (softflowd, pmacct).
import { writeFileSync } from 'node:fs'
import { isIPv4 } from 'node:net'

export interface Packet {
  timeMs: number
  src: string
  dst: string
  /** 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */
  proto: number
  srcPort?: number
  dstPort?: number
  tcpFlags?: number
  icmpType?: number
  icmpCode?: number
  /** Bytes of payload after the L4 header (zeros unless `payload` is given). */
  payloadBytes: number
  /** Payload bytes (a UDP datagram's content); its length wins over payloadBytes. */
  payload?: Uint8Array
  tos?: number
  vlan?: number
}

function v4bytes(a: string): number[] {
  return a.split('.').map(Number)
}

function v6bytes(a: string): number[] {
  const [head = '', tail] = a.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = [
    ...h,
    ...Array<string>(tail === undefined ? 0 : 8 - h.length - t.length).fill('0'),
    ...t,
  ]
  return groups.flatMap((g) => {
    const v = parseInt(g, 16)
    return [v >> 8, v & 0xff]
  })
}

function checksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0
  for (let i = start; i < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

/** One Ethernet frame for a packet (checksums of L4 are left zero: exporters ignore them). */
export function frame(packet: Packet): Uint8Array {
  const p = packet.payload ? { ...packet, payloadBytes: packet.payload.byteLength } : packet
  const v4 = isIPv4(p.src)
  const l4len = p.proto === 6 ? 20 : 8
  const ipHeader = v4 ? 20 : 40
  const vlanLen = p.vlan === undefined ? 0 : 4
  const total = 14 + vlanLen + ipHeader + l4len + p.payloadBytes
  const b = new Uint8Array(total)
  const dv = new DataView(b.buffer)
  b.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0)
  let o = 12
  if (p.vlan !== undefined) {
    dv.setUint16(o, 0x8100)
    dv.setUint16(o + 2, p.vlan)
    o += 4
  }
  dv.setUint16(o, v4 ? 0x0800 : 0x86dd)
  o += 2
  const ip = o
  const l3len = ipHeader + l4len + p.payloadBytes
  if (v4) {
    b[ip] = 0x45
    b[ip + 1] = p.tos ?? 0
    dv.setUint16(ip + 2, l3len)
    dv.setUint16(ip + 6, 0x4000)
    b[ip + 8] = 64
    b[ip + 9] = p.proto
    b.set(v4bytes(p.src), ip + 12)
    b.set(v4bytes(p.dst), ip + 16)
    dv.setUint16(ip + 10, checksum(b, ip, ip + 20))
  } else {
    dv.setUint32(ip, (6 << 28) | ((p.tos ?? 0) << 20))
    dv.setUint16(ip + 4, l4len + p.payloadBytes)
    b[ip + 6] = p.proto
    b[ip + 7] = 64
    b.set(v6bytes(p.src), ip + 8)
    b.set(v6bytes(p.dst), ip + 24)
  }
  const l4 = ip + ipHeader
  if (p.proto === 6) {
    dv.setUint16(l4, p.srcPort ?? 0)
    dv.setUint16(l4 + 2, p.dstPort ?? 0)
    b[l4 + 12] = 5 << 4
    b[l4 + 13] = p.tcpFlags ?? 0x10
    dv.setUint16(l4 + 14, 65535)
  } else if (p.proto === 17) {
    dv.setUint16(l4, p.srcPort ?? 0)
    dv.setUint16(l4 + 2, p.dstPort ?? 0)
    dv.setUint16(l4 + 4, 8 + p.payloadBytes)
  } else {
    b[l4] = p.icmpType ?? 8
    b[l4 + 1] = p.icmpCode ?? 0
  }
  if (p.payload) b.set(p.payload.subarray(0, p.payloadBytes), l4 + l4len)
  return b
}

export function pcapBytes(packets: Packet[]): Uint8Array {
  const frames = packets.map(frame)
  const size = 24 + frames.reduce((n, f) => n + 16 + f.byteLength, 0)
  const b = new Uint8Array(size)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, 0xa1b2c3d4, true)
  dv.setUint16(4, 2, true)
  dv.setUint16(6, 4, true)
  dv.setUint32(16, 65535, true)
  dv.setUint32(20, 1, true)
  let o = 24
  frames.forEach((f, i) => {
    const t = packets[i]?.timeMs ?? 0
    dv.setUint32(o, Math.floor(t / 1000), true)
    dv.setUint32(o + 4, (t % 1000) * 1000, true)
    dv.setUint32(o + 8, f.byteLength, true)
    dv.setUint32(o + 12, f.byteLength, true)
    b.set(f, o + 16)
    o += 16 + f.byteLength
  })
  return b
}

export function writePcap(path: string, packets: Packet[]): void {
  writeFileSync(path, pcapBytes(packets))
}
