// Filters shared by the views of "my devices" against "the internet": query-string
// values checked here and sent to ClickHouse as typed parameters, as conditions on the
// sided rows of sides-sql.ts (l_* the local device, r_* the remote side).
//   device=ADDR     the local device        remote=ADDR|PREFIX  the remote side
//   as=N            the remote AS           country=CC           the remote country
//   service=PROTO/PORT or PORT or NAME      proto=NAME|N         exporter=ADDR
//   direction=in|out (what the devices received or sent) or the flow's direction:
//     inbound|outbound|internal
//   interface=N (an interface index, in or out) or a name from flowloft.interfaces
//   app=NAME (the remote side's app, docs/apps.md; - for none)
import { HTTPException } from 'hono/http-exception'
import { protocolName } from '../flows/protocols.js'
import { canonicalAddr, parseCidr } from '../addresses/ip.js'
import { serviceName, WELL_KNOWN_PORTS } from '../enrich/services.js'

export const FILTER_KEYS = [
  'device',
  'remote',
  'as',
  'country',
  'service',
  'proto',
  'exporter',
  'interface',
  'direction',
  'app',
] as const
export type FilterKey = (typeof FILTER_KEYS)[number]

export interface Filters {
  /** SQL conditions (ANDed), over the sided rows. */
  where: string[]
  params: Record<string, string | number>
  /** The filters given, by key, as understood. */
  given: Partial<Record<FilterKey, string>>
}

/** Flow directions with a local side (transit and unknown flows have none). */
export const FLOW_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const

/** An interface by its name (flowloft.interfaces), on whichever exporter has it. */
const INTERFACE_BY_NAME = `((exporter, in_if) IN (SELECT exporter, if_index FROM flowloft.interfaces
    WHERE if_name = {f_interface:String})
  OR (exporter, out_if) IN (SELECT exporter, if_index FROM flowloft.interfaces
    WHERE if_name = {f_interface:String}))`

const bad = (key: FilterKey, rule: string, v: string): HTTPException =>
  new HTTPException(400, { message: `${key} must be ${rule} (got "${v}")` })

/** Protocol number from a name (tcp, UDP, ipv6-icmp) or a number 0..255. */
export function protoNumber(v: string): number | undefined {
  const s = v.trim().toLowerCase()
  if (/^\d{1,3}$/.test(s)) return Number(s) <= 255 ? Number(s) : undefined
  for (let p = 0; p < 256; p++) if (protocolName(p).toLowerCase() === s) return p
  return undefined
}

/** A service as proto/port: `tcp/443`, `443`, or a name such as `https` or `quic`. */
export function parseService(v: string): { proto?: number; port: number } | undefined {
  const s = v.trim().toLowerCase()
  if (s === 'quic') return { proto: 17, port: 443 }
  if (s === 'dns') return { port: 53 }
  const m = /^(?:([a-z0-9-]+)\/)?(\d{1,5})$/.exec(s)
  if (m) {
    const port = Number(m[2])
    if (port > 65535) return undefined
    if (m[1] === undefined) return { port }
    const proto = protoNumber(m[1])
    return proto === undefined ? undefined : { proto, port }
  }
  const port = WELL_KNOWN_PORTS.find((p) => serviceName(6, p) === s)
  return port === undefined ? undefined : { port }
}

/** An address for SQL's toIPv6: dotted IPv4 or IPv6 text. */
function addr(key: FilterKey, v: string): string {
  const a = canonicalAddr(v.trim())
  if (a === null) throw bad(key, 'an IP address', v)
  return a
}

export function parseFilters(q: (k: string) => string | undefined): Filters {
  const f: Filters = { where: [], params: {}, given: {} }
  const add = (key: FilterKey, cond: string, value: string | number): void => {
    f.where.push(cond)
    f.params[`f_${key}`] = value
  }
  for (const key of FILTER_KEYS) {
    const raw = q(key)
    if (raw === undefined || raw === '') continue
    f.given[key] = raw
    switch (key) {
      case 'device':
        add(key, 'l_addr = toIPv6({f_device:String})', addr(key, raw))
        break
      case 'exporter':
        add(key, 'exporter = toIPv6({f_exporter:String})', addr(key, raw))
        break
      case 'remote': {
        const p = parseCidr(raw.trim())
        if (p === null) throw bad(key, 'an IP address or prefix', raw)
        const [a] = raw.trim().split('/')
        const v4 = p.v4 && !(a ?? '').includes(':')
        const range = `${v4 ? '::ffff:' : ''}${a ?? ''}/${p.len + (v4 ? 96 : 0)}`
        add(key, 'isIPAddressInRange(toString(r_addr), {f_remote:String})', range)
        break
      }
      case 'as':
        if (!/^(?:as)?\d{1,10}$/i.test(raw.trim())) throw bad(key, 'an AS number', raw)
        add(key, 'r_as = {f_as:UInt32}', Number(raw.trim().replace(/^as/i, '')))
        break
      case 'country':
        if (!/^[A-Za-z]{2}$|^-$/.test(raw.trim()))
          throw bad(key, 'a two-letter country code, or - for unknown', raw)
        add(
          key,
          'r_country = {f_country:String}',
          raw.trim() === '-' ? '' : raw.trim().toUpperCase(),
        )
        break
      case 'proto': {
        const p = protoNumber(raw)
        if (p === undefined) throw bad(key, 'a protocol name or number', raw)
        add(key, 'proto = {f_proto:UInt8}', p)
        break
      }
      case 'direction': {
        const d = raw.trim().toLowerCase()
        if (d === 'in' || d === 'out') {
          f.where.push(`is_in = ${d === 'in' ? 1 : 0}`)
          break
        }
        if (!(FLOW_DIRECTIONS as readonly string[]).includes(d))
          throw bad(key, `in, out or one of ${FLOW_DIRECTIONS.join(', ')}`, raw)
        add(key, 'direction = {f_direction:String}', d)
        break
      }
      case 'interface': {
        const v = raw.trim()
        if (/^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff)
          add(key, '(in_if = {f_interface:UInt32} OR out_if = {f_interface:UInt32})', Number(v))
        else if (v.length > 0 && v.length <= 256) add(key, INTERFACE_BY_NAME, v)
        else throw bad(key, 'an interface index or name', raw)
        break
      }
      case 'app': {
        const v = raw.trim()
        if (v.length === 0 || v.length > 64) throw bad(key, 'an app name, or - for none', raw)
        add(key, 'r_app = {f_app:String}', v === '-' ? '' : v)
        break
      }
      case 'service': {
        const s = parseService(raw)
        if (s === undefined) throw bad(key, 'proto/port (tcp/443), a port or a service name', raw)
        add(key, 'svc_port = {f_service:UInt16}', s.port)
        if (s.proto !== undefined) {
          f.where.push('proto = {f_service_proto:UInt8}')
          f.params['f_service_proto'] = s.proto
        }
        break
      }
    }
  }
  return f
}

export const hasFilters = (f: Filters): boolean => f.where.length > 0
