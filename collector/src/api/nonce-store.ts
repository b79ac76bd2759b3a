// Signatures of accepted HMAC requests, remembered until their timestamp leaves the
// window, so a captured request cannot be replayed, not even after a restart: kept in a
// small file under data_dir (hmac-nonces.json), rewritten atomically (temp file +
// rename) after each accepted request. Bounded: the oldest entries go first.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'

export interface NonceStore {
  /** True (and remembered) when `sig` was not seen; false for a replay. */
  claim(sig: string, timestamp: number, now: number): boolean
  readonly size: number
}

export interface NonceStoreOptions {
  /** File to keep the signatures in; null keeps them in memory only. */
  file: string | null
  /** Seconds an entry is kept after its timestamp (the past window). */
  windowSeconds: number
  /** Entries kept at most (default 10,000: ~1 MB of file). */
  max?: number
  /** A read or write failed: the store goes on in memory. */
  onError?(op: 'read' | 'write', err: Error): void
}

export function createNonceStore(o: NonceStoreOptions): NonceStore {
  const max = o.max ?? 10_000
  // signature -> timestamp, in insertion order.
  const seen = new Map<string, number>()
  if (o.file !== null) {
    try {
      const doc = JSON.parse(readFileSync(o.file, 'utf8')) as unknown
      if (Array.isArray(doc)) {
        for (const e of doc) {
          if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number') continue
          if (/^[0-9a-f]{64}$/.test(e[0])) seen.set(e[0], e[1])
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') o.onError?.('read', err as Error)
    }
  }
  const prune = (now: number): void => {
    for (const [s, t] of seen) {
      if (t >= now - o.windowSeconds && seen.size <= max) continue
      seen.delete(s)
    }
  }
  const save = (): void => {
    if (o.file === null) return
    const tmp = `${o.file}.tmp`
    try {
      writeFileSync(tmp, JSON.stringify([...seen]), { mode: 0o600 })
      renameSync(tmp, o.file)
    } catch (err) {
      o.onError?.('write', err as Error)
    }
  }
  return {
    claim(sig, timestamp, now) {
      if (seen.has(sig)) return false
      seen.set(sig, timestamp)
      prune(now)
      save()
      return true
    },
    get size() {
      return seen.size
    },
  }
}
