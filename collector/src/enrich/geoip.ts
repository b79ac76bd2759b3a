// Reading MaxMind-format databases (GeoLite2, DB-IP, ip-location-db) with `maxmind`.
// Field names differ by vendor: GeoLite2 nests `country.iso_code`, ip-location-db has a
// flat `country_code`; ASN files carry `autonomous_system_number/_organization`.
import { readFileSync } from 'node:fs'
import { Reader, type Response } from 'maxmind'

type Rec = Record<string, unknown>

export function openMmdb(path: string): Reader<Response> {
  return new Reader<Response>(readFileSync(path))
}

export function countryOf(rec: unknown): string {
  if (rec === null || typeof rec !== 'object') return ''
  const r = rec as Rec
  if (typeof r['country_code'] === 'string') return r['country_code']
  for (const k of ['country', 'registered_country']) {
    const c = r[k] as Rec | undefined
    if (c && typeof c['iso_code'] === 'string') return c['iso_code']
  }
  return ''
}

export function asnOf(rec: unknown): { asn: number; name: string } | null {
  if (rec === null || typeof rec !== 'object') return null
  const r = rec as Rec
  const asn = r['autonomous_system_number']
  if (typeof asn !== 'number') return null
  const name = r['autonomous_system_organization']
  return { asn, name: typeof name === 'string' ? name : '' }
}
