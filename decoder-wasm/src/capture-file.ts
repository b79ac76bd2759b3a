// Reads UDP datagrams out of a capture file (pcap or pcapng; Ethernet, 802.1Q, Linux
// cooked, raw IP or BSD loopback framing), for `flowloft decode|import FILE`.
import { readFileSync } from 'node:fs'
import { formatAddress } from './ip.js'

export interface CapturedDatagram {
  timeMs: number
  srcAddr: string
  srcPort: number
  dstAddr: string
  dstPort: number
  payload: Uint8Array
}

export class CaptureError extends Error {
  override readonly name = 'CaptureError'
}

const LINK_NULL = 0
const LINK_ETHERNET = 1
const LINK_RAW = 101
const LINK_RAW_ALT = 12
const LINK_IPV4 = 228
const LINK_IPV6 = 229
const LINK_SLL = 113
const LINK_SLL2 = 276

/** A capture's UDP datagrams, and how many packets it holds in all. */
export interface Capture {
  packets: number
  datagrams: CapturedDatagram[]
}

export function readCaptureFile(path: string): CapturedDatagram[] {
  return readCapture(new Uint8Array(readFileSync(path)))
}

export function readCapture(buf: Uint8Array): CapturedDatagram[] {
  return parseCapture(buf).datagrams
}

export function parseCapture(buf: Uint8Array): Capture {
  if (buf.byteLength === 0) throw new CaptureError('the file is empty, not a pcap or pcapng file')
  if (buf.byteLength < 4)
    throw new CaptureError(`not a pcap or pcapng file (${buf.byteLength} bytes)`)
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const magic = dv.getUint32(0, false)
  if (magic === 0x0a0d0d0a) return readPcapng(buf, dv)
  return readPcap(buf, dv)
}

function readPcap(buf: Uint8Array, dv: DataView): Capture {
  if (buf.byteLength < 24) throw new CaptureError('pcap header is truncated')
  const m = dv.getUint32(0, true)
  let le: boolean
  let nanos = false
  if (m === 0xa1b2c3d4) le = true
  else if (m === 0xa1b23c4d) [le, nanos] = [true, true]
  else if (m === 0xd4c3b2a1) le = false
  else if (m === 0x4d3cb2a1) [le, nanos] = [false, true]
  else throw new CaptureError('not a pcap or pcapng file (unknown magic number)')
  const link = dv.getUint32(20, le) & 0xffff
  const out: CapturedDatagram[] = []
  let packets = 0
  let p = 24
  while (p + 16 <= buf.byteLength) {
    const sec = dv.getUint32(p, le)
    const frac = dv.getUint32(p + 4, le)
    const incl = dv.getUint32(p + 8, le)
    const start = p + 16
    if (start + incl > buf.byteLength) break // truncated last packet
    const timeMs = sec * 1000 + Math.floor(nanos ? frac / 1e6 : frac / 1e3)
    pushUdp(out, buf.subarray(start, start + incl), link, timeMs)
    packets++
    p = start + incl
  }
  return { packets, datagrams: out }
}

function readPcapng(buf: Uint8Array, dv: DataView): Capture {
  const out: CapturedDatagram[] = []
  let packets = 0
  const links: { link: number; tsDivMs: number }[] = []
  let le = true
  let p = 0
  while (p + 12 <= buf.byteLength) {
    const type = dv.getUint32(p, le)
    if (type === 0x0a0d0d0a) {
      le = dv.getUint32(p + 8, true) === 0x1a2b3c4d
      links.length = 0
    }
    const len = dv.getUint32(p + 4, le)
    if (len < 12 || p + len > buf.byteLength) break
    if (type === 1) {
      links.push({ link: dv.getUint16(p + 8, le), tsDivMs: interfaceTsDiv(buf, dv, p, len, le) })
    } else if (type === 6 && p + 28 <= buf.byteLength) {
      const iface = links[dv.getUint32(p + 8, le)]
      const ts = dv.getUint32(p + 12, le) * 0x100000000 + dv.getUint32(p + 16, le)
      const incl = dv.getUint32(p + 20, le)
      packets++
      if (iface && p + 28 + incl <= p + len) {
        pushUdp(
          out,
          buf.subarray(p + 28, p + 28 + incl),
          iface.link,
          Math.floor(ts / iface.tsDivMs),
        )
      }
    } else if (type === 3 && p + 16 <= buf.byteLength) {
      const iface = links[0]
      const orig = dv.getUint32(p + 8, le)
      const incl = Math.min(orig, len - 16)
      packets++
      if (iface) pushUdp(out, buf.subarray(p + 12, p + 12 + incl), iface.link, 0)
    }
    p += len
  }
  return { packets, datagrams: out }
}

/** Divisor from the interface's timestamp unit to milliseconds (default microseconds). */
function interfaceTsDiv(
  buf: Uint8Array,
  dv: DataView,
  p: number,
  len: number,
  le: boolean,
): number {
  let o = p + 16
  const end = p + len - 4
  while (o + 4 <= end) {
    const code = dv.getUint16(o, le)
    const olen = dv.getUint16(o + 2, le)
    if (code === 0) break
    if (code === 9 && olen >= 1) {
      const v = buf[o + 4] ?? 6
      const perSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v
      return perSecond / 1000
    }
    o += 4 + ((olen + 3) & ~3)
  }
  return 1000
}

function pushUdp(out: CapturedDatagram[], frame: Uint8Array, link: number, timeMs: number): void {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  let p: number
  let ethertype = 0
  switch (link) {
    case LINK_ETHERNET: {
      if (frame.byteLength < 14) return
      ethertype = dv.getUint16(12)
      p = 14
      while ((ethertype === 0x8100 || ethertype === 0x88a8) && p + 4 <= frame.byteLength) {
        ethertype = dv.getUint16(p + 2)
        p += 4
      }
      break
    }
    case LINK_SLL:
      if (frame.byteLength < 16) return
      ethertype = dv.getUint16(14)
      p = 16
      break
    case LINK_SLL2:
      if (frame.byteLength < 20) return
      ethertype = dv.getUint16(0)
      p = 20
      break
    case LINK_NULL:
      if (frame.byteLength < 4) return
      p = 4
      break
    case LINK_RAW:
    case LINK_RAW_ALT:
    case LINK_IPV4:
    case LINK_IPV6:
      p = 0
      break
    default:
      throw new CaptureError(`unsupported link type ${link}`)
  }
  if (p >= frame.byteLength) return
  const version = (frame[p] ?? 0) >> 4
  if (ethertype !== 0 && ethertype !== 0x0800 && ethertype !== 0x86dd) return
  let srcAddr: string
  let dstAddr: string
  let l4: number
  let l4end: number
  if (version === 4) {
    if (p + 20 > frame.byteLength) return
    const ihl = ((frame[p] ?? 0) & 0x0f) * 4
    if ((frame[p + 9] ?? 0) !== 17) return
    if ((dv.getUint16(p + 6) & 0x3fff) !== 0) return // fragments are not reassembled
    srcAddr = Array.from(frame.subarray(p + 12, p + 16)).join('.')
    dstAddr = Array.from(frame.subarray(p + 16, p + 20)).join('.')
    l4 = p + ihl
    l4end = Math.min(frame.byteLength, p + dv.getUint16(p + 2))
  } else if (version === 6) {
    if (p + 40 > frame.byteLength) return
    if ((frame[p + 6] ?? 0) !== 17) return
    srcAddr = formatAddress(frame, p + 8)
    dstAddr = formatAddress(frame, p + 24)
    l4 = p + 40
    l4end = Math.min(frame.byteLength, l4 + dv.getUint16(p + 4))
  } else {
    return
  }
  if (l4 + 8 > l4end) return
  const udpLen = dv.getUint16(l4 + 4)
  const end = Math.min(l4end, l4 + Math.max(udpLen, 8))
  out.push({
    timeMs,
    srcAddr,
    srcPort: dv.getUint16(l4),
    dstAddr,
    dstPort: dv.getUint16(l4 + 2),
    payload: frame.slice(l4 + 8, end),
  })
}
