// Answers of the reverse-DNS component by address, each with its expiry, bounded: the
// oldest entry goes first. Expired entries are handed back by sweep().
export interface Answer<V> {
  value: V
  expires: number
}

export class TtlCache<V> {
  readonly #max: number
  readonly #map = new Map<string, Answer<V>>()
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
    for (const [k, a] of this.#map) {
      if (a.expires <= now) {
        this.#map.delete(k)
        out.push([k, a.value])
      }
    }
    return out
  }
  clear(): void {
    this.#map.clear()
  }
}
