// Mutations of real datagrams for the robustness suite (conformance.ts) and the fuzzer
// (collector/test/fuzz): byte sets, bit flips, cuts, extensions, hostile length and
// count words, and splices of sets or chunks from other datagrams of the same protocol.
// Every choice comes from the given random source, so a seed reproduces a datagram.

export type Random = () => number

/** Words that break length and count arithmetic: overflow, sign, zero, just past. */
export const HOSTILE_WORDS = [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffc, 0x10000, 0x1000, 0]

const below = (rnd: Random, n: number): number => Math.floor(rnd() * n)

/**
 * Set 1 to 4 bytes of `b` in place (0xff, 0 or a random value), pushing each position
 * and its old value onto `undo` so restore() puts them back.
 */
export function scribble(b: Uint8Array, rnd: Random, undo: number[]): void {
  const n = 1 + below(rnd, 4)
  for (let k = 0; k < n; k++) {
    const at = below(rnd, b.byteLength)
    undo.push(at, b[at] ?? 0)
    const r = rnd()
    b[at] = r < 0.25 ? 0xff : r < 0.35 ? 0 : below(rnd, 256)
  }
}

/** Undo scribble() (last change first, so repeated positions end up right). */
export function restore(b: Uint8Array, undo: number[]): void {
  while (undo.length > 0) {
    const old = undo.pop() ?? 0
    b[undo.pop() ?? 0] = old
  }
}

/** The length to keep: now and then (one in ten) a cut somewhere inside. */
export function cutLength(length: number, rnd: Random): number {
  return rnd() < 0.1 ? below(rnd, length) : length
}

/** Where a v9 / IPFIX datagram's sets start, and how to read their headers. */
export interface SetFraming {
  /** Bytes of the datagram header before the first set (v9 20, IPFIX 16). */
  headerLength: number
}

/** Sets of a v9 / IPFIX datagram (each with its 4-byte header), as long as they parse. */
export function splitSets(dg: Uint8Array, f: SetFraming): Uint8Array[] {
  const dv = new DataView(dg.buffer, dg.byteOffset, dg.byteLength)
  const out: Uint8Array[] = []
  let p = f.headerLength
  while (p + 4 <= dg.byteLength) {
    const len = dv.getUint16(p + 2)
    if (len < 4 || p + len > dg.byteLength) break
    out.push(dg.subarray(p, p + len))
    p += len
  }
  return out
}

/** What the fuzzer mutates from: seeds of one protocol, their sets when framed. */
export interface MutationPool {
  seeds: readonly Uint8Array[]
  framing?: SetFraming
  /** Every set of every seed (filled from the seeds when framing is given). */
  sets?: readonly Uint8Array[]
}

export function mutationPool(seeds: readonly Uint8Array[], framing?: SetFraming): MutationPool {
  if (!framing) return { seeds }
  return { seeds, framing, sets: seeds.flatMap((s) => splitSets(s, framing)) }
}

function pick<T>(rnd: Random, items: readonly T[]): T {
  const v = items[below(rnd, items.length)]
  if (v === undefined) throw new Error('pick from an empty list')
  return v
}

function flipBits(b: Uint8Array, rnd: Random): void {
  const n = 1 + below(rnd, 8)
  for (let k = 0; k < n && b.byteLength > 0; k++) {
    const at = below(rnd, b.byteLength)
    b[at] = (b[at] ?? 0) ^ (1 << below(rnd, 8))
  }
}

function extend(b: Uint8Array, rnd: Random): Uint8Array {
  const extra = 1 + below(rnd, rnd() < 0.5 ? 16 : 1500)
  const out = new Uint8Array(b.byteLength + extra)
  out.set(b)
  // Random bytes, or the datagram's own tail again (a repeated record or set).
  const from = below(rnd, b.byteLength + 1)
  for (let i = 0; i < extra; i++)
    out[b.byteLength + i] =
      rnd() < 0.5 ? below(rnd, 256) : (b[from + (i % Math.max(1, b.byteLength - from))] ?? 0)
  return out
}

/** A 16- or 32-bit length/count word replaced by a hostile or nearly right value. */
function editWord(b: Uint8Array, rnd: Random): void {
  if (b.byteLength < 2) return
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const wide = b.byteLength >= 4 && rnd() < 0.5
  const at = below(rnd, b.byteLength - (wide ? 3 : 1)) & ~1
  const old = wide ? dv.getUint32(at) : dv.getUint16(at)
  const r = rnd()
  const v =
    r < 0.4
      ? pick(rnd, HOSTILE_WORDS)
      : r < 0.7
        ? old + below(rnd, 9) - 4
        : r < 0.85
          ? old * 2
          : below(rnd, 64)
  if (wide) dv.setUint32(at, v >>> 0)
  else dv.setUint16(at, v & 0xffff)
}

/** Header of `b` followed by sets drawn from the whole pool (templates of one, data of another). */
function spliceSets(b: Uint8Array, pool: MutationPool, rnd: Random): Uint8Array {
  const f = pool.framing
  const sets = pool.sets
  if (!f || !sets || sets.length === 0 || b.byteLength < f.headerLength) return b
  const chosen = Array.from({ length: 1 + below(rnd, 4) }, () => pick(rnd, sets))
  const length = f.headerLength + chosen.reduce((n, s) => n + s.byteLength, 0)
  const out = new Uint8Array(length)
  out.set(b.subarray(0, f.headerLength))
  let p = f.headerLength
  for (const s of chosen) {
    out.set(s, p)
    p += s.byteLength
  }
  // IPFIX carries the message length at 2; v9 a record count there. Usually keep it right.
  if (rnd() < 0.8) {
    const dv = new DataView(out.buffer)
    dv.setUint16(2, f.headerLength === 16 ? length & 0xffff : chosen.length)
  }
  return out
}

/** A chunk of another seed written over (or into) this datagram at a random place. */
function spliceChunk(b: Uint8Array, pool: MutationPool, rnd: Random): Uint8Array {
  const other = pick(rnd, pool.seeds)
  if (other.byteLength === 0) return b
  const from = below(rnd, other.byteLength)
  const chunk = other.subarray(from, from + 1 + below(rnd, other.byteLength - from))
  const at = below(rnd, b.byteLength + 1)
  if (rnd() < 0.5) {
    const out = new Uint8Array(Math.max(b.byteLength, at + chunk.byteLength))
    out.set(b)
    out.set(chunk, at)
    return out
  }
  const out = new Uint8Array(b.byteLength + chunk.byteLength)
  out.set(b.subarray(0, at))
  out.set(chunk, at)
  out.set(b.subarray(at), at + chunk.byteLength)
  return out
}

/** One mutated datagram: a seed of the pool with one to three mutations stacked. */
export function mutate(pool: MutationPool, rnd: Random): Uint8Array {
  let b: Uint8Array = pick(rnd, pool.seeds).slice()
  const steps = 1 + below(rnd, 3)
  for (let s = 0; s < steps; s++) {
    const r = below(rnd, 8)
    if (b.byteLength === 0) b = extend(b, rnd)
    else if (r === 0) scribble(b, rnd, [])
    else if (r === 1) flipBits(b, rnd)
    else if (r === 2) b = b.subarray(0, below(rnd, b.byteLength))
    else if (r === 3) b = extend(b, rnd)
    else if (r === 4 || r === 5) editWord(b, rnd)
    else if (r === 6) b = pool.framing ? spliceSets(b, pool, rnd) : spliceChunk(b, pool, rnd)
    else b = spliceChunk(b, pool, rnd)
  }
  return b
}
