// What one address gets in a decode worker: country, AS and AS name (GeoIP files or the
// bundled ranges), labels for special ranges, the local flag (global prefixes) and its
// host name (static alias, else a learned one). Cached per address text; a miss without
// a host name is reported for reverse DNS.
import type { Reader, Response } from 'maxmind'
import { AsnTable } from './asn-table.js'
import { LocalPrefixes } from '../addresses/local-prefixes.js'
import type { DynamicView } from './dynamic/worker-view.js'
import { asnOf, countryOf, openMmdb } from './geoip.js'
import { canonicalAddr, formatV4, parseAddr } from '../addresses/ip.js'
import { specialLabel } from '../addresses/special-ranges.js'
import type { UnnamedBacklog } from './unnamed.js'
import type { EnrichWorkerData } from './worker-data.js'

export interface AddrInfo {
  country: string
  asn: number
  asName: string
  local: boolean
  host: string
}

export const EMPTY_ADDR: AddrInfo = { country: '', asn: 0, asName: '', local: false, host: '' }
export const CACHE_MAX = 200_000
/** Labels of addresses that never have a host name worth asking for. */
const NOT_HOSTS = new Set(['multicast', 'broadcast', 'unspecified', 'reserved'])

export class AddrLookup {
  readonly #data: EnrichWorkerData
  readonly #asnTable: AsnTable | null
  #country: Reader<Response> | null = null
  #asnReader: Reader<Response> | null = null
  #cache = new Map<string, AddrInfo>()
  readonly local: LocalPrefixes
  readonly aliases: Map<string, string>
  readonly #dynamic: DynamicView | null
  readonly #unnamed: UnnamedBacklog

  constructor(data: EnrichWorkerData, dynamic: DynamicView | null, unnamed: UnnamedBacklog) {
    this.#data = data
    this.#asnTable = data.asnTable ? new AsnTable(data.asnTable) : null
    this.local = new LocalPrefixes(data.localPrefixes)
    this.aliases = new Map(Object.entries(data.hostAliases))
    this.#dynamic = dynamic
    this.#unnamed = unnamed
  }

  /** Open the database files again and forget every answer. */
  reopen(): void {
    this.#cache = new Map()
    // A file that cannot be opened leaves its fields empty; the main thread reports it.
    this.#country = tryOpen(this.#data.countryDb)
    this.#asnReader = tryOpen(this.#data.asnDb)
  }

  forget(texts: readonly string[]): void {
    for (const t of texts) this.#cache.delete(t)
  }

  /** Enrichment of one address (its text as the decoder formats it). */
  get(text: string): AddrInfo {
    let info = this.#cache.get(text)
    if (info) return info
    info = this.#lookup(text)
    if (this.#cache.size >= CACHE_MAX) this.#cache = new Map()
    this.#cache.set(text, info)
    return info
  }

  #lookup(text: string): AddrInfo {
    const a = parseAddr(text)
    if (!a) return EMPTY_ADDR
    const key = canonicalAddr(text) ?? text
    const host = this.aliases.get(key) ?? this.#dynamic?.host(key) ?? ''
    const local = this.local.contains(a)
    const label = specialLabel(a)
    if (host === '' && this.#unnamed.enabled && (label === null || !NOT_HOSTS.has(label)))
      this.#unnamed.add('v4' in a ? formatV4(a.v4) : text)
    if (label !== null) return { country: label, asn: 0, asName: label, local, host }
    // maxmind returns nothing for ::ffff:a.b.c.d: look IPv4 up as dotted IPv4.
    const q = 'v4' in a ? formatV4(a.v4) : text
    let country = ''
    let asn = 0
    let asName = ''
    try {
      if (this.#country) country = countryOf(this.#country.get(q))
      const r = this.#asnReader
        ? asnOf(this.#asnReader.get(q))
        : (this.#asnTable?.lookup(a) ?? null)
      if (r) {
        asn = r.asn
        asName = r.name
      }
    } catch {
      // A damaged database can throw on lookup: the row keeps empty fields.
    }
    return { country, asn, asName, local, host }
  }
}

function tryOpen(path: string | null): Reader<Response> | null {
  if (path === null) return null
  try {
    return openMmdb(path)
  } catch {
    return null
  }
}
