// The `usage` configuration section: the billing cycle (its first day of the month and
// the time zone days begin in) and the data caps: one on every device together
// (`usage.cap`), one per device (`usage.device_caps`, by address or name) and one per
// named group of devices (`usage.groups`). Messages name the key.
import { canonicalAddr } from '../addresses/ip.js'
import {
  ConfigError,
  int,
  isMapping,
  schedule as cronSchedule,
  section,
  setting,
} from '../config/index.js'
import { parseSize, SIZE_RULE } from './sizes.js'

/** A device as the configuration names it: an address, or a host name from the flows. */
export interface DeviceRef {
  /** As written. */
  text: string
  /** Canonical address (addresses/ip.ts) when `text` is one; null for a name. */
  addr: string | null
}

export const CAP_KINDS = ['total', 'device', 'group'] as const
export type CapKind = (typeof CAP_KINDS)[number]

export interface CapSpec {
  /** `total`, `device:<as written>` or `group:<name>`: the metrics' label, the alert's key. */
  id: string
  kind: CapKind
  /** The device as written, the group's name, or `total`. */
  name: string
  /** The devices it counts (none for the total: every device). */
  devices: DeviceRef[]
  bytes: number
}

export interface UsageConfig {
  /** Day of the month a billing cycle starts (1..31; past a month's end, its last day). */
  cycleStartDay: number
  /** IANA time zone days, weeks and cycles begin in. */
  timezone: string
  caps: CapSpec[]
  /** node-cron expression: when usage and the caps are read for /metrics. */
  schedule: string
  /** Devices with their own series in flowloft_usage_device_cycle_bytes; the rest are `other`. */
  metricsMaxDevices: number
}

/** Caps and group members at most (bounds the metrics' series and the alerts). */
export const MAX_CAPS = 256
const MAX_MEMBERS = 256
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/** The system's time zone (TZ, else the host's). */
export const systemTimezone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone

export function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

function size(value: unknown, path: string, src: string): number {
  const n = parseSize(value)
  if (n === undefined)
    throw new ConfigError(`${path} must be ${SIZE_RULE}, got ${JSON.stringify(value)}${src}`)
  return n
}

function device(value: unknown, path: string, src: string): DeviceRef {
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '' || text.length > 253 || /[\s,]/.test(text))
    throw new ConfigError(
      `${path} must be an IP address or a device name, got ${JSON.stringify(value)}${src}`,
    )
  return { text, addr: canonicalAddr(text) }
}

/** `usage.device_caps`: {device: size}. */
export function parseDeviceCaps(value: unknown, path: string, src = ''): CapSpec[] {
  if (!isMapping(value)) throw new ConfigError(`${path} must be a mapping of device: size${src}`)
  const entries = Object.entries(value)
  if (entries.length > MAX_CAPS)
    throw new ConfigError(`${path} has ${entries.length} caps, at most ${MAX_CAPS}${src}`)
  return entries.map(([k, v]): CapSpec => {
    const d = device(k, `${path}.${k}`, src)
    return {
      id: `device:${d.text}`,
      kind: 'device',
      name: d.text,
      devices: [d],
      bytes: size(v, `${path}.${k}`, src),
    }
  })
}

/** `usage.groups`: {name: {devices: [device, ...], cap: size}}. */
export function parseGroups(value: unknown, path: string, src = ''): CapSpec[] {
  if (!isMapping(value))
    throw new ConfigError(`${path} must be a mapping of name: {devices, cap}${src}`)
  const entries = Object.entries(value)
  if (entries.length > MAX_CAPS)
    throw new ConfigError(`${path} has ${entries.length} groups, at most ${MAX_CAPS}${src}`)
  return entries.map(([name, body]): CapSpec => {
    const at = `${path}.${name}`
    if (!GROUP_NAME.test(name))
      throw new ConfigError(
        `${at}: a group name is letters, digits, _ . - (at most 64, starting with a letter or digit)${src}`,
      )
    if (!isMapping(body)) throw new ConfigError(`${at} must be a mapping of devices, cap${src}`)
    for (const k of Object.keys(body))
      if (k !== 'devices' && k !== 'cap')
        throw new ConfigError(`${at}.${k} is not a key of a group (devices, cap)${src}`)
    const list = body['devices']
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_MEMBERS)
      throw new ConfigError(
        `${at}.devices must be a list of 1..${MAX_MEMBERS} addresses or device names${src}`,
      )
    const devices = list.map((d: unknown, i) => device(d, `${at}.devices[${i}]`, src))
    if (body['cap'] === undefined) throw new ConfigError(`${at}.cap is missing${src}`)
    return {
      id: `group:${name}`,
      kind: 'group',
      name,
      devices,
      bytes: size(body['cap'], `${at}.cap`, src),
    }
  })
}

const cycleStartDay = int({
  path: 'usage.cycle_start_day',
  default: 1,
  min: 1,
  max: 31,
  help: "day of the month the billing cycle starts (a day past a month's end means its last day)",
})
const timezone = setting({
  path: 'usage.timezone',
  default: '',
  help: "IANA time zone in which days (midnight), weeks (Monday) and billing cycles begin (empty: the system's)",
  parse(value, at) {
    const s = typeof value === 'string' ? value.trim() : ''
    if (s === '') return systemTimezone()
    if (!validTimezone(s))
      throw new ConfigError(
        `${at.where} must be an IANA time zone such as Europe/Berlin, got ${JSON.stringify(value)}`,
      )
    return s
  },
  show: (tz, written) => (written === '' ? `${tz} (the system's)` : tz),
})
const totalCap = setting({
  path: 'usage.cap',
  default: '',
  help: 'data cap of all devices together per billing cycle, bytes in and out of the internet (500 GB, 1 TB; empty: none)',
  parse(value, at): number {
    if (value === '' || value === 0 || value === '0') return 0
    const n = parseSize(value)
    if (n === undefined)
      throw new ConfigError(`${at.where} must be ${SIZE_RULE}, got ${JSON.stringify(value)}`)
    return n
  },
})
const deviceCaps = setting({
  path: 'usage.device_caps',
  default: {},
  text: 'mapping',
  parse: (value, at) => parseDeviceCaps(value, at.path, at.src),
  show: (_caps, written) => written ?? {},
  help: 'data cap per device per billing cycle: {address or device name: size}',
})
const groups = setting({
  path: 'usage.groups',
  default: {},
  text: 'mapping',
  parse: (value, at) => parseGroups(value, at.path, at.src),
  show: (_groups, written) => written ?? {},
  help: 'named groups of devices with a data cap per billing cycle: {name: {devices: [address or name, ...], cap: size}}',
})
const schedule = cronSchedule({
  path: 'usage.check_schedule',
  default: '*/5 * * * *',
  help: 'when usage and the caps are read for /metrics (cron expression); the alert rules read the caps on their own schedule',
})
const metricsMaxDevices = int({
  path: 'usage.metrics_max_devices',
  default: 50,
  min: 0,
  max: 1000,
  help: 'devices with their own series of flowloft_usage_device_cycle_bytes (the first seen); the rest are added up as device="other"',
})

export const USAGE = section(
  [cycleStartDay, timezone, totalCap, deviceCaps, groups, schedule, metricsMaxDevices],
  (v): UsageConfig => {
    const total = v.get(totalCap)
    const caps: CapSpec[] = [
      ...(total > 0
        ? [{ id: 'total', kind: 'total' as const, name: 'total', devices: [], bytes: total }]
        : []),
      ...v.get(deviceCaps),
      ...v.get(groups),
    ]
    if (caps.length > MAX_CAPS)
      throw new ConfigError(
        `usage.device_caps and usage.groups have ${caps.length} caps together, at most ${MAX_CAPS}`,
      )
    return {
      cycleStartDay: v.get(cycleStartDay),
      timezone: v.get(timezone),
      caps,
      schedule: v.get(schedule),
      metricsMaxDevices: v.get(metricsMaxDevices),
    }
  },
)
