// The `enrich.dhcp.leases` list: lease files to follow, each `{path, format}` with format
// dnsmasq (also Pi-hole's DHCP), isc (dhcpd.leases) or kea (memfile CSV). A bare string
// is a dnsmasq lease file. Validated here; every wrong key of an entry is named at once.
import { ConfigError } from '../../config/errors.js'
import { isMapping } from '../../config/mapping.js'

export const LEASE_FORMATS = ['dnsmasq', 'isc', 'kea'] as const
export type LeaseFormat = (typeof LEASE_FORMATS)[number]

export interface LeaseFile {
  path: string
  format: LeaseFormat
}

export interface DhcpConfig {
  leases: LeaseFile[]
  /** Name a device that gave no host name after its hardware vendor (`apple-3a4f`). */
  vendorNames: boolean
}

const KEYS = ['path', 'format']

/** Validated entries, each as a mapping (what the flat configuration keeps). */
export function parseLeaseFiles(
  value: unknown,
  path: string,
  src: string,
): Record<string, unknown>[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value))
    throw new ConfigError(`${path} must be a list of {path, format} lease files${src}`)
  const seen = new Set<string>()
  return value.map((entry: unknown, k) => {
    const at = `${path}[${k}]`
    const e: Record<string, unknown> = isMapping(entry) ? entry : { path: entry }
    const problems: string[] = []
    for (const key of Object.keys(e)) if (!KEYS.includes(key)) problems.push(`unknown key ${key}`)
    const file = e['path']
    if (typeof file !== 'string' || file.trim() === '')
      problems.push(`path must be a file path, got ${JSON.stringify(file)}`)
    const format = e['format'] ?? 'dnsmasq'
    if (typeof format !== 'string' || !(LEASE_FORMATS as readonly string[]).includes(format))
      problems.push(`format must be ${LEASE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`)
    if (problems.length > 0)
      throw new ConfigError(`${at}: ${problems.join('; ')} (keys: ${KEYS.join(', ')})${src}`)
    const p = String(file).trim()
    if (seen.has(p)) throw new ConfigError(`${at}.path: ${p} is listed twice${src}`)
    seen.add(p)
    return { path: p, format }
  })
}

/** The typed entries from the validated list. */
export function leaseFiles(list: readonly Record<string, unknown>[]): LeaseFile[] {
  return list.map((e) => ({ path: String(e['path']), format: e['format'] as LeaseFormat }))
}
