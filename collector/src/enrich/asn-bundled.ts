// The ASN ranges bundled with the package (@ip-location-db/asn): where the CSV files and
// the table file prebuilt from them by `npm run build` are, and loading whichever is usable.
import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { loadAsnCsv, type AsnTableData } from './asn-table.js'
import { readAsnTableFile } from './asn-table-file.js'

const require = createRequire(import.meta.url)

/** Written by the build beside the compiled code (dist/enrich/), never committed. */
export const PREBUILT_ASN_TABLE = fileURLToPath(new URL('asn-table.bin', import.meta.url))

export interface AsnSources {
  v4: string | null
  v6: string | null
  /** Package version and file sizes: a table built from other files is not used. */
  fingerprint: string
}

function resolve(spec: string): string | null {
  try {
    return require.resolve(spec)
  } catch {
    return null
  }
}

/** The bundled CSV files, or null when the package is not installed. */
export function bundledAsnSources(): AsnSources | null {
  const v4 = resolve('@ip-location-db/asn/asn-ipv4.csv')
  const v6 = resolve('@ip-location-db/asn/asn-ipv6.csv')
  if (!v4 && !v6) return null
  const pkg = resolve('@ip-location-db/asn/package.json')
  const version = pkg ? String((require(pkg) as { version?: unknown }).version) : '?'
  const size = (f: string | null): number => {
    try {
      return f ? statSync(f).size : 0
    } catch {
      return -1
    }
  }
  return { v4, v6, fingerprint: `@ip-location-db/asn@${version} ${size(v4)} ${size(v6)}` }
}

export interface LoadedAsnTable {
  table: AsnTableData
  source: 'prebuilt' | 'csv'
  /** Why the prebuilt file was not used (source csv). */
  reason?: string
}

/** The prebuilt table when it matches the CSV files, else the CSV files parsed now. Throws on unreadable CSV. */
export function loadBundledAsn(src: AsnSources, prebuilt = PREBUILT_ASN_TABLE): LoadedAsnTable {
  const t = readAsnTableFile(prebuilt, src.fingerprint)
  if (typeof t !== 'string') return { table: t, source: 'prebuilt' }
  return { table: loadAsnCsv(src.v4, src.v6), source: 'csv', reason: t }
}
