// Which prefixes decide the direction of an exporter's flows: the ones the operator gave
// (enrich.exporter_prefixes, a sender's prefixes) take precedence; the learned ones
// (learned-prefixes/) count only for an exporter that has none of its own. The result
// is what the decode workers get through the dynamic channel.
import { canonicalAddr } from '../addresses/ip.js'

/** Where effective prefixes go (the dynamic publisher). */
export interface PrefixSink {
  setExporterPrefixes(exporter: string, prefixes: readonly string[]): void
}

export interface ExporterPrefixLayers {
  /** The operator's prefixes of an exporter (config, senders); [] means none. */
  setExplicit(exporter: string, prefixes: readonly string[]): void
  /** What was learned for an exporter; [] forgets it. */
  setLearned(exporter: string, prefixes: readonly string[]): void
  /** Whether the operator gave prefixes for this exporter (learning skips it). */
  hasExplicit(exporter: string): boolean
  /** The prefixes in effect for an exporter ([] when none). */
  effective(exporter: string): readonly string[]
}

function key(exporter: string): string {
  const k = canonicalAddr(exporter.trim())
  if (k === null)
    throw new RangeError(`setExporterPrefixes: ${JSON.stringify(exporter)} is not an IP address`)
  return k
}

export function createPrefixLayers(sink: PrefixSink): ExporterPrefixLayers {
  const explicit = new Map<string, readonly string[]>()
  const learned = new Map<string, readonly string[]>()
  const effective = (k: string): readonly string[] => explicit.get(k) ?? learned.get(k) ?? []
  const put = (m: Map<string, readonly string[]>, k: string, list: readonly string[]): void => {
    if (list.length === 0) m.delete(k)
    else m.set(k, [...list])
  }
  return {
    setExplicit(exporter, prefixes) {
      const k = key(exporter)
      // Validated by the sink first: a refused list changes nothing here.
      const before = explicit.get(k)
      put(explicit, k, prefixes)
      try {
        sink.setExporterPrefixes(k, effective(k))
      } catch (err) {
        if (before) explicit.set(k, before)
        else explicit.delete(k)
        throw err
      }
    },
    setLearned(exporter, prefixes) {
      const k = key(exporter)
      put(learned, k, prefixes)
      if (!explicit.has(k)) sink.setExporterPrefixes(k, effective(k))
    },
    hasExplicit: (exporter) => {
      const k = canonicalAddr(exporter.trim())
      return k !== null && explicit.has(k)
    },
    effective: (exporter) => {
      const k = canonicalAddr(exporter.trim())
      return k === null ? [] : effective(k)
    },
  }
}
