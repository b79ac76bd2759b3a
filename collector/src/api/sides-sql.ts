// Raw flows seen from the local side: each flow becomes one row per local device it
// touches, with is_in = 1 when the bytes went to that device. Inbound flows give their
// destination, outbound flows their source, internal flows both (the sender's out and
// the receiver's in); unknown and transit flows have no local side and are left out.
// l_* is the local device, r_* the other side (r_app: the app its host name belongs to,
// schema/0006_apps.sql), svc_port the flow's service port;
// flow_bytes and flow_packets the counters (so sums may be named bytes and packets).
import { LOCAL_SIDE, SERVICE_PORT_BELOW } from '@flowloft/decoder-wasm'
import { WELL_KNOWN_PORTS } from '../enrich/services.js'
import { protocolName } from '../flows/protocols.js'
import type { Filters } from './filters.js'
import { nowSeconds, parseWindow, WINDOW_SQL } from './params.js'
import {
  chooseSource,
  parseSource,
  type RetentionDays,
  type Source,
  type SourceChoice,
} from './source.js'

/** Protocol names by number (the number when unnamed), for the rollups, which keep the number. */
const PROTO_NAMES = Array.from({ length: 256 }, (_, p) => protocolName(p))

/**
 * The service port: a well-known port of either side (the lower when both are), else
 * the lower port below SERVICE_PORT_BELOW (1024), else 0 (client port to client port,
 * ICMP, other protocols).
 */
export const SERVICE_PORT_SQL = `multiIf(proto NOT IN (6, 17, 132), 0,
    has({known_ports:Array(UInt16)}, src_port) AND has({known_ports:Array(UInt16)}, dst_port),
      least(src_port, dst_port),
    has({known_ports:Array(UInt16)}, dst_port), dst_port,
    has({known_ports:Array(UInt16)}, src_port), src_port,
    least(src_port, dst_port) < ${SERVICE_PORT_BELOW}, least(src_port, dst_port), 0)`

/** One row per local side of a flow: inbound its receiver, outbound its sender, internal both. */
const SIDES_JOIN = `ARRAY JOIN multiIf(direction = 'inbound', [1], direction = 'outbound', [0],
      direction = 'internal', [1, 0], []) AS is_in`

/** The sided columns of a row that has both addresses and names (raw flows, flows_hosts_*). */
const BOTH_SIDES = `direction, is_in,
      if(is_in, dst_addr, src_addr) AS l_addr, if(is_in, dst_host, src_host) AS l_host,
      if(is_in, src_addr, dst_addr) AS r_addr, if(is_in, src_host, dst_host) AS r_host,
      if(is_in, src_as, dst_as) AS r_as`

/**
 * Sided rows of the window (parameters from, to, known_ports, proto_names and the
 * filters'), as a subquery, from raw flows or a rollup. flows_1m/_1h/_1d keep no
 * remote address, host names or AS names (l_host, r_host and r_as_name are empty), and
 * they name only the sender of an internal flow (their local_addr): with a device
 * filter or `byDevice` (rows grouped by l_addr) an internal flow counts for its sender
 * only; otherwise for both sides, its receiving row's l_addr being the sender's.
 * flows_hosts_1m/_1h/_1d keep both addresses and names (not AS names) but no exporter
 * or interface. The rollups' service port is the lower port below 1024. `internet`:
 * only flows that cross to the outside.
 */
export function sidedSql(
  f: Filters,
  internet: boolean,
  source: Source = 'flows',
  byDevice = false,
): string {
  const where = [...f.where, ...(internet ? ["direction != 'internal'"] : [])]
  const outer = where.length ? ` WHERE ${where.join(' AND ')}` : ''
  if (source.startsWith('flows_hosts_')) return `(SELECT * FROM (${hostsSql(source)})${outer})`
  if (source !== 'flows') {
    // A rollup row is inbound to its local_addr, outbound or internal from it. Without a
    // device, an internal row is also received (by a device the rollups do not name), as
    // on raw flows: a second pass over the internal rows alone. (One pass with an ARRAY
    // JOIN of the sides took twice as long on a month of flows_1h.)
    const rows = (isIn: string, directions: string): string => `
    SELECT time AS time_received, bytes AS flow_bytes, packets AS flow_packets, flows AS flow_rows,
      proto, {proto_names:Array(String)}[proto + 1] AS proto_label, exporter, in_if, out_if,
      direction, ${isIn} AS is_in,
      local_addr AS l_addr, '' AS l_host, toIPv6('::') AS r_addr, '' AS r_host,
      if(is_in, src_as, dst_as) AS r_as, '' AS r_as_name,
      if(is_in, src_country, dst_country) AS r_country, service_port AS svc_port, app AS r_app
    FROM flowloft.${source}
    WHERE time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})
      AND direction IN (${directions})`
    const list = (ds: readonly string[]): string => ds.map((d) => `'${d}'`).join(', ')
    const isIn = `toUInt8(direction IN (${list(LOCAL_SIDE.dst_addr)}))`
    const sided = [...LOCAL_SIDE.dst_addr, ...LOCAL_SIDE.src_addr]
    const senderOnly = byDevice || f.given.device !== undefined
    const sides = internet
      ? rows(isIn, list(sided.filter((d) => d !== 'internal')))
      : senderOnly
        ? rows(isIn, list(sided))
        : `${rows(isIn, list(sided))}
    UNION ALL${rows('toUInt8(1)', `'internal'`)}`
    return `(SELECT * FROM (${sides})${outer})`
  }
  return `(SELECT * FROM (
    SELECT time_received, bytes AS flow_bytes, packets AS flow_packets, 1 AS flow_rows, proto,
      if(proto_name != '', proto_name, toString(proto)) AS proto_label, exporter, in_if, out_if,
      ${BOTH_SIDES}, if(is_in, src_as_name, dst_as_name) AS r_as_name,
      if(is_in, src_country, dst_country) AS r_country,
      ${SERVICE_PORT_SQL} AS svc_port, app AS r_app
    FROM flowloft.flows
    ${SIDES_JOIN}
    WHERE ${WINDOW_SQL})${outer})`
}

/** Sided rows of a flows_hosts_* table: as raw flows, without exporter and interfaces. */
const hostsSql = (table: Source): string => `
    SELECT time AS time_received, bytes AS flow_bytes, packets AS flow_packets, flows AS flow_rows,
      proto, {proto_names:Array(String)}[proto + 1] AS proto_label,
      ${BOTH_SIDES}, '' AS r_as_name, if(is_in, src_country, dst_country) AS r_country,
      service_port AS svc_port, app AS r_app
    FROM flowloft.${table}
    ${SIDES_JOIN}
    WHERE time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})`

/** Whether the rollups' service port (the lower port below 1024) answers the service filter. */
const rollupService = (f: Filters): boolean =>
  !(typeof f.params['f_service'] === 'number' && f.params['f_service'] >= SERVICE_PORT_BELOW)

/** Whether flows_1m/_1h/_1d can answer with these filters (they keep no remote address). */
export const rollupFilters = (f: Filters): boolean =>
  f.given.remote === undefined && rollupService(f)

/** Whether flows_hosts_* can answer with these filters (they keep no exporter or interface). */
export const hostsFilters = (f: Filters): boolean =>
  f.given.exporter === undefined && f.given.interface === undefined && rollupService(f)

export const sidedParams = (
  f: Filters,
  w: { from: number; to: number },
): Record<string, unknown> => ({
  ...f.params,
  from: w.from,
  to: w.to,
  known_ports: WELL_KNOWN_PORTS,
  proto_names: PROTO_NAMES,
})

/** Sums of sided rows: in_bytes went to the local devices, out_bytes came from them. */
export const SIDED_SUMS = `sumIf(flow_bytes, is_in = 1) AS in_bytes,
  sumIf(flow_bytes, is_in = 0) AS out_bytes, sum(flow_bytes) AS bytes, sum(flow_rows) AS flows`

/**
 * Whether a rollup's answer would differ from raw flows': it names only the sender of an
 * internal flow, so rows per device (or for one device) miss the receiver's bytes unless
 * the direction filter leaves received internal bytes out.
 */
export const rollupApproximate = (f: Filters, perDevice: boolean): boolean =>
  (perDevice || f.given.device !== undefined) &&
  !['out', 'outbound', 'inbound'].includes((f.given.direction ?? '').trim().toLowerCase())

/**
 * The table to read for the query string's window: raw flows, or a rollup when it can
 * answer (`rollup`: flows_1m/_1h/_1d, else `hosts`: flows_hosts_*); with `approximate`,
 * flows_1m/_1h/_1d only when the window needs it (see chooseSource).
 */
export function sidedSource(
  q: (k: string) => string | undefined,
  rollup: boolean,
  retention: RetentionDays,
  approximate = false,
  hosts = false,
): SourceChoice {
  return chooseSource({
    window: parseWindow(q),
    rollup,
    hosts,
    approximate,
    forced: parseSource(q('source')),
    retention,
    now: nowSeconds(),
  })
}
