// enrich.dns.*: reverse DNS of flow addresses on the main thread.
import { isIP } from 'node:net'
import { ConfigError } from '../../config/errors.js'

export interface DnsConfig {
  enabled: boolean
  /** "host" or "host:port" ("[v6]:port"); empty: the system's resolvers. */
  servers: string[]
  timeoutMs: number
  tries: number
  ttlSeconds: number
  negativeTtlSeconds: number
  concurrency: number
  ratePerSecond: number
  maxEntries: number
  lookupLocal: boolean
  lookupRemote: boolean
  ipAsUnknown: boolean
}

/** A comma-separated list of DNS servers as node:dns setServers() takes them. */
export function parseDnsServers(text: string, path: string): string[] {
  const out: string[] = []
  for (const raw of text.split(',')) {
    const s = raw.trim()
    if (s === '') continue
    let host = s
    let port = ''
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s)
    if (v6) {
      host = v6[1] ?? ''
      port = v6[2] ?? ''
    } else if (s.split(':').length === 2) {
      ;[host = '', port = ''] = s.split(':')
    }
    const p = port === '' ? 53 : Number(port)
    if (isIP(host) === 0 || !/^\d*$/.test(port) || p < 1 || p > 65535)
      throw new ConfigError(
        `${path}: ${JSON.stringify(s)} is not a DNS server (IP, IP:port or [IPv6]:port)`,
      )
    out.push(s)
  }
  return out
}

/** The typed enrich.dns section from the flat settings (already range-checked by load.ts). */
export function dnsConfig(get: (path: string) => unknown): DnsConfig {
  const num = (k: string): number => Number(get(`enrich.dns.${k}`))
  const bool = (k: string): boolean => get(`enrich.dns.${k}`) === true
  const servers = get('enrich.dns.servers')
  return {
    enabled: bool('enabled'),
    servers: parseDnsServers(typeof servers === 'string' ? servers : '', 'enrich.dns.servers'),
    timeoutMs: num('timeout_ms'),
    tries: num('tries'),
    ttlSeconds: num('ttl_seconds'),
    negativeTtlSeconds: num('negative_ttl_seconds'),
    concurrency: num('concurrency'),
    ratePerSecond: num('rate_per_second'),
    maxEntries: num('max_entries'),
    lookupLocal: bool('lookup_local'),
    lookupRemote: bool('lookup_remote'),
    ipAsUnknown: bool('ip_as_unknown'),
  }
}
