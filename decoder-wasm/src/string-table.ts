// The host side of the WASM string table (assembly/strings.ts): hands out ids for the
// text columns' values, writing each distinct string once, TSV-escaped, into WASM
// memory. Fixed ids name protocols, flow types and directions.
import { FLOW_TYPES } from './flow-type.js'
import { protocolName } from './protocols.js'
import { DIRECTIONS } from './tsv-columns.js'

const SID_PROTO = 1
const SID_FLOW_TYPE = 257
const SID_DIRECTION = 289
const SID_DYNAMIC = 320

export function escapeTsv(s: string): string {
  return /[\t\n\\]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
    : s
}

/**
 * Longest text stored, in UTF-16 code units: its escaped UTF-8 form stays within the
 * formatter's per-string bound (assembly/tsv.ts STRING_MAX_BYTES).
 */
export const STRING_MAX_CHARS = 256

/** `s` cut to STRING_MAX_CHARS, never inside a surrogate pair. */
function capped(s: string): string {
  if (s.length <= STRING_MAX_CHARS) return s
  const last = s.charCodeAt(STRING_MAX_CHARS - 1)
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? STRING_MAX_CHARS - 1 : STRING_MAX_CHARS)
}

export interface StringTableMemory {
  bytes(): Uint8Array
  indexAt: number
  arenaAt: number
  capacity: number
  arenaBytes: number
}

export class StringTable {
  readonly #m: StringTableMemory
  readonly #ids = new Map<string, number>()
  /** Text by id (fixed and dynamic), for readers of the records (traffic metrics). */
  readonly #texts: string[] = []
  readonly #encoder = new TextEncoder()
  #next = SID_DYNAMIC
  #arenaUsed = 0
  /** Strings that did not fit (stored as empty) since the last reset. */
  overflows = 0
  /** Times the table was cleared to make room. */
  resets = 0

  constructor(m: StringTableMemory) {
    this.#m = m
    for (let p = 0; p < 256; p++) this.#put(SID_PROTO + p, protocolName(p))
    for (const [code, name] of Object.entries(FLOW_TYPES))
      this.#put(SID_FLOW_TYPE + Number(code), name)
    DIRECTIONS.forEach((d, i) => this.#put(SID_DIRECTION + i, d))
    this.#resetDynamic()
  }

  #resetDynamic(): void {
    this.#ids.clear()
    this.#texts.length = Math.min(this.#texts.length, SID_DYNAMIC)
    this.#next = SID_DYNAMIC
    this.#arenaUsed = this.#fixedArena
  }
  #fixedArena = 0

  #put(id: number, text: string): boolean {
    const mem = this.#m.bytes()
    const kept = capped(text)
    const escaped = escapeTsv(kept)
    const room = this.#m.arenaBytes - this.#arenaUsed
    if (room < escaped.length * 3) return false
    const { written } = this.#encoder.encodeInto(
      escaped,
      mem.subarray(this.#m.arenaAt + this.#arenaUsed, this.#m.arenaAt + this.#m.arenaBytes),
    )
    const dv = new DataView(mem.buffer)
    dv.setUint32(this.#m.indexAt + id * 8, this.#arenaUsed, true)
    dv.setUint32(this.#m.indexAt + id * 8 + 4, written, true)
    this.#arenaUsed += written
    this.#texts[id] = kept
    if (id < SID_DYNAMIC) this.#fixedArena = this.#arenaUsed
    return true
  }

  /** The id of `text` (0 for the empty string or when the table is full). */
  id(text: string): number {
    if (text === '') return 0
    const known = this.#ids.get(text)
    if (known !== undefined) return known
    if (this.#next >= this.#m.capacity || !this.#put(this.#next, text)) {
      this.overflows++
      return 0
    }
    const id = this.#next++
    this.#ids.set(text, id)
    return id
  }

  /** The text of an id handed out since the last reset ('' for 0 or unknown ids). */
  text(id: number): string {
    return this.#texts[id] ?? ''
  }

  /**
   * Make room between batches: clear the dynamic strings once the table is more than
   * `fill` full (ids handed out before are invalid afterwards).
   */
  compact(fill = 0.75): void {
    const full = this.#next > this.#m.capacity * fill || this.#arenaUsed > this.#m.arenaBytes * fill
    if (full) {
      this.#resetDynamic()
      this.resets++
    }
  }
}
