// Flow direction from the operator's own prefixes. A lookup object per prefix set, so
// per-exporter sets can be added later by choosing the set from the exporter address.
import type { Direction } from '@flowloft/decoder-wasm'
import { parseCidr, prefixContains, type ParsedAddr, type Prefix } from './ip.js'

export type { Direction }

export class LocalPrefixes {
  readonly #prefixes: Prefix[]
  constructor(cidrs: readonly string[]) {
    this.#prefixes = cidrs.map((c) => {
      const p = parseCidr(c)
      if (!p) throw new Error(`not a CIDR: ${c}`)
      return p
    })
  }
  get empty(): boolean {
    return this.#prefixes.length === 0
  }
  contains(a: ParsedAddr): boolean {
    for (const p of this.#prefixes) if (prefixContains(p, a)) return true
    return false
  }
}

export function direction(configured: boolean, srcLocal: boolean, dstLocal: boolean): Direction {
  if (!configured) return 'unknown'
  if (srcLocal) return dstLocal ? 'internal' : 'outbound'
  return dstLocal ? 'inbound' : 'transit'
}
