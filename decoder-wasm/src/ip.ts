// IPv6 / IPv4-mapped address helpers shared by the host side: parsing an exporter's
// address into the 16 bytes the decoder stores, and formatting stored bytes as text
// the way ClickHouse prints an IPv6 column (IPv4-mapped as ::ffff:a.b.c.d).
import { isIPv4, isIPv6 } from 'node:net'

export function parseAddress(text: string): Uint8Array {
  const out = new Uint8Array(16)
  if (isIPv4(text)) {
    out[10] = 0xff
    out[11] = 0xff
    const parts = text.split('.')
    for (let i = 0; i < 4; i++) out[12 + i] = Number(parts[i])
    return out
  }
  if (!isIPv6(text)) throw new TypeError(`not an IP address: ${text}`)
  let s = text
  const zone = s.indexOf('%')
  if (zone >= 0) s = s.slice(0, zone)
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = s.lastIndexOf(':')
  const tail = s.slice(lastColon + 1)
  if (tail.includes('.')) {
    const b = tail.split('.').map(Number)
    const h1 = (((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16)
    const h2 = (((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16)
    s = `${s.slice(0, lastColon + 1)}${h1}:${h2}`
  }
  const [head = '', rest] = s.split('::')
  const headParts = head === '' ? [] : head.split(':')
  const restParts = rest === undefined || rest === '' ? [] : rest.split(':')
  const fill = 8 - headParts.length - restParts.length
  const groups = [
    ...headParts,
    ...Array<string>(rest === undefined ? 0 : fill).fill('0'),
    ...restParts,
  ]
  for (let i = 0; i < 8; i++) {
    const v = parseInt(groups[i] ?? '0', 16)
    out[i * 2] = v >> 8
    out[i * 2 + 1] = v & 0xff
  }
  return out
}

/** True when the 16 bytes at `off` are an IPv4-mapped address (::ffff:a.b.c.d). */
export function isMappedV4(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false
  return b[off + 10] === 0xff && b[off + 11] === 0xff
}

/** Dotted IPv4 for a mapped address, RFC 5952 text for any other. */
export function formatAddress(b: Uint8Array, off: number): string {
  if (isMappedV4(b, off)) {
    return `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`
  }
  return formatIPv6(b, off)
}

/** ClickHouse's text for an IPv6 column value: mapped IPv4 keeps the ::ffff: prefix. */
export function formatIPv6Column(b: Uint8Array, off: number): string {
  if (isMappedV4(b, off)) {
    return `::ffff:${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`
  }
  return formatIPv6(b, off)
}

function formatIPv6(b: Uint8Array, off: number): string {
  const g: number[] = []
  for (let i = 0; i < 8; i++) g.push(((b[off + i * 2] ?? 0) << 8) | (b[off + i * 2 + 1] ?? 0))
  // Longest run of two or more zero groups becomes '::'.
  let bestAt = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      bestAt = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (x: number[]): string => x.map((v) => v.toString(16)).join(':')
  if (bestAt < 0) return hex(g)
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`
}
