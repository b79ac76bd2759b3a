// Learned host names from three sources, merged before they are published: the device
// name from a DHCP lease beats the name a client asked for (Pi-hole / dnsmasq query log),
// which beats the PTR answer. Keys are canonical addresses. Static aliases win over all,
// in the workers.
import type { DynamicEnrichment } from './dynamic/index.js'
import { canonicalAddr } from '../addresses/ip.js'

export type NameSource = 'dhcp' | 'asked' | 'ptr'

export class HostNames {
  readonly #dynamic: DynamicEnrichment
  readonly #dhcp = new Map<string, string>()
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
    const m = source === 'dhcp' ? this.#dhcp : source === 'asked' ? this.#asked : this.#ptr
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
    const name = this.#dhcp.get(key) ?? this.#asked.get(key) ?? this.#ptr.get(key)
    this.#dynamic.setHostName(key, name ?? null)
  }
}
