// The host side of the WASM string table (assembly/rows/strings.ts): hands out ids for the
// text columns' values, writing each distinct string once into WASM memory in both of
// the formatters' forms: TSV-escaped, and as a RowBinary String (LEB128 length, then
// the bytes). Fixed ids name protocols, flow types and directions.
import { FLOW_TYPES } from './flow-type.js'
import { protocolName } from './protocols.js'
import { DIRECTIONS, SID, STRING_INDEX, STRING_MAX_CHARS } from './generated/contract.js'

const SID_DYNAMIC = SID.dynamic
const INDEX_ENTRY = STRING_INDEX.entry
const BINARY_AT = STRING_INDEX.binaryAt

export function escapeTsv(s: string): string {
  return /[\t\n\\]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
    : s
}

/**
 * `s` cut to STRING_MAX_CHARS, never inside a surrogate pair: each of its UTF-8 forms (at
 * most 3 bytes per unit, escaped or length-prefixed) stays within the formatters'
 * per-string bound (STRING_MAX_BYTES in WASM, from the same contract).
 */
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
    for (let p = 0; p < 256; p++) this.#put(SID.proto + p, protocolName(p))
    for (const [code, name] of Object.entries(FLOW_TYPES))
      this.#put(SID.flowType + Number(code), name)
    DIRECTIONS.forEach((d, i) => this.#put(SID.direction + i, d))
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
    if (room < (escaped.length + kept.length) * 3 + 2) return false
    const arena = mem.subarray(this.#m.arenaAt, this.#m.arenaAt + this.#m.arenaBytes)
    const dv = new DataView(mem.buffer)
    const entry = this.#m.indexAt + id * INDEX_ENTRY
    // TSV form.
    const tsvAt = this.#arenaUsed
    const tsvLen = this.#encoder.encodeInto(escaped, arena.subarray(tsvAt)).written
    dv.setUint32(entry, tsvAt, true)
    dv.setUint32(entry + 4, tsvLen, true)
    // RowBinary form: the raw bytes after a LEB128 length (two bytes at most: the
    // bytes are fewer than 2^14), moved down when the length takes one byte.
    const binAt = tsvAt + tsvLen
    const rawLen = this.#encoder.encodeInto(kept, arena.subarray(binAt + 2)).written
    let head = 2
    if (rawLen < 0x80) {
      arena[binAt] = rawLen
      arena.copyWithin(binAt + 1, binAt + 2, binAt + 2 + rawLen)
      head = 1
    } else {
      arena[binAt] = (rawLen & 0x7f) | 0x80
      arena[binAt + 1] = rawLen >> 7
    }
    dv.setUint32(entry + BINARY_AT, binAt, true)
    dv.setUint32(entry + BINARY_AT + 4, head + rawLen, true)
    this.#arenaUsed = binAt + head + rawLen
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
