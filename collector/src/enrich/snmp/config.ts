// The `enrich.snmp.exporters` list: which exporters to ask for interface names, and
// where their SNMP agent answers. An entry is an exporter address ("192.0.2.1": the agent
// is the exporter itself) or a mapping {exporter, agent?, community?}. Validated here with
// messages that name the entry; the community, a secret, never appears in them.
import { isIP } from 'node:net'
import { ConfigError, int, isMapping, section, setting, text } from '../../config/index.js'
import { canonicalAddr } from '../../addresses/ip.js'

export interface SnmpExporter {
  /** The exporter's address as flows carry it (canonical text). */
  exporter: string
  /** Agent host (IP address or name) and UDP port; port 0 means enrich.snmp.port. */
  host: string
  port: number
  /** This agent's community; null uses enrich.snmp.community. */
  community: string | null
}

export interface SnmpConfig {
  community: string
  port: number
  intervalSeconds: number
  timeoutMs: number
  retries: number
  exporters: SnmpExporter[]
}

const KEYS = ['exporter', 'agent', 'community']

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 address; the message when it is none. */
function parseAgent(text: string): { host: string; port: number } | string {
  const s = text.trim()
  let host = s
  let portText: string | undefined
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(s)
  if (bracket) {
    host = bracket[1] ?? ''
    portText = bracket[2]
  } else if (isIP(s) === 0 && s.includes(':')) {
    host = s.slice(0, s.lastIndexOf(':'))
    portText = s.slice(s.lastIndexOf(':') + 1)
  }
  let port = 0
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0
    if (port < 1 || port > 65535) return 'port must be 1..65535'
  }
  if (host === '' || (isIP(host) === 0 && !/^[a-zA-Z0-9.-]+$/.test(host)))
    return 'host must be an IP address or a host name'
  return { host, port }
}

/** The entries of `enrich.snmp.exporters`; messages name the entry, never a community. */
export function parseSnmpExporters(value: unknown, path: string, src: string): SnmpExporter[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value))
    throw new ConfigError(`${path} must be a list of exporter addresses or mappings${src}`)
  const seen = new Set<string>()
  return value.map((entry: unknown, k) => {
    const at = `${path}[${k}]`
    const e: Record<string, unknown> = isMapping(entry) ? entry : { exporter: entry }
    for (const key of Object.keys(e))
      if (!KEYS.includes(key))
        throw new ConfigError(`${at}: unknown key ${key} (allowed: ${KEYS.join(', ')})${src}`)
    const exporter = typeof e['exporter'] === 'string' ? canonicalAddr(e['exporter'].trim()) : null
    if (exporter === null)
      throw new ConfigError(
        `${at}.exporter must be an IP address, got ${JSON.stringify(e['exporter'])}${src}`,
      )
    if (seen.has(exporter))
      throw new ConfigError(`${at}: exporter ${exporter} is listed twice${src}`)
    seen.add(exporter)
    let where = { host: exporter, port: 0 }
    const written = e['agent']
    if (written !== undefined) {
      const agent = typeof written === 'string' ? parseAgent(written) : 'must be a string'
      if (typeof agent === 'string')
        throw new ConfigError(`${at}.agent ${agent}, got ${JSON.stringify(written)}${src}`)
      where = agent
    }
    const community = e['community']
    if (community !== undefined && (typeof community !== 'string' || community === ''))
      throw new ConfigError(`${at}.community must be a non-empty string${src}`)
    return { exporter, ...where, community: typeof community === 'string' ? community : null }
  })
}

/** The list as printed: an agent other than the exporter itself, communities masked. */
function masked(list: SnmpExporter[]): Record<string, unknown>[] {
  return list.map((e) => {
    const host = e.host.includes(':') ? `[${e.host}]` : e.host
    const agent = e.port ? `${host}:${e.port}` : host
    return {
      exporter: e.exporter,
      ...(e.host !== e.exporter || e.port !== 0 ? { agent } : {}),
      ...(e.community !== null ? { community: '***' } : {}),
    }
  })
}

const exporters = setting({
  path: 'enrich.snmp.exporters',
  default: [],
  secret: true,
  text: 'list',
  parse: (value, at) => parseSnmpExporters(value, at.path, at.src),
  mask: masked,
  help: 'exporters whose interface names are read over SNMP v2c (IF-MIB): addresses, or {exporter, agent: "host[:port]", community}',
})
const community = text({
  path: 'enrich.snmp.community',
  default: 'public',
  secret: true,
  help: 'SNMP v2c community of the agents without their own',
})
const port = int({
  path: 'enrich.snmp.port',
  default: 161,
  min: 1,
  max: 65535,
  help: 'UDP port of the agents whose agent setting names none',
})
const intervalSeconds = int({
  path: 'enrich.snmp.interval_seconds',
  default: 600,
  min: 10,
  max: 86400,
  help: 'how often each agent is walked for interface names',
})
const timeoutMs = int({
  path: 'enrich.snmp.timeout_ms',
  default: 2000,
  min: 100,
  max: 60000,
  help: 'how long an SNMP request waits for an answer before it is retried',
})
const retries = int({
  path: 'enrich.snmp.retries',
  default: 1,
  min: 0,
  max: 10,
  help: 'SNMP request retries after a timeout (a wrong community also looks like a timeout)',
})

export const SNMP = section(
  [exporters, community, port, intervalSeconds, timeoutMs, retries],
  (v): SnmpConfig => ({
    community: v.get(community),
    port: v.get(port),
    intervalSeconds: v.get(intervalSeconds),
    timeoutMs: v.get(timeoutMs),
    retries: v.get(retries),
    exporters: v.get(exporters),
  }),
)
