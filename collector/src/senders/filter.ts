// The listeners' check in authorized-only mode: is this datagram's source a registered,
// enabled sender? One Map lookup per datagram: the answer is cached per source text as
// the socket reports it (exporters are few), and the cache is dropped on every change.
import { rateLimited, type Logger } from '../observability/log.js'
import { canonicalSender } from './address.js'
import type { SenderMetrics } from './metrics.js'
import type { Sender } from './fields.js'

const MAX_CACHED = 65_536

export type SourceCheck = (address: string, listener: string) => boolean

export interface SenderFilter {
  accept: SourceCheck
  /** Take the registry as it is now (after a change). */
  reload(senders: readonly Sender[]): void
}

export function createSenderFilter(m: SenderMetrics, log: Logger): SenderFilter {
  let allowed = new Set<string>()
  const cache = new Map<string, boolean>()
  const complain = rateLimited(log)
  return {
    reload(senders) {
      allowed = new Set(senders.filter((s) => s.enabled).map((s) => s.address))
      cache.clear()
    },
    accept(address, listener) {
      let ok = cache.get(address)
      if (ok === undefined) {
        if (cache.size >= MAX_CACHED) cache.clear()
        const key = canonicalSender(address)
        ok = key !== null && allowed.has(key)
        cache.set(address, ok)
      }
      if (!ok) {
        m.rejected.inc({ listener })
        // One key per listener: spoofed sources cannot grow the limiter's state.
        complain(
          `rejected:${listener}`,
          'datagram from a sender that is not registered (or is disabled): dropped',
          { listener, address },
        )
      }
      return ok
    },
  }
}
