// Per-row enrichment in a decode worker: country, AS, labels for special ranges,
// direction, host names (static aliases, then learned ones) and interface names. The
// decoder applies every answer inside WASM from its enrichment cache; this class answers
// the keys the cache misses, once each. Lookups are cached per address; the cache is bounded and dropped when the main thread reports
// a changed database file. Dynamic changes (dynamic/) forget only the keys they touch.
// With anonymise.* on, the anonymised form of each address is answered the same way
// (once per address) and WASM writes it over the address after the enrichment.
import {
  ENRICH_FLAGS,
  F,
  MAX_PREFIX_SET,
  Q_ADDRESS,
  Q_ANONYMISED,
  Q_EXPORTER,
  Q_PREFIX_SET,
  type Decoder,
  type FieldOffset,
  type RecordView,
  type StringTable,
} from '@flowloft/decoder-wasm'
import { CryptoPan } from '../anonymise/crypto-pan.js'
import { AddrLookup, CACHE_MAX, type AddrInfo } from './addr-lookup.js'
import { addrCacheKeys } from './cache-keys.js'
import { DynamicView, type DynamicChanges, type PrefixSet } from './dynamic/worker-view.js'
import { canonicalAddr, parseAddr } from '../addresses/ip.js'
import { UnnamedBacklog } from './unnamed.js'
import type { EnrichWorkerData } from './worker-data.js'

export type { AddrInfo }

/** An exporter's name and interface names as string-table ids, and its prefix set. */
interface ExporterIds {
  name: number
  ifNames: Map<number, number>
  /** Canonical address. */
  text: string
  set: PrefixSet | undefined
}

/** An address's enrichment as string-table ids, valid until the table is compacted. */
interface AddrIds {
  country: number
  asn: number
  asName: number
  local: boolean
  host: number
}
/** The addresses anonymise.* may replace: the sides, their post-NAT forms, the next hop. */
const ANONYMISED = [F.srcAddr, F.dstAddr, F.postNatSrcAddr, F.postNatDstAddr, F.nextHop] as const
/** :: or ::ffff:0.0.0.0 (how IPv4 fields store 0.0.0.0), as WASM's isZero. */
function isAbsent(a: Uint8Array): boolean {
  for (let k = 0; k < 16; k++)
    if (a[k] !== 0 && !((k === 10 || k === 11) && a[k] === 0xff)) return false
  return a[10] === a[11]
}
/** Rounds of answers for one run; each round's records fit a cleared cache. */
const MAX_ROUNDS = 4
/** More single-key forgets than this at once: clearing the WASM cache is cheaper. */
const FORGET_MAX = 50_000

export class Enricher {
  readonly #generation: Int32Array
  #seen = -1
  readonly #addrs: AddrLookup
  readonly #ifNames: Map<string, Map<number, string>>
  #ids = new Map<number | string, AddrIds>()
  #exporterIds = new Map<number | string, ExporterIds>()
  #idsTable: StringTable | null = null
  #idsResets = -1
  #cacheGeneration = -2
  readonly #dynamic: DynamicView | null
  readonly #unnamed: UnnamedBacklog
  /** WASM cache keys to forget before the next run (the decoder is at hand only then). */
  #forget: Array<[Uint8Array, number]> = []
  #forgetAll = false
  /** Per prefix set: address key -> local in that set (global prefixes included). */
  #setLocal = new WeakMap<PrefixSet, Map<number | string, boolean>>()
  /** anonymise.*: the mapping, its enrichRun flags and its answers (4 u32 per address). */
  readonly #anon: CryptoPan | null
  readonly #anonFlags: number
  #anonIds = new Map<number | string, Uint32Array>()

  constructor(data: EnrichWorkerData) {
    this.#generation = new Int32Array(data.generation)
    this.#ifNames = new Map(
      Object.entries(data.interfaces).map(([exp, m]) => [
        exp,
        new Map(Object.entries(m).map(([k, v]) => [Number(k), v])),
      ]),
    )
    this.#dynamic = data.dynamic ? new DynamicView(data.dynamic, MAX_PREFIX_SET) : null
    this.#unnamed = new UnnamedBacklog(data.reportUnnamed ?? 0)
    this.#addrs = new AddrLookup(data, this.#dynamic, this.#unnamed)
    const a = data.anonymise
    this.#anon = a ? new CryptoPan(Buffer.from(a.key, 'hex')) : null
    this.#anonFlags =
      (a?.local ? ENRICH_FLAGS.anonymiseLocal : 0) | (a?.remote ? ENRICH_FLAGS.anonymiseRemote : 0)
    this.refresh()
  }

  /**
   * Reopen the database files if the main thread saw them change, and take the dynamic
   * changes it published. Cheap when nothing changed (three atomic loads).
   */
  refresh(): void {
    const changes = this.#dynamic?.poll()
    if (changes) this.#invalidate(changes)
    const g = Atomics.load(this.#generation, 0)
    if (g === this.#seen) return
    this.#seen = g
    this.#ids = new Map()
    this.#exporterIds = new Map()
    this.#addrs.reopen()
  }

  /** Forget what the changes touch: JS entries now, WASM entries before the next run. */
  #invalidate(c: DynamicChanges): void {
    if (c.renumbered) {
      this.#forgetAll = true
      this.#exporterIds = new Map()
    }
    for (const addr of c.hosts) {
      const k = addrCacheKeys(addr)
      if (!k) continue
      this.#addrs.forget(k.texts)
      this.#ids.delete(k.key)
      this.#forget.push([k.bytes, Q_ADDRESS])
    }
    for (const [exporter, ifIndexes] of c.interfaces) {
      const k = addrCacheKeys(exporter)
      if (!k) continue
      this.#exporterIds.delete(k.key)
      for (const idx of ifIndexes) this.#forget.push([k.bytes, idx])
    }
    for (const exporter of c.prefixes) {
      const k = addrCacheKeys(exporter)
      if (!k) continue
      this.#exporterIds.delete(k.key)
      this.#forget.push([k.bytes, Q_EXPORTER])
    }
    if (this.#forget.length > FORGET_MAX) this.#forgetAll = true
  }

  /** Addresses first seen without a host name since the last call (for reverse DNS). */
  takeUnnamed(): { addrs: string[]; dropped: number } | null {
    return this.#unnamed.take()
  }

  /** Enrichment of one address (its text as the decoder formats it). */
  addr(text: string): AddrInfo {
    return this.#addrs.get(text)
  }

  /** Interface name: the static map first, then what was learned (SNMP). */
  ifName(exporter: string, ifIndex: number): string {
    const key = canonicalAddr(exporter) ?? exporter
    return this.#ifNames.get(key)?.get(ifIndex) ?? this.#dynamic?.ifInfo(key, ifIndex)?.name ?? ''
  }

  /** Whether an address is local for flows of an exporter with its own prefix set. */
  #localIn(set: PrefixSet, v: RecordView, i: number, f: typeof F.srcAddr | typeof F.dstAddr) {
    let m = this.#setLocal.get(set)
    if (!m) {
      m = new Map()
      this.#setLocal.set(set, m)
    }
    const key = v.addrKey(i, f)
    let local = m.get(key)
    if (local === undefined) {
      const a = parseAddr(v.addrColumn(i, f))
      local = a !== null && (this.#addrs.local.contains(a) || set.prefixes.contains(a))
      if (m.size >= CACHE_MAX) m.clear()
      m.set(key, local)
    }
    return local
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

  /** Put the anonymised form of the address at `f` into the cache, unless it is absent. */
  #putAnon(v: RecordView, i: number, f: FieldOffset, d: Decoder, p: CryptoPan): void {
    const at = v.offsetOf(i) + f
    const addr = v.bytes.subarray(at, at + 16)
    if (isAbsent(addr)) return
    const a = this.#anonIdsOf(v, i, f, addr, p)
    d.enrichPut(i, f, Q_ANONYMISED, a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, false)
  }

  /** Write the anonymised form over every address of record `i` (the rare fallback). */
  #anonymiseAll(v: RecordView, i: number): void {
    const p = this.#anon
    if (!p) return
    for (const f of ANONYMISED) {
      const at = v.offsetOf(i) + f
      const addr = v.bytes.subarray(at, at + 16)
      if (isAbsent(addr)) continue
      const a = this.#anonIdsOf(v, i, f, addr, p)
      const dv = new DataView(addr.buffer, addr.byteOffset, 16)
      for (let w = 0; w < 4; w++) dv.setUint32(w * 4, a[w] ?? 0, true)
    }
  }

  /** The anonymised form of `addr` (at `f`), as the four u32 of its 16 bytes. */
  #anonIdsOf(v: RecordView, i: number, f: FieldOffset, addr: Uint8Array, p: CryptoPan) {
    const key = v.addrKey(i, f)
    let ids = this.#anonIds.get(key)
    if (ids) return ids
    const out = p.anonymiseStored(addr)
    const dv = new DataView(out.buffer, out.byteOffset, 16)
    ids = Uint32Array.of(
      dv.getUint32(0, true),
      dv.getUint32(4, true),
      dv.getUint32(8, true),
      dv.getUint32(12, true),
    )
    if (this.#anonIds.size >= CACHE_MAX) this.#anonIds = new Map()
    this.#anonIds.set(key, ids)
    return ids
  }

  #exporter(v: RecordView, i: number, t: StringTable): ExporterIds {
    const key = v.addrKey(i, F.exporter)
    let e = this.#exporterIds.get(key)
    if (!e) {
      const text = canonicalAddr(v.addr(i, F.exporter)) ?? ''
      e = {
        // Exporter names are the static aliases only.
        name: this.#addrs.aliases.size > 0 ? t.id(this.#addrs.aliases.get(text) ?? '') : 0,
        ifNames: new Map(),
        text,
        set: this.#dynamic?.prefixSet(text),
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
   * direction code, and AS numbers where the exporter sent none. WASM applies the answers
   * from the decoder's enrichment cache; the records with a key it has not seen come back
   * here, their keys are answered into the cache, and WASM applies them. Returns how many
   * records missed the cache at first (the rest were hits).
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
      this.#forgetAll = true
    }
    if (this.#forgetAll) d.enrichClear()
    else for (const [bytes, q] of this.#forget) d.enrichForget(bytes, q)
    if (this.#forgetAll || this.#forget.length > 0) {
      this.#forget = []
      this.#forgetAll = false
    }
    const prefixes = !this.#addrs.local.empty
    const names =
      this.#addrs.aliases.size > 0 ||
      this.#ifNames.size > 0 ||
      (this.#dynamic?.hasInterfaces ?? false)
    const sets = this.#dynamic?.hasPrefixes ?? false
    const misses = d.enrichRun(
      n,
      (prefixes ? ENRICH_FLAGS.direction : 0) |
        (names ? ENRICH_FLAGS.names : 0) |
        (sets ? ENRICH_FLAGS.prefixSets : 0) |
        this.#anonFlags,
    )
    // A cache that fills up while answers go in is cleared, and may drop answers given
    // earlier in the same run: the records still missing are answered again (fewer each
    // round, as they fit a cleared cache).
    let pending = misses
    for (let round = 0; pending > 0 && round < MAX_ROUNDS; round++) {
      for (let k = 0; k < pending; k++) this.#answer(v, d.enrichMissAt(k), d, names, sets)
      pending = d.enrichRetry(pending)
    }
    // Records still missing go out unenriched; never with a clear address that should
    // have been anonymised: all of theirs are (their sides unknown here).
    if (this.#anon) for (let k = 0; k < pending; k++) this.#anonymiseAll(v, d.enrichMissAt(k))
    return misses
  }

  /** Put the answers for record `i`'s keys into the decoder's enrichment cache. */
  #answer(v: RecordView, i: number, d: Decoder, names: boolean, sets: boolean): void {
    const t = d.strings
    const src = this.#addrIds(v, i, F.srcAddr, t)
    const dst = this.#addrIds(v, i, F.dstAddr, t)
    d.enrichPut(i, F.srcAddr, Q_ADDRESS, src.country, src.asn, src.asName, src.host, src.local)
    d.enrichPut(i, F.dstAddr, Q_ADDRESS, dst.country, dst.asn, dst.asName, dst.host, dst.local)
    if (this.#anon) for (const f of ANONYMISED) this.#putAnon(v, i, f, d, this.#anon)
    if (!names && !sets) return
    const e = this.#exporter(v, i, t)
    d.enrichPut(i, F.exporter, Q_EXPORTER, e.name, e.set?.id ?? 0, 0, 0, false)
    if (names) {
      const inIf = v.u32(i, F.inIf)
      const outIf = v.u32(i, F.outIf)
      d.enrichPut(i, F.exporter, inIf, this.#ifNameId(e, inIf, t), 0, 0, 0, false)
      d.enrichPut(i, F.exporter, outIf, this.#ifNameId(e, outIf, t), 0, 0, 0, false)
    }
    if (e.set) {
      const q = Q_PREFIX_SET + e.set.id
      d.enrichPut(i, F.srcAddr, q, 0, 0, 0, 0, this.#localIn(e.set, v, i, F.srcAddr))
      d.enrichPut(i, F.dstAddr, q, 0, 0, 0, 0, this.#localIn(e.set, v, i, F.dstAddr))
    }
  }
}
