// What the main thread hands each decode worker (through piscina workerData) so the
// worker can enrich rows itself: file paths (it opens its own mmdb readers), the shared
// ASN range table and the static maps. Plain data only: it is structured-cloned, and the
// SharedArrayBuffers inside are shared, not copied.
import type { AnonymiseWorkerData } from '../anonymise/index.js'
import type { AsnTableData } from './asn-table.js'

export interface EnrichWorkerData {
  /** MaxMind-format country database, or null. */
  countryDb: string | null
  /** MaxMind-format ASN database (user-supplied), or null. */
  asnDb: string | null
  /** Bundled ASN ranges, used when no ASN database file is given. */
  asnTable: AsnTableData | null
  /** Int32Array over a SharedArrayBuffer: [0] bumps when a database file changed. */
  generation: SharedArrayBuffer
  localPrefixes: string[]
  hostAliases: Record<string, string>
  interfaces: Record<string, Record<string, string>>
  /** The dynamic-enrichment journal (dynamic/journal.ts); absent in tools without one. */
  dynamic?: SharedArrayBuffer
  /** Addresses without a host name reported per batch for reverse DNS; 0 or absent: none. */
  reportUnnamed?: number
  /** Store addresses anonymised (anonymise/); absent: in clear. */
  anonymise?: AnonymiseWorkerData
}
