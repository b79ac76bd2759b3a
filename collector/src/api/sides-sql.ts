// Raw flows seen from the local side: each flow becomes one row per local device it
// touches, with is_in = 1 when the bytes went to that device. Inbound flows give their
// destination, outbound flows their source, internal flows both (the sender's out and
// the receiver's in); unknown and transit flows have no local side and are left out.
// l_* is the local device, r_* the other side (r_app: the app its host name belongs to,
// schema/0006_apps.sql), svc_port the flow's service port, grain the seconds a rollup
// row covers from time_received (0 for a raw flow);
// flow_bytes and flow_packets the counters (so sums may be named bytes and packets).
import { LOCAL_SIDE, SERVICE_PORT_BELOW } from '@flowloft/decoder-wasm'
import { WELL_KNOWN_PORTS } from '../enrich/services.js'
import { protocolName } from '../flows/protocols.js'
import type { Filters } from './filters.js'
import { filledUntilSql, scheduledRollup } from '../clickhouse/rollup-schedule.js'
import { nowSeconds, parseWindow, WINDOW_SQL } from './params.js'
import {
  chooseSource,
  coarserOf,
  DEVICE_HOURS,
  grainOf,
  keepsAddresses,
  parseSource,
  type RetentionDays,
  type RollupSource,
  type Source,
  type SourceChoice,
  type SourceRequest,
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

/**
 * A rollup's rows of the window (parameters from, to), each with its grain in seconds
 * (row_grain). With `stitch`, the window's whole hours (or days) come from the next
 * coarser table (as far as it is filled: filledRows) and only its edges from this one:
 * the same sums from fewer rows, but `time` is then the hour's (day's) start in the
 * middle of the window, so only for answers that do not group by time (first and last
 * seen then to the hour there).
 */
export function rollupRows(table: RollupSource, stitch: boolean): string {
  const c = stitch ? coarserOf(table) : undefined
  const parts = c
    ? [
        ...filledRows(c.table, wholeGrains(c.grain)),
        ...filledRows(table, `${WINDOW} AND NOT (${wholeGrains(c.grain)})`),
      ]
    : filledRows(table, WINDOW)
  return `(${parts.join('\n    UNION ALL\n    ')})`
}

/** The columns of flows_pairs_1d (schema/0010), which the hosts' tables have too. */
const PAIRS_COLUMNS = `time, direction, src_addr, dst_addr, src_host, dst_host, src_country,
      dst_country, src_as, dst_as, bytes, packets, flows`

/**
 * A rollup's rows where `cond` holds, each with its grain (row_grain). A rollup rolled on
 * a schedule (clickhouse/rollup-schedule.ts) holds the times before its mark in
 * rollup_fill; the later ones come from the level below it, down to the minutes, which
 * the views fill on every insert.
 */
function filledRows(
  table: RollupSource,
  cond: string,
  columns = table === 'flows_pairs_1d' ? PAIRS_COLUMNS : '*',
): string[] {
  const own = `SELECT ${columns}, ${grainOf(table)} AS row_grain FROM flowloft.${table} WHERE ${cond}`
  const r = scheduledRollup(table)
  if (!r) return [own]
  const mark = filledUntilSql(table)
  return [
    `${own} AND time < ${mark}`,
    ...filledRows(r.source as RollupSource, `${cond} AND time >= ${mark}`, columns),
  ]
}

const WINDOW = 'time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})'

/** The whole grains (hours, days) of the window (parameters from, to). */
const wholeGrains = (
  g: number,
): string => `time >= toDateTime(intDiv({from:UInt32} + ${g - 1}, ${g}) * ${g})
      AND time < toDateTime(intDiv({to:UInt32}, ${g}) * ${g})`

/**
 * Conditions on a flow's own addresses that the sided rows' device and remote filters
 * imply (a device is one of them, so is a remote address): kept before the sides are
 * split, they let the engine read the other columns of the matching rows only.
 */
function addrPrefilter(f: Filters): string {
  const both = (cond: (col: string) => string): string =>
    ` AND (${cond('src_addr')} OR ${cond('dst_addr')})`
  const remote = f.params['f_remote']
  // One address (a /128 range): compared as an address, not as text.
  const one = typeof remote === 'string' && remote.endsWith('/128')
  return (
    (f.given.device === undefined ? '' : both((a) => `${a} = toIPv6({f_device:String})`)) +
    (remote === undefined
      ? ''
      : both((a) =>
          one
            ? `${a} = toIPv6(splitByChar('/', {f_remote:String})[1])`
            : `isIPAddressInRange(toString(${a}), {f_remote:String})`,
        ))
  )
}

/** One row per local side of a flow: inbound its receiver, outbound its sender, internal both. */
const SIDES_JOIN = `ARRAY JOIN multiIf(direction = 'inbound', [1], direction = 'outbound', [0],
      direction = 'internal', [1, 0], []) AS is_in`

/** The sided columns of a row that has both addresses and names (raw flows, flows_hosts_*). */
const BOTH_SIDES = `direction, is_in,
      if(is_in, dst_addr, src_addr) AS l_addr, if(is_in, dst_host, src_host) AS l_host,
      if(is_in, src_addr, dst_addr) AS r_addr, if(is_in, src_host, dst_host) AS r_host,
      if(is_in, src_as, dst_as) AS r_as`

/**
 * How a rollup's window may be read from coarser tables, for answers that neither group
 * nor bound by time: 'coarser', its whole hours (or days) from the next coarser table
 * (rollupRows); 'device', also the whole hours of flows_1m from device_traffic_1h when
 * one device is asked for, which only an answer of that device's sums may use (the table
 * keeps no remote side, protocol, app, exporter or interface).
 */
export type Stitch = 'none' | 'coarser' | 'device'

/**
 * Sided rows of the window (parameters from, to, known_ports, proto_names and the
 * filters'), as a subquery, from raw flows or a rollup (`stitch`: see Stitch).
 * flows_1m/_1h/_1d keep no remote address, host names or AS names (l_host, r_host and
 * r_as_name are empty), and they name only the sender of an internal flow (their
 * local_addr): with a device filter or `byDevice` (rows grouped by l_addr) an internal
 * flow counts for its sender only; otherwise for both sides, its receiving row's l_addr
 * being the sender's.
 * flows_hosts_1m/_1h/_1d keep both addresses and names (not AS names) but no exporter
 * or interface. The rollups' service port is the lower port below 1024. `internet`:
 * only flows that cross to the outside.
 */
export function sidedSql(
  f: Filters,
  internet: boolean,
  source: Source = 'flows',
  byDevice = false,
  stitch: Stitch = 'none',
): string {
  const where = [...f.where, ...(internet ? ["direction != 'internal'"] : [])]
  const outer = where.length ? ` WHERE ${where.join(' AND ')}` : ''
  if (source === 'flows') return `(SELECT * FROM (${rawSql(f)})${outer})`
  if (keepsAddresses(source))
    return `(SELECT * FROM (${hostsSql(f, source, stitch !== 'none')})${outer})`
  // A rollup row is inbound to its local_addr, outbound or internal from it. Without a
  // device, an internal row is also received (by a device the rollups do not name), as
  // on raw flows: a second pass over the internal rows alone. (One pass with an ARRAY
  // JOIN of the sides took twice as long on a month of flows_1h.) With a device, every
  // row's l_addr is its local_addr (the sender only): filtered before the sides.
  const device = f.given.device === undefined ? '' : ' AND local_addr = toIPv6({f_device:String})'
  const rows = (
    isIn: string,
    directions: string,
    table = rollupRows(source, stitch !== 'none'),
  ): string => `
  SELECT time AS time_received, bytes AS flow_bytes, packets AS flow_packets, flows AS flow_rows,
    proto, {proto_names:Array(String)}[proto + 1] AS proto_label, exporter, in_if, out_if,
    direction, ${isIn} AS is_in,
    local_addr AS l_addr, '' AS l_host, toIPv6('::') AS r_addr, '' AS r_host,
    if(is_in, src_as, dst_as) AS r_as, '' AS r_as_name,
    if(is_in, src_country, dst_country) AS r_country, service_port AS svc_port, app AS r_app,
    row_grain AS grain
  FROM ${table}
  WHERE direction IN (${directions})${device}`
  const list = (ds: readonly string[]): string => ds.map((d) => `'${d}'`).join(', ')
  const isIn = `toUInt8(direction IN (${list(LOCAL_SIDE.dst_addr)}))`
  const sided = [...LOCAL_SIDE.dst_addr, ...LOCAL_SIDE.src_addr]
  const directions = list(internet ? sided.filter((d) => d !== 'internal') : sided)
  if (source === DEVICE_HOURS)
    return `(SELECT * FROM (${deviceRows(isIn, directions, WINDOW)})${outer})`
  if (stitch === 'device' && source === 'flows_1m' && deviceFilters(f)) {
    // The window's whole hours from the device's own hours, its edges from the minutes.
    const edges = `(SELECT *, 60 AS row_grain FROM flowloft.flows_1m
      WHERE ${WINDOW} AND NOT (${wholeGrains(3600)}))`
    return `(SELECT * FROM (${deviceRows(isIn, directions, wholeGrains(3600))}
  UNION ALL${rows(isIn, directions, edges)})${outer})`
  }
  const senderOnly = byDevice || f.given.device !== undefined
  const sides =
    internet || senderOnly
      ? rows(isIn, directions)
      : `${rows(isIn, directions)}
  UNION ALL${rows('toUInt8(1)', `'internal'`)}`
  return `(SELECT * FROM (${sides})${outer})`
}

/**
 * Sided rows of one device from device_traffic_1h (schema/0009): its local_addr, hour,
 * direction and sums; the columns it does not keep are empty.
 */
const deviceRows = (isIn: string, directions: string, where: string): string => `
  SELECT time AS time_received, bytes AS flow_bytes, packets AS flow_packets, flows AS flow_rows,
    toUInt8(0) AS proto, '' AS proto_label, toIPv6('::') AS exporter, toUInt32(0) AS in_if,
    toUInt32(0) AS out_if, direction, ${isIn} AS is_in,
    local_addr AS l_addr, '' AS l_host, toIPv6('::') AS r_addr, '' AS r_host,
    toUInt32(0) AS r_as, '' AS r_as_name, '' AS r_country, toUInt16(0) AS svc_port, '' AS r_app,
    3600 AS grain
  FROM flowloft.${DEVICE_HOURS}
  WHERE local_addr = toIPv6({f_device:String}) AND ${where} AND direction IN (${directions})`

/** Sided rows of raw flows. */
const rawSql = (f: Filters): string => `
    SELECT time_received, bytes AS flow_bytes, packets AS flow_packets, 1 AS flow_rows, proto,
      if(proto_name != '', proto_name, toString(proto)) AS proto_label, exporter, in_if, out_if,
      ${BOTH_SIDES}, if(is_in, src_as_name, dst_as_name) AS r_as_name,
      if(is_in, src_country, dst_country) AS r_country,
      ${SERVICE_PORT_SQL} AS svc_port, app AS r_app, 0 AS grain
    FROM flowloft.flows
    ${SIDES_JOIN}
    WHERE ${WINDOW_SQL}${addrPrefilter(f)}`

/**
 * Sided rows of a flows_hosts_* table: as raw flows, without exporter and interfaces;
 * of flows_pairs_1d also without protocol, service port and app (empty).
 */
function hostsSql(f: Filters, table: RollupSource, stitch: boolean): string {
  const pairs = table === 'flows_pairs_1d'
  const kept = pairs
    ? `toUInt8(0) AS proto, '' AS proto_label`
    : `proto, {proto_names:Array(String)}[proto + 1] AS proto_label`
  const service = pairs
    ? `toUInt16(0) AS svc_port, '' AS r_app`
    : `service_port AS svc_port, app AS r_app`
  return `
    SELECT time AS time_received, bytes AS flow_bytes, packets AS flow_packets, flows AS flow_rows,
      ${kept}, ${BOTH_SIDES}, '' AS r_as_name, if(is_in, src_country, dst_country) AS r_country,
      ${service}, row_grain AS grain
    FROM ${rollupRows(table, stitch)}
    ${SIDES_JOIN}
    WHERE 1${addrPrefilter(f)}`
}

/** Whether the rollups' service port (the lower port below 1024) answers the service filter. */
const rollupService = (f: Filters): boolean =>
  !(typeof f.params['f_service'] === 'number' && f.params['f_service'] >= SERVICE_PORT_BELOW)

/** Whether flows_1m/_1h/_1d can answer with these filters (they keep no remote address). */
export const rollupFilters = (f: Filters): boolean =>
  f.given.remote === undefined && rollupService(f)

/** Whether device_traffic_1h can answer: one device, at most a direction filter besides. */
export const deviceFilters = (f: Filters): boolean =>
  f.given.device !== undefined &&
  Object.keys(f.given).every((k) => k === 'device' || k === 'direction')

/** Whether flows_hosts_* can answer with these filters (they keep no exporter or interface). */
export const hostsFilters = (f: Filters): boolean =>
  f.given.exporter === undefined && f.given.interface === undefined && rollupService(f)

/** Whether flows_pairs_1d can answer too: no protocol, service or app filter either. */
export const pairsFilters = (f: Filters): boolean =>
  hostsFilters(f) &&
  f.given.proto === undefined &&
  f.given.service === undefined &&
  f.given.app === undefined

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

/** Which rollups hold what a view asks (SourceRequest's flags: rollup, hosts, pairs, ...). */
type Holders = Pick<SourceRequest, 'rollup' | 'hosts' | 'pairs' | 'device' | 'approximate'>

/**
 * The table to read for the query string's window: raw flows, or a rollup when it can
 * answer (`rollup`: flows_1m/_1h/_1d, else `hosts`: flows_hosts_*, and with `pairs` also
 * flows_pairs_1d; `device`: device_traffic_1h); with `approximate`, flows_1m/_1h/_1d
 * only when the window needs it (see chooseSource).
 */
export function sidedSource(
  q: (k: string) => string | undefined,
  retention: RetentionDays,
  holders: Holders,
): SourceChoice {
  return chooseSource({
    window: parseWindow(q),
    ...holders,
    forced: parseSource(q('source')),
    retention,
    now: nowSeconds(),
  })
}
