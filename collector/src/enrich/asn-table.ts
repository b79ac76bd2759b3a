// AS number and name by address range, from the CSV files of @ip-location-db/asn
// (start,end,asn,name; inclusive ranges sorted by start). Built once on the main thread
// into SharedArrayBuffer-backed typed arrays; workers receive the same memory through
// workerData and binary-search it, so the table exists once however many workers run.
import { readFileSync } from 'node:fs'
import { parseAddr, parseV4, type ParsedAddr } from '../addresses/ip.js'

/** Plain data that crosses to workers (SharedArrayBuffers are shared, not copied). */
export interface AsnTableData {
  v4Start: Uint32Array
  v4End: Uint32Array
  v4Row: Uint32Array
  /** Four words per range, big-endian word order. */
  v6Start: Uint32Array
  v6End: Uint32Array
  v6Row: Uint32Array
  /** Distinct (asn, name) rows: asn and byte span of the name in `names`. */
  rowAsn: Uint32Array
  rowNameAt: Uint32Array
  names: Uint8Array
}

function shared32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)))
}

/** Split one CSV line into at most 4 fields (the name may be quoted with commas). */
function fields(line: string): [string, string, string, string] | null {
  const a = line.indexOf(',')
  const b = line.indexOf(',', a + 1)
  const c = line.indexOf(',', b + 1)
  if (a < 0 || b < 0 || c < 0) return null
  let name = line.slice(c + 1)
  if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replace(/""/g, '"')
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), name]
}

class RowInterner {
  asns: number[] = []
  nameAt: number[] = [0]
  #bytes: Buffer[] = []
  #size = 0
  #index = new Map<string, number>()
  row(asn: number, name: string): number {
    const key = `${asn}|${name}`
    let r = this.#index.get(key)
    if (r === undefined) {
      r = this.asns.length
      this.#index.set(key, r)
      this.asns.push(asn)
      const b = Buffer.from(name)
      this.#bytes.push(b)
      this.#size += b.length
      this.nameAt.push(this.#size)
    }
    return r
  }
  names(): Uint8Array {
    const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, this.#size)))
    let at = 0
    for (const b of this.#bytes) {
      out.set(b, at)
      at += b.length
    }
    return out
  }
}

/** Each line of a text file, without building an array of them. */
function forEachLine(file: string, f: (line: string) => void): number {
  const text = readFileSync(file, 'utf8')
  let n = 0
  for (let at = 0; at < text.length;) {
    let nl = text.indexOf('\n', at)
    if (nl < 0) nl = text.length
    if (nl > at) {
      f(text.slice(at, nl))
      n++
    }
    at = nl + 1
  }
  return n
}

function lineCount(file: string): number {
  const b = readFileSync(file)
  let n = 1
  for (let k = b.indexOf(10); k >= 0; k = b.indexOf(10, k + 1)) n++
  return n
}

/** Load the IPv4 and IPv6 CSV files (either may be null). Throws on unreadable files. */
export function loadAsnCsv(v4File: string | null, v6File: string | null): AsnTableData {
  const rows = new RowInterner()
  const max4 = v4File ? lineCount(v4File) : 0
  const max6 = v6File ? lineCount(v6File) : 0
  const v4Start = shared32(max4)
  const v4End = shared32(max4)
  const v4Row = shared32(max4)
  let n4 = 0
  if (v4File) {
    forEachLine(v4File, (line) => {
      const f = fields(line)
      if (!f) return
      const s = parseV4(f[0])
      const e = parseV4(f[1])
      if (s === null || e === null) return
      v4Start[n4] = s
      v4End[n4] = e
      v4Row[n4++] = rows.row(Number(f[2]), f[3])
    })
  }
  const v6Start = shared32(max6 * 4)
  const v6End = shared32(max6 * 4)
  const v6Row = shared32(max6)
  let n6 = 0
  if (v6File) {
    forEachLine(v6File, (line) => {
      const f = fields(line)
      if (!f) return
      const s = parseAddr(f[0])
      const e = parseAddr(f[1])
      if (!s || !e || !('v6' in s) || !('v6' in e)) return
      v6Start.set(s.v6, 4 * n6)
      v6End.set(e.v6, 4 * n6)
      v6Row[n6++] = rows.row(Number(f[2]), f[3])
    })
  }
  // Views of the filled part; the unused tail (blank lines) is a few bytes.
  const t: AsnTableData = {
    v4Start: v4Start.subarray(0, n4),
    v4End: v4End.subarray(0, n4),
    v4Row: v4Row.subarray(0, n4),
    v6Start: v6Start.subarray(0, 4 * n6),
    v6End: v6End.subarray(0, 4 * n6),
    v6Row: v6Row.subarray(0, n6),
    rowAsn: shared32(rows.asns.length),
    rowNameAt: shared32(rows.nameAt.length),
    names: rows.names(),
  }
  t.rowAsn.set(rows.asns)
  t.rowNameAt.set(rows.nameAt)
  return t
}

export function asnTableBytes(t: AsnTableData): number {
  let n = 0
  for (const a of Object.values(t) as (Uint32Array | Uint8Array)[]) n += a.byteLength
  return n
}

function cmp6(a: Uint32Array, at: number, w: readonly number[]): number {
  for (let k = 0; k < 4; k++) {
    const x = a[4 * at + k] ?? 0
    const y = w[k] ?? 0
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

const decoder = new TextDecoder()

export class AsnTable {
  readonly #t: AsnTableData
  constructor(t: AsnTableData) {
    this.#t = t
  }

  /** Row index of the range holding `a`, or -1. */
  #find(a: ParsedAddr): number {
    const t = this.#t
    if ('v4' in a) {
      let lo = 0
      let hi = t.v4Start.length - 1
      let found = -1
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1
        if ((t.v4Start[mid] ?? 0) <= a.v4) {
          found = mid
          lo = mid + 1
        } else hi = mid - 1
      }
      return found >= 0 && a.v4 <= (t.v4End[found] ?? 0) ? (t.v4Row[found] ?? -1) : -1
    }
    let lo = 0
    let hi = t.v6Row.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (cmp6(t.v6Start, mid, a.v6) <= 0) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found >= 0 && cmp6(t.v6End, found, a.v6) >= 0 ? (t.v6Row[found] ?? -1) : -1
  }

  lookup(a: ParsedAddr): { asn: number; name: string } | null {
    const r = this.#find(a)
    if (r < 0) return null
    const t = this.#t
    const from = t.rowNameAt[r] ?? 0
    const to = t.rowNameAt[r + 1] ?? from
    // TextDecoder refuses views of shared memory: copy the few bytes out.
    return { asn: t.rowAsn[r] ?? 0, name: decoder.decode(t.names.slice(from, to)) }
  }
}
