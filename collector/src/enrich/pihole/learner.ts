// Address -> the name a client asked for, from query-log lines in order: an address in
// an answer belongs to the query with the same serial number (log-queries=extra), so a
// CNAME chain ends at the name that was asked, not at the CDN's name. Without serial
// numbers an answer belongs to the latest query.
import { isIP } from 'node:net'
import type { LogLine } from './parse.js'

const ADDRESS_QUERIES = new Set(['A', 'AAAA'])
const NOT_HOSTS = new Set(['0.0.0.0', '::'])
const OPEN_MAX = 4096

export class AskedNames {
  readonly #open = new Map<number, string>()
  #latest: string | null = null

  /** The (address, asked name) pair the line teaches, or null. */
  learn(l: LogLine): [addr: string, name: string] | null {
    if (l.kind === 'query') {
      const name = ADDRESS_QUERIES.has(l.type) ? l.name.toLowerCase() : null
      if (l.serial === null) {
        this.#latest = name
      } else if (name !== null) {
        this.#open.delete(l.serial)
        this.#open.set(l.serial, name)
        if (this.#open.size > OPEN_MAX) {
          const [oldest] = this.#open.keys()
          if (oldest !== undefined) this.#open.delete(oldest)
        }
      }
      return null
    }
    if (l.kind !== 'answer' || isIP(l.value) === 0 || NOT_HOSTS.has(l.value)) return null
    const asked = l.serial === null ? this.#latest : this.#open.get(l.serial)
    return asked ? [l.value, asked] : null
  }
}
