// Answers of the reverse-DNS component by address, each with its expiry, bounded: the
// oldest entry goes first. Expired entries are handed back by sweep(); nextExpiry() says
// when the next one is due, so the owner sweeps then instead of on a fixed tick.
export interface Answer<V> {
  value: V
  expires: number
}

export class TtlCache<V> {
  readonly #max: number
  readonly #map = new Map<string, Answer<V>>()
  /** No entry expires before this (exact after a sweep, possibly early after a removal). */
  #next = Infinity
  constructor(max: number) {
    this.#max = max
  }
  get size(): number {
    return this.#map.size
  }
  has(key: string): boolean {
    return this.#map.has(key)
  }
  get(key: string): Answer<V> | undefined {
    return this.#map.get(key)
  }
  /** Store; returns the entries pushed out to stay within the bound. */
  set(key: string, value: V, expires: number): Array<[string, V]> {
    this.#map.delete(key)
    this.#map.set(key, { value, expires })
    if (expires < this.#next) this.#next = expires
    const out: Array<[string, V]> = []
    for (const [k, a] of this.#map) {
      if (this.#map.size <= this.#max) break
      this.#map.delete(k)
      out.push([k, a.value])
    }
    return out
  }
  /** Remove and return the entries that expired by `now`. */
  sweep(now: number): Array<[string, V]> {
    const out: Array<[string, V]> = []
    let next = Infinity
    for (const [k, a] of this.#map) {
      if (a.expires <= now) {
        this.#map.delete(k)
        out.push([k, a.value])
      } else if (a.expires < next) next = a.expires
    }
    this.#next = next
    return out
  }
  /** When the earliest entry expires (never early by more than removals allow); Infinity when empty. */
  nextExpiry(): number {
    return this.#map.size === 0 ? Infinity : this.#next
  }
  clear(): void {
    this.#map.clear()
    this.#next = Infinity
  }
}
