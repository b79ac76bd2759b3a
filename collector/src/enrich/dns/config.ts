// enrich.dns.*: reverse DNS of flow addresses on the main thread.
import { isIP } from 'node:net'
import { bool, commaList, ConfigError, int, section } from '../../config/index.js'

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

/** One DNS server as node:dns setServers() takes it: IP, IP:port or [IPv6]:port. */
export function checkDnsServer(s: string, path: string): void {
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
}

const enabled = bool({
  path: 'enrich.dns.enabled',
  default: false,
  help: 'name flow addresses by reverse DNS (PTR) on the main thread, into src_host/dst_host of later flows; off by default: it sends a query per new address to your resolvers',
})
const servers = commaList({
  path: 'enrich.dns.servers',
  default: '',
  each: checkDnsServer,
  help: 'DNS servers for reverse lookups, comma-separated IP or IP:port ([IPv6]:port); empty uses the system resolvers',
})
const timeoutMs = int({
  path: 'enrich.dns.timeout_ms',
  default: 1000,
  min: 10,
  max: 60000,
  help: 'how long one reverse lookup attempt waits for an answer',
})
const tries = int({
  path: 'enrich.dns.tries',
  default: 2,
  min: 1,
  max: 5,
  help: 'attempts per reverse lookup before it counts as a timeout',
})
const ttlSeconds = int({
  path: 'enrich.dns.ttl_seconds',
  default: 3600,
  min: 1,
  max: 604800,
  help: 'how long a learned name is kept before the address is looked up again',
})
const negativeTtlSeconds = int({
  path: 'enrich.dns.negative_ttl_seconds',
  default: 3600,
  min: 1,
  max: 604800,
  help: 'how long an address without a PTR record (NXDOMAIN, no data) is not asked again',
})
const concurrency = int({
  path: 'enrich.dns.concurrency',
  default: 8,
  min: 1,
  max: 256,
  help: 'reverse lookups in flight at once',
})
const ratePerSecond = int({
  path: 'enrich.dns.rate_per_second',
  default: 50,
  min: 1,
  max: 10000,
  help: 'reverse lookups started per second at most; addresses over the limit are counted (result rate_limited) and retried a minute later',
})
const maxEntries = int({
  path: 'enrich.dns.max_entries',
  default: 100000,
  min: 100,
  max: 10000000,
  help: 'addresses held in the reverse-DNS cache (answers and misses); the oldest go first',
})
const lookupLocal = bool({
  path: 'enrich.dns.lookup_local',
  default: true,
  help: 'look up local addresses (in enrich.local_prefixes, an exporter prefix, or private/link-local ranges)',
})
const lookupRemote = bool({
  path: 'enrich.dns.lookup_remote',
  default: false,
  help: 'look up all other (public) addresses too',
})
const ipAsUnknown = bool({
  path: 'enrich.dns.ip_as_unknown',
  default: false,
  help: 'when a looked-up address has no name, store its IP text as the host name instead of leaving it empty',
})

export const DNS = section(
  [
    enabled,
    servers,
    timeoutMs,
    tries,
    ttlSeconds,
    negativeTtlSeconds,
    concurrency,
    ratePerSecond,
    maxEntries,
    lookupLocal,
    lookupRemote,
    ipAsUnknown,
  ],
  (v): DnsConfig => ({
    enabled: v.get(enabled),
    servers: v.get(servers),
    timeoutMs: v.get(timeoutMs),
    tries: v.get(tries),
    ttlSeconds: v.get(ttlSeconds),
    negativeTtlSeconds: v.get(negativeTtlSeconds),
    concurrency: v.get(concurrency),
    ratePerSecond: v.get(ratePerSecond),
    maxEntries: v.get(maxEntries),
    lookupLocal: v.get(lookupLocal),
    lookupRemote: v.get(lookupRemote),
    ipAsUnknown: v.get(ipAsUnknown),
  }),
)
