// Learned host names from two sources, merged before they are published: the name a
// client asked for (Pi-hole / dnsmasq query log) beats the PTR answer. Keys are
// canonical addresses. Static aliases win over both, in the workers.
import type { DynamicEnrichment } from './dynamic/index.js'
import { canonicalAddr } from './ip.js'

export type NameSource = 'asked' | 'ptr'

export class HostNames {
  readonly #dynamic: DynamicEnrichment
  readonly #asked = new Map<string, string>()
  readonly #ptr = new Map<string, string>()
  readonly #maxAsked: number

  constructor(dynamic: DynamicEnrichment, maxAsked = 100_000) {
    this.#dynamic = dynamic
    this.#maxAsked = maxAsked
  }

  get askedSize(): number {
    return this.#asked.size
  }

  /** A name for an address from one source; null forgets what that source said. */
  set(source: NameSource, addr: string, name: string | null): void {
    const key = canonicalAddr(addr)
    if (key === null) return
    const m = source === 'asked' ? this.#asked : this.#ptr
    m.delete(key)
    if (name !== null) m.set(key, name)
    if (this.#asked.size > this.#maxAsked) {
      const [oldest] = this.#asked.keys()
      if (oldest !== undefined) {
        this.#asked.delete(oldest)
        this.#publish(oldest)
      }
    }
    this.#publish(key)
  }

  #publish(key: string): void {
    this.#dynamic.setHostName(key, this.#asked.get(key) ?? this.#ptr.get(key) ?? null)
  }
}
