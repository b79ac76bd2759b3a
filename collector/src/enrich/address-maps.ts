// Parsers of the enrichment settings keyed by address: a list of CIDRs
// (enrich.local_prefixes), names of addresses (enrich.host_aliases) and interface names
// per exporter (enrich.interfaces). Keys come out canonical (`::ffff:10.0.0.1` is
// `10.0.0.1`); messages name the path and the value.
import { ConfigError, isMapping } from '../config/index.js'
import { canonicalAddr, parseCidr } from '../addresses/ip.js'

export function parseCidrList(value: unknown, path: string, src: string): string[] {
  if (!Array.isArray(value)) throw new ConfigError(`${path} must be a list of CIDRs${src}`)
  return value.map((v: unknown, k) => {
    if (typeof v !== 'string' || parseCidr(v) === null)
      throw new ConfigError(`${path}[${k}] is not a CIDR, got ${JSON.stringify(v)}${src}`)
    return v.trim()
  })
}

export function parseHostMap(value: unknown, path: string, src: string): Record<string, string> {
  if (!isMapping(value)) throw new ConfigError(`${path} must be a mapping of IP: name${src}`)
  const out: Record<string, string> = {}
  for (const [ip, name] of Object.entries(value)) {
    const key = canonicalAddr(ip.trim())
    if (key === null) throw new ConfigError(`${path}.${ip} is not an IP address${src}`)
    if (typeof name !== 'string' || name === '')
      throw new ConfigError(
        `${path}.${ip} must be a non-empty name, got ${JSON.stringify(name)}${src}`,
      )
    out[key] = name
  }
  return out
}

export function parseInterfaceMap(
  value: unknown,
  path: string,
  src: string,
): Record<string, Record<string, string>> {
  if (!isMapping(value))
    throw new ConfigError(`${path} must be a mapping of exporter IP: {ifIndex: name}${src}`)
  const out: Record<string, Record<string, string>> = {}
  for (const [ip, ifs] of Object.entries(value)) {
    const key = canonicalAddr(ip.trim())
    if (key === null) throw new ConfigError(`${path}.${ip} is not an IP address${src}`)
    if (!isMapping(ifs))
      throw new ConfigError(`${path}.${ip} must be a mapping of ifIndex: name${src}`)
    const names: Record<string, string> = {}
    for (const [idx, name] of Object.entries(ifs)) {
      const n = Number(idx)
      if (!/^\d+$/.test(idx) || n > 0xffffffff)
        throw new ConfigError(
          `${path}.${ip}.${idx} is not an interface index (0..4294967295)${src}`,
        )
      if (typeof name !== 'string' || name === '')
        throw new ConfigError(
          `${path}.${ip}.${idx} must be a non-empty name, got ${JSON.stringify(name)}${src}`,
        )
      names[String(n)] = name
    }
    out[key] = names
  }
  return out
}
