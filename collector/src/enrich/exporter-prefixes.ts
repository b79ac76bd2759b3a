// enrich.exporter_prefixes: each exporter's own local (monitored) prefixes, as a mapping
// of exporter IP -> list of CIDRs. Published through the dynamic channel at start, the
// same way the senders API sets them at run time.
import { ConfigError, isMapping } from '../config/index.js'
import { canonicalAddr, parseCidr } from '../addresses/ip.js'

/** Validated map with canonical exporter keys; messages name the path and the value. */
export function parseExporterPrefixes(
  value: unknown,
  path: string,
  src = '',
): Record<string, string[]> {
  if (value === undefined || value === null) return {}
  if (!isMapping(value))
    throw new ConfigError(`${path} must be a mapping of exporter IP: [CIDR, ...]${src}`)
  const out: Record<string, string[]> = {}
  for (const [ip, list] of Object.entries(value)) {
    const key = canonicalAddr(ip.trim())
    if (key === null) throw new ConfigError(`${path}.${ip} is not an IP address${src}`)
    if (!Array.isArray(list)) throw new ConfigError(`${path}.${ip} must be a list of CIDRs${src}`)
    out[key] = list.map((c: unknown, k) => {
      if (typeof c !== 'string' || parseCidr(c) === null)
        throw new ConfigError(`${path}.${ip}[${k}] is not a CIDR, got ${JSON.stringify(c)}${src}`)
      return c.trim()
    })
  }
  return out
}
