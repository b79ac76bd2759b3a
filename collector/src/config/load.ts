// Builds the effective configuration from, in rising precedence: defaults, the YAML
// file, FLOWLOFT_* environment variables and command-line flags. Unknown keys and bad
// values are rejected with a message naming the key and the rule.
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { ConfigError } from './errors.js'
import { canonicalAddr, parseCidr } from '../addresses/ip.js'
import { parseListen } from './listen-address.js'
import { parseTrafficMetrics } from '../traffic-metrics/config.js'
import { parseSenderSeed } from '../senders/config.js'
import { maskSnmpExporters, parseSnmpExporters } from '../enrich/snmp/config.js'
import { parseLeaseFiles } from '../enrich/dhcp/config.js'
import { parseExporterPrefixes } from '../enrich/exporter-prefixes.js'
import { SETTINGS, type SettingDef, type StructuredValue } from './settings.js'
import { isMapping } from './mapping.js'

export type RawValue = string | number | boolean | StructuredValue
export type FlatConfig = Map<string, RawValue>

export function flagName(def: SettingDef): string {
  return def.flag ?? def.path.replace(/[._]/g, '-')
}

export function envName(def: SettingDef): string {
  return `FLOWLOFT_${def.path.replace(/\./g, '_').toUpperCase()}`
}

function describe(def: SettingDef): string {
  return `${def.path} (--${flagName(def)}, ${envName(def)})`
}

/** Text from the environment or a flag: JSON, or for lists a comma-separated list. */
function structuredText(def: SettingDef, value: unknown, from: string): unknown {
  if (typeof value !== 'string') return value
  const t = value.trim()
  if (t === '')
    return def.type === 'if_map' ||
      def.type === 'host_map' ||
      def.type === 'sender_map' ||
      def.type === 'prefix_map'
      ? {}
      : []
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t) as unknown
    } catch (err) {
      throw new ConfigError(
        `${describe(def)} from ${from} is not valid JSON: ${(err as Error).message}`,
      )
    }
  }
  if (
    def.type === 'cidr_list' ||
    def.type === 'int_list' ||
    def.type === 'snmp_exporters' ||
    def.type === 'lease_files'
  )
    return t.split(',').map((x) => x.trim())
  throw new ConfigError(`${describe(def)} from ${from} must be a JSON object`)
}

function coerceStructured(def: SettingDef, raw: unknown, from: string): StructuredValue {
  const value = structuredText(def, raw, from)
  const p = def.path
  const src = ` (from ${from})`
  switch (def.type) {
    case 'metric_list': {
      // Validated here (messages name the file); toConfig parses it again into its typed form.
      parseTrafficMetrics(value, p, src)
      return (value ?? []) as Record<string, unknown>[]
    }
    case 'sender_map': {
      // Validated here (messages name the file); toConfig parses it again into its typed form.
      parseSenderSeed(value, p, src)
      return (value ?? {}) as Record<string, Record<string, unknown>>
    }
    case 'snmp_exporters':
      return parseSnmpExporters(value, p, src)
    case 'lease_files':
      return parseLeaseFiles(value, p, src)
    case 'prefix_map':
      return parseExporterPrefixes(value, p, src)
    case 'int_list': {
      const range = `${def.min ?? 0}..${def.max ?? Number.MAX_SAFE_INTEGER}`
      if (!Array.isArray(value))
        throw new ConfigError(`${p} must be a list of numbers ${range}${src}`)
      return value.map((v, k) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN
        if (
          !Number.isInteger(n) ||
          (def.min !== undefined && n < def.min) ||
          (def.max !== undefined && n > def.max)
        )
          throw new ConfigError(
            `${p}[${k}] must be a whole number ${range}, got ${JSON.stringify(v)}${src}`,
          )
        return n
      })
    }
    case 'cidr_list': {
      if (!Array.isArray(value)) throw new ConfigError(`${p} must be a list of CIDRs${src}`)
      return value.map((v, k) => {
        if (typeof v !== 'string' || parseCidr(v) === null)
          throw new ConfigError(`${p}[${k}] is not a CIDR, got ${JSON.stringify(v)}${src}`)
        return v.trim()
      })
    }
    case 'host_map': {
      if (!isMapping(value)) throw new ConfigError(`${p} must be a mapping of IP: name${src}`)
      const out: Record<string, string> = {}
      for (const [ip, name] of Object.entries(value)) {
        const key = canonicalAddr(ip.trim())
        if (key === null) throw new ConfigError(`${p}.${ip} is not an IP address${src}`)
        if (typeof name !== 'string' || name === '')
          throw new ConfigError(
            `${p}.${ip} must be a non-empty name, got ${JSON.stringify(name)}${src}`,
          )
        out[key] = name
      }
      return out
    }
    default: {
      if (!isMapping(value))
        throw new ConfigError(`${p} must be a mapping of exporter IP: {ifIndex: name}${src}`)
      const out: Record<string, Record<string, string>> = {}
      for (const [ip, ifs] of Object.entries(value)) {
        const key = canonicalAddr(ip.trim())
        if (key === null) throw new ConfigError(`${p}.${ip} is not an IP address${src}`)
        if (!isMapping(ifs))
          throw new ConfigError(`${p}.${ip} must be a mapping of ifIndex: name${src}`)
        const names: Record<string, string> = {}
        for (const [idx, name] of Object.entries(ifs)) {
          const n = Number(idx)
          if (!/^\d+$/.test(idx) || n > 0xffffffff)
            throw new ConfigError(
              `${p}.${ip}.${idx} is not an interface index (0..4294967295)${src}`,
            )
          if (typeof name !== 'string' || name === '')
            throw new ConfigError(
              `${p}.${ip}.${idx} must be a non-empty name, got ${JSON.stringify(name)}${src}`,
            )
          names[String(n)] = name
        }
        out[key] = names
      }
      return out
    }
  }
}

function coerce(def: SettingDef, value: unknown, from: string): RawValue {
  const where = `${describe(def)} from ${from}`
  switch (def.type) {
    case 'cidr_list':
    case 'host_map':
    case 'if_map':
    case 'metric_list':
    case 'int_list':
    case 'sender_map':
    case 'snmp_exporters':
    case 'prefix_map':
    case 'lease_files':
      return coerceStructured(def, value, from)
    case 'int': {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN
      if (!Number.isInteger(n))
        throw new ConfigError(`${where} must be a whole number, got ${JSON.stringify(value)}`)
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
        throw new ConfigError(
          `${where} must be ${def.min ?? '-inf'}..${def.max ?? 'inf'}, got ${n}`,
        )
      }
      return n
    }
    case 'bool': {
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === '1' || value === 'yes') return true
      if (value === 'false' || value === '0' || value === 'no') return false
      throw new ConfigError(`${where} must be true or false, got ${JSON.stringify(value)}`)
    }
    case 'listen': {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ConfigError(`${where} must be host:port, got ${JSON.stringify(value)}`)
      }
      const s = String(value)
      if (s === '') return ''
      const parsed = parseListen(s)
      if (typeof parsed === 'string')
        throw new ConfigError(`${where} ${parsed}, got ${JSON.stringify(s)}`)
      return s
    }
    case 'url': {
      if (typeof value !== 'string')
        throw new ConfigError(`${where} must be a URL, got ${JSON.stringify(value)}`)
      if (value === '') return ''
      let u: URL
      try {
        u = new URL(value)
      } catch {
        throw new ConfigError(`${where} is not a valid URL`)
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw new ConfigError(`${where} must use http:// or https://, got ${u.protocol}//`)
      }
      return value
    }
    case 'string': {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ConfigError(`${where} must be a string, got ${JSON.stringify(value)}`)
      }
      const text = String(value)
      if (def.choices && !def.choices.includes(text))
        throw new ConfigError(
          `${where} must be one of ${def.choices.join(', ')}, got ${JSON.stringify(text)}`,
        )
      return text
    }
  }
}

const byPath = new Map(SETTINGS.map((d) => [d.path, d]))
const byFlag = new Map(SETTINGS.map((d) => [flagName(d), d]))

function flattenYaml(node: unknown, prefix: string, out: Map<string, unknown>, file: string): void {
  if (node === null || node === undefined) return
  if (typeof node !== 'object' || Array.isArray(node)) {
    throw new ConfigError(`${file}: ${prefix || 'the document'} must be a mapping`)
  }
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (byPath.has(path)) out.set(path, v)
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && hasChildren(path)) {
      flattenYaml(v, path, out, file)
    } else {
      throw new ConfigError(`${file}: unknown key ${path}`)
    }
  }
}

function hasChildren(prefix: string): boolean {
  return SETTINGS.some((d) => d.path.startsWith(`${prefix}.`))
}

export interface LoadInput {
  /** Flags already split into name -> value (without leading dashes). */
  flags: Map<string, string>
  env: NodeJS.ProcessEnv
  /** Path of the YAML file, if any. */
  file?: string
}

export function loadFlat(input: LoadInput): FlatConfig {
  const flat: FlatConfig = new Map()
  for (const d of SETTINGS) flat.set(d.path, d.default)
  if (input.file) {
    let text: string
    try {
      text = readFileSync(input.file, 'utf8')
    } catch (err) {
      throw new ConfigError(
        `cannot read configuration file ${input.file}: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
    let doc: unknown
    try {
      doc = parseYaml(text)
    } catch (err) {
      throw new ConfigError(`${input.file} is not valid YAML: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const values = new Map<string, unknown>()
    flattenYaml(doc, '', values, input.file)
    for (const [path, v] of values) {
      const def = byPath.get(path)
      if (def) flat.set(path, coerce(def, v, input.file))
    }
  }
  for (const [name, v] of Object.entries(input.env)) {
    if (!name.startsWith('FLOWLOFT_') || v === undefined || NOT_SETTINGS.has(name)) continue
    const def = SETTINGS.find((d) => envName(d) === name)
    if (!def) throw new ConfigError(`unknown environment variable ${name}`)
    flat.set(def.path, coerce(def, v, `environment ${name}`))
  }
  for (const [name, v] of input.flags) {
    const def = byFlag.get(name)
    if (!def) throw new ConfigError(`unknown flag --${name}`)
    flat.set(def.path, coerce(def, v, `flag --${name}`))
  }
  return flat
}

/**
 * FLOWLOFT_* variables read elsewhere: the config file's path, stack traces on, and where
 * the CPU flags are read from (clickhouse/cpu-check.ts).
 */
const NOT_SETTINGS = new Set(['FLOWLOFT_CONFIG', 'FLOWLOFT_DEBUG', 'FLOWLOFT_CPUINFO'])

/** The effective configuration as YAML-like text, secrets masked. */
export function printable(flat: FlatConfig): string {
  return SETTINGS.map((d) => {
    let v = flat.get(d.path)
    if (d.secret && typeof v === 'string' && v !== '') v = d.type === 'url' ? maskUrl(v) : '***'
    if (d.secret && d.type === 'snmp_exporters') v = maskSnmpExporters(v) as RawValue
    return `${d.path}: ${JSON.stringify(v)}`
  }).join('\n')
}

export function maskUrl(s: string): string {
  try {
    const u = new URL(s)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '***'
  }
}
