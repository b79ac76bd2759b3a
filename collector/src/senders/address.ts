// Canonical text of sender addresses and prefixes. One spelling per address, so the
// registry, the listener filter and the API agree: dotted IPv4 (IPv4-mapped IPv6 too),
// RFC 5952 IPv6 without a zone. Prefixes are stored as their network address.
import { isIP } from 'node:net'
import { formatAddress, formatIPv6Column, parseAddress } from '@flowloft/decoder-wasm'
import { formatV4, parseCidr, type Prefix } from '../addresses/ip.js'

/** The canonical text of an address, or null when it is not one. */
export function canonicalSender(text: string): string | null {
  const t = text.trim()
  if (isIP(t) === 0) return null
  return formatAddress(parseAddress(t), 0)
}

function wordBytes(words: readonly number[]): Uint8Array {
  const b = new Uint8Array(16)
  words.forEach((w, k) => {
    b[4 * k] = w >>> 24
    b[4 * k + 1] = (w >>> 16) & 255
    b[4 * k + 2] = (w >>> 8) & 255
    b[4 * k + 3] = w & 255
  })
  return b
}

/** `network/len` with host bits cleared, or null when it is not a CIDR. */
export function canonicalPrefix(text: string): string | null {
  const p = parseCidr(text.trim())
  if (!p) return null
  return `${p.v4 ? formatV4(p.words[0] ?? 0) : formatAddress(wordBytes(p.words), 0)}/${p.len}`
}

function lastWords(p: Prefix): number[] {
  return p.words.map((w, k) => {
    const bits = Math.min(32, Math.max(0, p.len - 32 * k))
    return bits >= 32 ? w : (w | (0xffffffff >>> bits)) >>> 0
  })
}

/**
 * First and last address of a prefix as ClickHouse IPv6 column text (IPv4 as
 * ::ffff:a.b.c.d), for `col BETWEEN lo AND hi` on IPv6 columns.
 */
export function prefixBounds(cidr: string): { lo: string; hi: string } {
  const p = parseCidr(cidr)
  if (!p) throw new Error(`not a CIDR: ${cidr}`)
  const hi = lastWords(p)
  if (p.v4)
    return { lo: `::ffff:${formatV4(p.words[0] ?? 0)}`, hi: `::ffff:${formatV4(hi[0] ?? 0)}` }
  return { lo: formatIPv6Column(wordBytes(p.words), 0), hi: formatIPv6Column(wordBytes(hi), 0) }
}
