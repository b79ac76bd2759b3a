// Address text to numbers for range lookups. IPv4 (and IPv4-mapped IPv6) become one
// u32; IPv6 becomes four big-endian u32 words. Used off the hot path (per-address caches).
export type ParsedAddr = { v4: number } | { v6: [number, number, number, number] }

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

export function parseV4(s: string): number | null {
  const m = V4.exec(s)
  if (!m) return null
  let n = 0
  for (let k = 1; k <= 4; k++) {
    const o = Number(m[k])
    if (o > 255) return null
    n = n * 256 + o
  }
  return n
}

function parseV6Groups(s: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null
  const halves = s.split('::')
  if (halves.length > 2) return null
  const groups = (part: string): number[] | null => {
    if (part === '') return []
    const out: number[] = []
    const items = part.split(':')
    for (let k = 0; k < items.length; k++) {
      const it = items[k] ?? ''
      if (k === items.length - 1 && it.includes('.')) {
        const v4 = parseV4(it)
        if (v4 === null) return null
        out.push(v4 >>> 16, v4 & 0xffff)
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null
        out.push(parseInt(it, 16))
      }
    }
    return out
  }
  const head = groups(halves[0] ?? '')
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : []
  if (!head || !tail) return null
  if (halves.length === 1) return head.length === 8 ? head : null
  const fill = 8 - head.length - tail.length
  if (fill < 1) return null
  return [...head, ...new Array<number>(fill).fill(0), ...tail]
}

/** Parse an address; IPv4-mapped IPv6 (::ffff:a.b.c.d) comes back as IPv4. */
export function parseAddr(s: string): ParsedAddr | null {
  const v4 = parseV4(s)
  if (v4 !== null) return { v4 }
  const g = parseV6Groups(s)
  if (!g) return null
  const w: [number, number, number, number] = [0, 0, 0, 0]
  for (let k = 0; k < 4; k++) w[k] = (((g[2 * k] ?? 0) << 16) | (g[2 * k + 1] ?? 0)) >>> 0
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return { v4: w[3] }
  return { v6: w }
}

/** Canonical text of an address (dotted IPv4 for mapped addresses), for map keys. */
export function canonicalAddr(s: string): string | null {
  const a = parseAddr(s)
  if (!a) return null
  if ('v4' in a) return formatV4(a.v4)
  // Uncompressed groups: a key, not display text.
  const g: string[] = []
  for (const w of a.v6) g.push((w >>> 16).toString(16), (w & 0xffff).toString(16))
  return g.join(':')
}

/**
 * How an address reads to people, given its text `s` and its canonicalAddr `key`: dotted
 * IPv4 (also for an IPv4-mapped address), IPv6 as it was written.
 */
export function shownAddr(s: string, key: string): string {
  return key.includes(':') ? s.trim() : key
}

export function formatV4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

/** A CIDR prefix: address words and prefix length. */
export interface Prefix {
  v4: boolean
  /** One word for IPv4, four for IPv6, host bits cleared. */
  words: number[]
  len: number
}

export function parseCidr(s: string): Prefix | null {
  const slash = s.indexOf('/')
  const addrText = slash < 0 ? s : s.slice(0, slash)
  const a = parseAddr(addrText.trim())
  if (!a) return null
  const isV4 = 'v4' in a && !addrText.includes(':')
  const max = isV4 ? 32 : 128
  let len = max
  if (slash >= 0) {
    const t = s.slice(slash + 1).trim()
    if (!/^\d{1,3}$/.test(t)) return null
    len = Number(t)
    if (len > max) return null
  }
  if ('v4' in a && !isV4) {
    // ::ffff:a.b.c.d/len written in IPv6 form: treat as IPv4 when it covers only mapped space.
    if (len < 96) return null
    return { v4: true, words: [maskWord(a.v4, len - 96)], len: len - 96 }
  }
  if ('v4' in a) return { v4: true, words: [maskWord(a.v4, len)], len }
  const words = a.v6.map((w, k) => maskWord(w, Math.min(32, Math.max(0, len - 32 * k))))
  return { v4: false, words, len }
}

function maskWord(w: number, bits: number): number {
  if (bits <= 0) return 0
  if (bits >= 32) return w >>> 0
  return (w & ~(0xffffffff >>> bits)) >>> 0
}

export function prefixContains(p: Prefix, a: ParsedAddr): boolean {
  if ('v4' in a) return p.v4 && maskWord(a.v4, p.len) === p.words[0]
  if (p.v4) return false
  for (let k = 0; k < 4; k++) {
    const bits = Math.min(32, Math.max(0, p.len - 32 * k))
    if (bits === 0) return true
    if (maskWord(a.v6[k] ?? 0, bits) !== p.words[k]) return false
  }
  return true
}
