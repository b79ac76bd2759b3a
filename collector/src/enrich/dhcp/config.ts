// The `enrich.dhcp.leases` list: lease files to follow, each `{path, format}` with format
// dnsmasq (also Pi-hole's DHCP), isc (dhcpd.leases) or kea (memfile CSV). A bare string
// is a dnsmasq lease file. Validated here; every wrong key of an entry is named at once.
import { bool, ConfigError, isMapping, section, setting } from '../../config/index.js'

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

/** The lease files of `enrich.dhcp.leases`; messages name the entry and every wrong key. */
export function parseLeaseFiles(value: unknown, path: string, src: string): LeaseFile[] {
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
    const written = e['format'] ?? 'dnsmasq'
    const format = LEASE_FORMATS.find((f) => f === written)
    if (format === undefined)
      problems.push(`format must be ${LEASE_FORMATS.join(', ')}, got ${JSON.stringify(written)}`)
    if (problems.length > 0 || format === undefined)
      throw new ConfigError(`${at}: ${problems.join('; ')} (keys: ${KEYS.join(', ')})${src}`)
    const p = String(file).trim()
    if (seen.has(p)) throw new ConfigError(`${at}.path: ${p} is listed twice${src}`)
    seen.add(p)
    return { path: p, format }
  })
}

const leases = setting({
  path: 'enrich.dhcp.leases',
  default: [],
  text: 'list',
  parse: (value, at) => parseLeaseFiles(value, at.path, at.src),
  help: 'DHCP lease files to follow: paths (dnsmasq format) or {path, format: dnsmasq | isc | kea}; the leased addresses get the device names (beat DNS-learned names, not host_aliases)',
})
const vendorNames = bool({
  path: 'enrich.dhcp.vendor_names',
  default: true,
  help: 'name a leased device that gave no host name after its hardware vendor (IEEE OUI list), e.g. apple-3a4f',
})

export const DHCP = section([leases, vendorNames], (v): DhcpConfig => ({
  leases: v.get(leases),
  vendorNames: v.get(vendorNames),
}))
