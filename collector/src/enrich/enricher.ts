// Per-row enrichment in a decode worker: country, AS, labels for special ranges,
// direction, host aliases and interface names. Lookups are cached per address; the
// cache is bounded and dropped when the main thread reports a changed database file.
import type { Reader, Response } from 'maxmind'
import {
  F,
  Q_ADDRESS,
  Q_EXPORTER,
  S,
  type Decoder,
  type RecordView,
  type StringTable,
} from '@flowhouse/decoder-wasm'
import { AsnTable } from './asn-table.js'
import { LocalPrefixes, direction, type Direction } from './direction.js'
import { asnOf, countryOf, openMmdb } from './geoip.js'
import { canonicalAddr, formatV4, parseAddr } from './ip.js'
import { specialLabel } from './special.js'
import type { EnrichWorkerData } from './worker-data.js'

export interface AddrInfo {
  country: string
  asn: number
  asName: string
  local: boolean
  host: string
}

/** Enrichment of one row; reused between rows (copy what you keep). */
export interface RowEnrichment {
  src: AddrInfo
  dst: AddrInfo
  direction: Direction
  exporterName: string
  inIfName: string
  outIfName: string
}

const EMPTY: AddrInfo = { country: '', asn: 0, asName: '', local: false, host: '' }
const DIRECTION_CODE: Record<Direction, number> = {
  unknown: 0,
  inbound: 1,
  outbound: 2,
  internal: 3,
  transit: 4,
}

/** An exporter's name and interface names as string-table ids. */
interface ExporterIds {
  name: number
  ifNames: Map<number, number>
  text: string
}

/** An address's enrichment as string-table ids, valid until the table is compacted. */
interface AddrIds {
  country: number
  asn: number
  asName: number
  local: boolean
  host: number
}
const CACHE_MAX = 200_000

export class Enricher {
  readonly #data: EnrichWorkerData
  readonly #generation: Int32Array
  #seen = -1
  #country: Reader<Response> | null = null
  #asnReader: Reader<Response> | null = null
  readonly #asnTable: AsnTable | null
  readonly #local: LocalPrefixes
  readonly #aliases: Map<string, string>
  readonly #ifNames: Map<string, Map<number, string>>
  #cache = new Map<string, AddrInfo>()
  #ids = new Map<number | string, AddrIds>()
  #exporterIds = new Map<number | string, ExporterIds>()
  #idsTable: StringTable | null = null
  #idsResets = -1
  #cacheGeneration = -2

  constructor(data: EnrichWorkerData) {
    this.#data = data
    this.#generation = new Int32Array(data.generation)
    this.#asnTable = data.asnTable ? new AsnTable(data.asnTable) : null
    this.#local = new LocalPrefixes(data.localPrefixes)
    this.#aliases = new Map(Object.entries(data.hostAliases))
    this.#ifNames = new Map(
      Object.entries(data.interfaces).map(([exp, m]) => [
        exp,
        new Map(Object.entries(m).map(([k, v]) => [Number(k), v])),
      ]),
    )
    this.refresh()
  }

  /** Reopen the database files if the main thread saw them change. Cheap when not. */
  refresh(): void {
    const g = Atomics.load(this.#generation, 0)
    if (g === this.#seen) return
    this.#seen = g
    this.#cache = new Map()
    this.#ids = new Map()
    this.#exporterIds = new Map()
    // A file that cannot be opened leaves its fields empty; the main thread reports it.
    this.#country = tryOpen(this.#data.countryDb)
    this.#asnReader = tryOpen(this.#data.asnDb)
  }

  /** Enrichment of one address (its text as the decoder formats it). */
  addr(text: string): AddrInfo {
    let info = this.#cache.get(text)
    if (info) return info
    info = this.#lookup(text)
    if (this.#cache.size >= CACHE_MAX) this.#cache = new Map()
    this.#cache.set(text, info)
    return info
  }

  #lookup(text: string): AddrInfo {
    const a = parseAddr(text)
    if (!a) return EMPTY
    const key = canonicalAddr(text) ?? text
    const host = this.#aliases.get(key) ?? ''
    const local = this.#local.contains(a)
    const label = specialLabel(a)
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

  ifName(exporter: string, ifIndex: number): string {
    if (this.#ifNames.size === 0) return ''
    const m = this.#ifNames.get(canonicalAddr(exporter) ?? exporter)
    return m?.get(ifIndex) ?? ''
  }

  #addrIds(
    v: RecordView,
    i: number,
    f: typeof F.srcAddr | typeof F.dstAddr,
    t: StringTable,
  ): AddrIds {
    const key = v.addrKey(i, f)
    let ids = this.#ids.get(key)
    if (ids) return ids
    const info = this.addr(v.addrColumn(i, f))
    ids = {
      country: t.id(info.country),
      asn: info.asn,
      asName: t.id(info.asName),
      local: info.local,
      host: t.id(info.host),
    }
    if (this.#ids.size >= CACHE_MAX) this.#ids = new Map()
    this.#ids.set(key, ids)
    return ids
  }

  #exporter(v: RecordView, i: number, t: StringTable): ExporterIds {
    const key = v.addrKey(i, F.exporter)
    let e = this.#exporterIds.get(key)
    if (!e) {
      const text = v.addr(i, F.exporter)
      e = {
        name: this.#aliases.size > 0 ? t.id(this.addr(text).host) : 0,
        ifNames: new Map(),
        text,
      }
      this.#exporterIds.set(key, e)
    }
    return e
  }

  #ifNameId(e: ExporterIds, ifIndex: number, t: StringTable): number {
    let id = e.ifNames.get(ifIndex)
    if (id === undefined) {
      id = t.id(this.ifName(e.text, ifIndex))
      e.ifNames.set(ifIndex, id)
    }
    return id
  }

  /**
   * Enrich `n` decoded records in place: string-table ids for the text columns, the
   * direction code, and AS numbers where the exporter sent none. Known addresses and
   * interfaces are applied inside WASM from the decoder's enrichment cache; only the
   * records with a key seen for the first time come back here to be looked up.
   * Returns how many records missed the WASM-side cache (the rest were hits).
   */
  enrichRecords(v: RecordView, n: number, d: Decoder): number {
    const t = d.strings
    if (
      this.#idsTable !== t ||
      this.#idsResets !== t.resets ||
      this.#cacheGeneration !== this.#seen
    ) {
      this.#ids = new Map()
      this.#exporterIds = new Map()
      this.#idsTable = t
      this.#idsResets = t.resets
      this.#cacheGeneration = this.#seen
      d.enrichClear()
    }
    const prefixes = !this.#local.empty
    const names = this.#aliases.size > 0 || this.#ifNames.size > 0
    const misses = d.enrichRun(n, (prefixes ? 1 : 0) | (names ? 2 : 0))
    if (misses === 0) return 0
    for (let k = 0; k < misses; k++) {
      const i = d.enrichMissAt(k)
      const src = this.#addrIds(v, i, F.srcAddr, t)
      const dst = this.#addrIds(v, i, F.dstAddr, t)
      d.enrichPut(i, F.srcAddr, Q_ADDRESS, src.country, src.asn, src.asName, src.host, src.local)
      d.enrichPut(i, F.dstAddr, Q_ADDRESS, dst.country, dst.asn, dst.asName, dst.host, dst.local)
      if (names) {
        const e = this.#exporter(v, i, t)
        const inIf = v.u32(i, F.inIf)
        const outIf = v.u32(i, F.outIf)
        d.enrichPut(i, F.exporter, Q_EXPORTER, e.name, 0, 0, 0, false)
        d.enrichPut(i, F.exporter, inIf, this.#ifNameId(e, inIf, t), 0, 0, 0, false)
        d.enrichPut(i, F.exporter, outIf, this.#ifNameId(e, outIf, t), 0, 0, 0, false)
      }
    }
    // A cache that filled up mid-way may still miss: those records take the JS path.
    const still = d.enrichRetry(misses)
    for (let k = 0; k < still; k++) this.#enrichOne(v, d.enrichMissAt(k), t, prefixes, names)
    return misses
  }

  #enrichOne(v: RecordView, i: number, t: StringTable, prefixes: boolean, names: boolean): void {
    const src = this.#addrIds(v, i, F.srcAddr, t)
    const dst = this.#addrIds(v, i, F.dstAddr, t)
    v.setSid(i, S.srcCountry, src.country)
    v.setSid(i, S.dstCountry, dst.country)
    const srcAs = v.u32(i, F.srcAs)
    if (srcAs === 0) v.setU32(i, F.srcAs, src.asn)
    if (srcAs === 0 || srcAs === src.asn) v.setSid(i, S.srcAsName, src.asName)
    const dstAs = v.u32(i, F.dstAs)
    if (dstAs === 0) v.setU32(i, F.dstAs, dst.asn)
    if (dstAs === 0 || dstAs === dst.asn) v.setSid(i, S.dstAsName, dst.asName)
    v.setSid(i, S.srcHost, src.host)
    v.setSid(i, S.dstHost, dst.host)
    if (prefixes) v.setU8(i, F.direction, DIRECTION_CODE[direction(true, src.local, dst.local)])
    if (names) {
      const e = this.#exporter(v, i, t)
      v.setSid(i, S.exporterName, e.name)
      v.setSid(i, S.inIfName, this.#ifNameId(e, v.u32(i, F.inIf), t))
      v.setSid(i, S.outIfName, this.#ifNameId(e, v.u32(i, F.outIf), t))
    }
  }

  /** Fill `out` for one flow. */
  row(
    out: RowEnrichment,
    exporter: string,
    src: string,
    dst: string,
    inIf: number,
    outIf: number,
  ): void {
    out.src = this.addr(src)
    out.dst = this.addr(dst)
    out.direction = direction(!this.#local.empty, out.src.local, out.dst.local)
    out.exporterName = this.#aliases.size === 0 ? '' : this.addr(exporter).host
    out.inIfName = this.ifName(exporter, inIf)
    out.outIfName = this.ifName(exporter, outIf)
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

export function emptyRow(): RowEnrichment {
  return {
    src: EMPTY,
    dst: EMPTY,
    direction: 'unknown',
    exporterName: '',
    inIfName: '',
    outIfName: '',
  }
}
