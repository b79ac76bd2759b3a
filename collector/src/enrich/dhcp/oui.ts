// Vendor names from the IEEE registry of hardware-address blocks (MA-L 24-bit, MA-M
// 28-bit, MA-S 36-bit prefixes), bundled through the npm package oui-data. The build
// (oui-build.ts) turns its 5.6 MB JSON into a small sorted text file of `PREFIX\tvendor`
// lines; it is read the first time a lease without a host name needs a vendor, into
// sorted number arrays (about 0.5 MB for ~54,000 blocks), and never otherwise.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** Written by the build beside the compiled code (dist/enrich/dhcp/), never committed. */
export const PREBUILT_OUI = fileURLToPath(new URL('oui-vendors.txt', import.meta.url))

const SUFFIXES = new Set(['inc', 'ltd', 'llc', 'co', 'corp', 'corporation', 'gmbh', 'the'])

/**
 * A short vendor name from the registrant's: the first word, lower case (with the
 * second when the first is one or two letters: `tp-link`). '' when there is none.
 */
export function vendorSlug(registrant: string): string {
  const first = registrant.split('\n')[0] ?? ''
  const words = first
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
  const [a, b] = words
  if (a === undefined || a === 'private') return ''
  const slug = a.length <= 2 && b !== undefined && !SUFFIXES.has(b) ? `${a}-${b}` : a
  return slug.slice(0, 24)
}

/** The build's text from oui-data's JSON (prefix hex -> registrant), sorted. */
export function ouiText(registry: Record<string, string>): string {
  const lines: string[] = []
  for (const [prefix, registrant] of Object.entries(registry)) {
    const slug = vendorSlug(registrant)
    if (slug !== '' && /^[0-9A-F]{6}(?:[0-9A-F]|[0-9A-F]{3})?$/.test(prefix))
      lines.push(`${prefix}\t${slug}`)
  }
  return `${lines.sort().join('\n')}\n`
}

export class OuiTable {
  /** Per prefix length in hex digits: sorted prefixes and their vendor indexes. */
  readonly #byLength = new Map<number, { keys: Float64Array; vendor: Uint32Array }>()
  readonly #vendors: string[] = []

  constructor(text: string) {
    const index = new Map<string, number>()
    const rows = new Map<number, Array<[number, number]>>()
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t')
      if (tab !== 6 && tab !== 7 && tab !== 9) continue
      const slug = line.slice(tab + 1)
      let v = index.get(slug)
      if (v === undefined) {
        v = this.#vendors.push(slug) - 1
        index.set(slug, v)
      }
      const list = rows.get(tab) ?? []
      list.push([parseInt(line.slice(0, tab), 16), v])
      rows.set(tab, list)
    }
    for (const [len, list] of rows) {
      list.sort((x, y) => x[0] - y[0])
      this.#byLength.set(len, {
        keys: Float64Array.from(list, (r) => r[0]),
        vendor: Uint32Array.from(list, (r) => r[1]),
      })
    }
  }

  get size(): number {
    let n = 0
    for (const t of this.#byLength.values()) n += t.keys.length
    return n
  }

  /** The vendor of a hardware address (`aa:bb:cc:dd:ee:ff`), the longest block first. */
  vendor(mac: string): string | null {
    const hex = mac.replaceAll(':', '').toUpperCase()
    if (hex.length !== 12) return null
    for (const len of [9, 7, 6]) {
      const t = this.#byLength.get(len)
      if (!t) continue
      const key = parseInt(hex.slice(0, len), 16)
      let lo = 0
      let hi = t.keys.length - 1
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1
        const k = t.keys[mid] ?? 0
        if (k === key) return this.#vendors[t.vendor[mid] ?? 0] ?? null
        if (k < key) lo = mid + 1
        else hi = mid - 1
      }
    }
    return null
  }
}

/**
 * A name from the vendor for a device that gave none: `apple-3a4f` (vendor and the last
 * two bytes of the address). Null for a locally administered (random, private) address,
 * whose first bytes name no vendor, and for an unknown block.
 */
export function vendorName(table: OuiTable, mac: string): string | null {
  const first = parseInt(mac.slice(0, 2), 16)
  if (!Number.isFinite(first) || (first & 0x02) !== 0) return null
  const vendor = table.vendor(mac)
  if (vendor === null) return null
  return `${vendor}-${mac.slice(-5).replace(':', '')}`
}

const require = createRequire(import.meta.url)

/** The bundled table: the build's file, else oui-data's JSON parsed now; null without either. */
export function loadBundledOui(prebuilt = PREBUILT_OUI): OuiTable | null {
  try {
    return new OuiTable(readFileSync(prebuilt, 'utf8'))
  } catch {
    // no prebuilt file (not built yet): fall back to the package
  }
  try {
    const json = readFileSync(require.resolve('oui-data'), 'utf8')
    return new OuiTable(ouiText(JSON.parse(json) as Record<string, string>))
  } catch {
    return null
  }
}
