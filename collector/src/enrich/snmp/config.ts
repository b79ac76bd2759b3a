// The `enrich.snmp.exporters` list: which exporters to ask for interface names, and
// where their SNMP agent answers. An entry is an exporter address ("192.0.2.1": the agent
// is the exporter itself) or a mapping {exporter, agent?, community?}. Validated here with
// messages that name the entry; the community, a secret, never appears in them.
import { isIP } from 'node:net'
import { ConfigError } from '../../config/errors.js'
import { canonicalAddr } from '../../addresses/ip.js'
import { isMapping } from '../../config/mapping.js'

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

/** Validated entries, each as a mapping (what the flat configuration keeps). */
export function parseSnmpExporters(
  value: unknown,
  path: string,
  src: string,
): Record<string, unknown>[] {
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
    const out: Record<string, unknown> = { exporter }
    const text = e['agent']
    if (text !== undefined) {
      const agent = typeof text === 'string' ? parseAgent(text) : 'must be a string'
      if (typeof agent === 'string')
        throw new ConfigError(`${at}.agent ${agent}, got ${JSON.stringify(text)}${src}`)
      const host = agent.host.includes(':') ? `[${agent.host}]` : agent.host
      out['agent'] = agent.port ? `${host}:${agent.port}` : host
    }
    if (e['community'] !== undefined) {
      if (typeof e['community'] !== 'string' || e['community'] === '')
        throw new ConfigError(`${at}.community must be a non-empty string${src}`)
      out['community'] = e['community']
    }
    return out
  })
}

/** The typed entries from the validated list. */
export function snmpExporters(list: readonly Record<string, unknown>[]): SnmpExporter[] {
  return list.map((e) => {
    const exporter = String(e['exporter'])
    const agent = typeof e['agent'] === 'string' ? parseAgent(e['agent']) : null
    const where = agent && typeof agent !== 'string' ? agent : { host: exporter, port: 0 }
    const community = typeof e['community'] === 'string' ? e['community'] : null
    return { exporter, host: where.host, port: where.port, community }
  })
}

/** The list for printing: communities masked. */
export function maskSnmpExporters(list: unknown): unknown {
  if (!Array.isArray(list)) return list
  return list.map((e: unknown) =>
    isMapping(e) && e['community'] !== undefined ? { ...e, community: '***' } : e,
  )
}
