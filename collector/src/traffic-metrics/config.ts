// The `metrics` configuration section: traffic counters exported on /metrics, computed
// in the decode workers from the decoded records. Validated here with messages that name
// the path (`metrics[0].labels[1].converter must be one of ...`).
import { DIRECTIONS, INSERT_COLUMNS, type FlowColumn } from '@flowloft/decoder-wasm'
import { ConfigError, isMapping, section, setting } from '../config/index.js'
import { ADDRESS_COLUMNS, NUMBER_COLUMNS } from './columns.js'

export const CONVERTERS = ['str', 'ipv4', 'ipv6', 'uint', 'static'] as const
export type Converter = (typeof CONVERTERS)[number]
export const COUNTS = ['bytes', 'packets', 'flows'] as const
export type Count = (typeof COUNTS)[number]

export interface TrafficLabel {
  name: string
  /** A flows column; unused by `static`. */
  attribute: FlowColumn | ''
  converter: Converter
  /** The label's value when the attribute is missing (empty, 0 or not of the converter's kind), or the static value. */
  value: string
}

export interface TrafficFilter {
  attribute: FlowColumn
  /** The flow counts when its value (as text) is one of `values` (`equals`) or none of them (`not_equals`). */
  op: 'equals' | 'not_equals'
  values: string[]
}

export interface TrafficMetricConfig {
  name: string
  description: string
  labels: TrafficLabel[]
  count: Count
  filters: TrafficFilter[]
  /** Series not updated for this long are removed; 0 keeps them. */
  expireSeconds: number
  /** Series beyond this many are not created (counted as dropped). */
  maxSeries: number
}

const METRIC_KEYS = [
  'name',
  'description',
  'labels',
  'count',
  'filters',
  'exclude_direction',
  'expire_seconds',
  'max_series',
]
const LABEL_KEYS = ['name', 'attribute', 'converter', 'missing', 'value']
const FILTER_KEYS = ['attribute', 'equals', 'not_equals']

function fail(msg: string, src: string): never {
  throw new ConfigError(`${msg}${src}`)
}

function keysOf(v: Record<string, unknown>, allowed: string[], at: string, src: string): void {
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) fail(`${at}: unknown key ${k} (one of ${allowed.join(', ')})`, src)
}

function text(v: unknown, at: string, src: string, optional = false): string {
  if (v === undefined && optional) return ''
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (typeof v !== 'string') fail(`${at} must be a string, got ${JSON.stringify(v)}`, src)
  return v
}

function int(v: unknown, def: number, min: number, max: number, at: string, src: string): number {
  if (v === undefined) return def
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(`${at} must be a whole number ${min}..${max}, got ${JSON.stringify(v)}`, src)
  return v
}

function column(v: unknown, at: string, src: string): FlowColumn {
  const s = text(v, at, src)
  if (!(INSERT_COLUMNS as readonly string[]).includes(s))
    fail(
      `${at} must be a flows column (${INSERT_COLUMNS.join(', ')}), got ${JSON.stringify(s)}`,
      src,
    )
  return s as FlowColumn
}

function parseLabel(v: unknown, at: string, src: string): TrafficLabel {
  if (!isMapping(v)) fail(`${at} must be a mapping (name, attribute, converter, missing)`, src)
  keysOf(v, LABEL_KEYS, at, src)
  const name = text(v['name'], `${at}.name`, src)
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__'))
    fail(`${at}.name must be a Prometheus label name, got ${JSON.stringify(name)}`, src)
  const converter = text(v['converter'] ?? 'str', `${at}.converter`, src)
  if (!(CONVERTERS as readonly string[]).includes(converter))
    fail(`${at}.converter must be one of ${CONVERTERS.join(', ')}`, src)
  if (converter === 'static') {
    if (v['value'] === undefined) fail(`${at}.value is required with converter static`, src)
    return { name, attribute: '', converter: 'static', value: text(v['value'], `${at}.value`, src) }
  }
  const attribute = column(v['attribute'], `${at}.attribute`, src)
  if ((converter === 'ipv4' || converter === 'ipv6') && !ADDRESS_COLUMNS.has(attribute))
    fail(`${at}.converter ${converter} needs an address column, ${attribute} is not one`, src)
  if (converter === 'uint' && !NUMBER_COLUMNS.has(attribute))
    fail(`${at}.converter uint needs a numeric column, ${attribute} is not one`, src)
  if (v['value'] !== undefined) fail(`${at}.value is only for converter static (use missing)`, src)
  return {
    name,
    attribute,
    converter: converter as Converter,
    value: text(v['missing'], `${at}.missing`, src, true),
  }
}

function values(v: unknown, at: string, src: string): string[] {
  const list = Array.isArray(v) ? v : [v]
  return list.map((x, k) => text(x, Array.isArray(v) ? `${at}[${k}]` : at, src))
}

function parseFilter(v: unknown, at: string, src: string): TrafficFilter {
  if (!isMapping(v)) fail(`${at} must be a mapping (attribute, equals or not_equals)`, src)
  keysOf(v, FILTER_KEYS, at, src)
  const attribute = column(v['attribute'], `${at}.attribute`, src)
  const eq = v['equals']
  const ne = v['not_equals']
  if ((eq === undefined) === (ne === undefined))
    fail(`${at} must have exactly one of equals, not_equals`, src)
  return eq !== undefined
    ? { attribute, op: 'equals', values: values(eq, `${at}.equals`, src) }
    : { attribute, op: 'not_equals', values: values(ne, `${at}.not_equals`, src) }
}

/** Validate the YAML value of `metrics` (a list); `src` ends the messages (" (from file)"). */
export function parseTrafficMetrics(
  value: unknown,
  path = 'metrics',
  src = '',
): TrafficMetricConfig[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) fail(`${path} must be a list of metrics`, src)
  const names = new Set<string>()
  return value.map((m, i) => {
    const at = `${path}[${i}]`
    if (!isMapping(m)) fail(`${at} must be a mapping (name, description, labels, ...)`, src)
    keysOf(m, METRIC_KEYS, at, src)
    const name = text(m['name'], `${at}.name`, src)
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*_total$/.test(name))
      fail(
        `${at}.name must be a Prometheus metric name ending in _total, got ${JSON.stringify(name)}`,
        src,
      )
    if (names.has(name)) fail(`${at}.name ${name} is used twice`, src)
    names.add(name)
    const labelsRaw = m['labels'] ?? []
    if (!Array.isArray(labelsRaw)) fail(`${at}.labels must be a list`, src)
    const labels = labelsRaw.map((l, k) => parseLabel(l, `${at}.labels[${k}]`, src))
    const seen = new Set<string>()
    labels.forEach((l, k) => {
      if (seen.has(l.name)) fail(`${at}.labels[${k}].name ${l.name} is used twice`, src)
      seen.add(l.name)
    })
    const written = text(m['count'] ?? 'bytes', `${at}.count`, src)
    const count = COUNTS.find((c) => c === written)
    if (count === undefined) fail(`${at}.count must be one of ${COUNTS.join(', ')}`, src)
    const filtersRaw = m['filters'] ?? []
    if (!Array.isArray(filtersRaw)) fail(`${at}.filters must be a list`, src)
    const filters = filtersRaw.map((f, k) => parseFilter(f, `${at}.filters[${k}]`, src))
    const ex = m['exclude_direction']
    if (ex !== undefined) {
      const dirs = values(ex, `${at}.exclude_direction`, src)
      dirs.forEach((d, k) => {
        if (!(DIRECTIONS as readonly string[]).includes(d))
          fail(`${at}.exclude_direction[${k}] must be one of ${DIRECTIONS.join(', ')}`, src)
      })
      filters.push({ attribute: 'direction', op: 'not_equals', values: dirs })
    }
    return {
      name,
      description: text(
        m['description'] ?? `Traffic ${count} by ${labels.map((l) => l.name).join(', ')}`,
        `${at}.description`,
        src,
      ),
      labels,
      count,
      filters,
      expireSeconds: int(m['expire_seconds'], 300, 0, 31 * 86400, `${at}.expire_seconds`, src),
      maxSeries: int(m['max_series'], 1000, 1, 1_000_000, `${at}.max_series`, src),
    }
  })
}

const metrics = setting({
  path: 'metrics',
  default: [],
  text: 'list',
  parse: (value, at) => parseTrafficMetrics(value, at.path, at.src),
  // As written: the typed form has defaults filled in and other names.
  show: (_list, written) => written ?? [],
  help: 'traffic counters on /metrics: [{name, description, labels: [{name, attribute, converter, missing}], count, filters, exclude_direction, expire_seconds, max_series}] (docs/metrics-example.yaml)',
})

/** Traffic counters exported on /metrics. */
export const METRICS = section([metrics], (v): TrafficMetricConfig[] => v.get(metrics))
