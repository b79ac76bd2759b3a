// SQL of the ClickHouse panels. Picking the table by time range: SQL cannot choose a
// table name from an expression, so panels read a UNION ALL of flows (raw), flows_1m and
// flows_1h, each branch guarded by `source`, a WITH alias computed once per query from
// the range length:
//   up to 6 h -> flows (raw, kept 15 days), up to 7 d -> flows_1m, longer -> flows_1h.
// Exactly one branch reads rows; the others are cut by a constant false WHERE.
// Variables are multi-select: `${v:singlequote}` is 'a','b'; "All" is cut by
// $__conditionalAll before the list is ever expanded.
import { ROLLUP_LOCAL_ADDR_SQL, ROLLUP_SERVICE_PORT_SQL } from '@flowloft/decoder-wasm'

const RANGE = "dateDiff('second', $__fromTime, $__toTime)"
export const SOURCE = `WITH multiIf(${RANGE} <= 6 * 3600, 'flows', ${RANGE} <= 7 * 86400, 'flows_1m', 'flows_1h') AS source`

/** Text of an address column: IPv4 dotted (mapped addresses), else IPv6. */
export const ADDR = (col) => `replaceRegexpOne(toString(${col}), '^::ffff:', '')`
/** The addresses a multi-select variable holds, as IPv6. */
const ADDRS = (v) => `arrayMap(a -> toIPv6(a), [\${${v}:singlequote}])`
const LIST = (v) => `\${${v}:singlequote}`

// The local host and the service port of a raw flow, as flows_1m/flows_1h compute
// local_addr and service_port (the flows contract, decoder-wasm/contract/flows.json).
export const LOCAL_RAW = ROLLUP_LOCAL_ADDR_SQL
const SERVICE_PORT_RAW = ROLLUP_SERVICE_PORT_SQL
const REMOTE_COUNTRY = "if(direction = 'inbound', src_country, dst_country)"
const REMOTE_AS = "if(direction = 'inbound', src_as, dst_as)"

// Filters by the dashboard variables; `host` differs between raw rows (two addresses)
// and rollups (local_addr, the local side of the flow).
export const EXPORTER = `$__conditionalAll(has(${ADDRS('exporter')}, exporter), $exporter)`
const DIRECTION = `$__conditionalAll(direction IN (${LIST('direction')}), $direction)`
export const HOST_RAW = `$__conditionalAll(hasAny(${ADDRS('host')}, [src_addr, dst_addr]), $host)`
export const HOST_ROLLUP = `$__conditionalAll(has(${ADDRS('host')}, local_addr), $host)`
const COUNTRY = `$__conditionalAll(${REMOTE_COUNTRY} IN (${LIST('country')}), $country)`
const AS = `$__conditionalAll(toString(${REMOTE_AS}) IN (${LIST('asn')}), $asn)`
/** Every variable's filter on raw flows (the explorer's). */
export const RAW_FILTERS = [EXPORTER, DIRECTION, HOST_RAW, COUNTRY, AS]

/** Rollup-able expressions: the raw form and the rollup form of each dimension. */
const DIMS = {
  direction: ['direction', 'direction'],
  exporter: ['exporter', 'exporter'],
  in_if: ['in_if', 'in_if'],
  out_if: ['out_if', 'out_if'],
  proto: ['proto', 'proto'],
  service_port: [SERVICE_PORT_RAW, 'service_port'],
  local_addr: [LOCAL_RAW, 'local_addr'],
  remote_country: [REMOTE_COUNTRY, REMOTE_COUNTRY],
  remote_as: [REMOTE_AS, REMOTE_AS],
}

/**
 * The three guarded branches: each yields `t` (bucket start, time series only), `step`
 * (bucket seconds), the named dimensions, bytes, packets and flows.
 */
export function branches(dims, { series, where = [] }) {
  const branch = (table, timeCol, bucket, step, rollup) => {
    const cols = dims.map((d) => `${DIMS[d][rollup ? 1 : 0]} AS ${d}`)
    const sums = rollup
      ? 'sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows'
      : 'sum(bytes) AS bytes, sum(packets) AS packets, count() AS flows'
    const head = series ? [`${bucket} AS t`, `${step} AS step`, ...cols] : cols
    const filters = [
      `source = '${table}'`,
      `$__timeFilter(${timeCol})`,
      EXPORTER,
      DIRECTION,
      rollup ? HOST_ROLLUP : HOST_RAW,
      COUNTRY,
      AS,
      ...where,
    ]
    const groupBy = series ? ['t', 'step', ...dims] : dims
    return [
      `  SELECT ${[...head, sums].join(', ')}`,
      `  FROM flowloft.${table}`,
      `  WHERE ${filters.join('\n    AND ')}`,
      groupBy.length ? `  GROUP BY ${groupBy.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('\n')
  }
  return [
    branch('flows', 'time_received', '$__timeInterval(time_received)', '$__interval_s', false),
    branch(
      'flows_1m',
      'time',
      'toStartOfInterval(time, INTERVAL greatest($__interval_s, 60) SECOND)',
      'greatest($__interval_s, 60)',
      true,
    ),
    branch(
      'flows_1h',
      'time',
      'toStartOfInterval(time, INTERVAL greatest($__interval_s, 3600) SECOND)',
      'greatest($__interval_s, 3600)',
      true,
    ),
  ].join('\n  UNION ALL\n')
}

const from = (dims, opts) => `FROM (\n${branches(dims, opts)}\n)`

/** Time series over the range-chosen source: `select` reads t, step, dims and sums. */
export function seriesSql(dims, select, opts = {}) {
  return [
    SOURCE,
    `SELECT t AS time, ${select}`,
    from(dims, { series: true, ...opts }),
    `GROUP BY time${dims.length ? ', ' + dims.join(', ') : ''}`,
    'ORDER BY time',
  ].join('\n')
}

/** Table over the range-chosen source. */
export function tableSql(dims, select, { order, limit = 20, ...opts }) {
  return [
    SOURCE,
    `SELECT ${select}`,
    from(dims, { series: false, ...opts }),
    dims.length ? `GROUP BY ${dims.join(', ')}` : '',
    `ORDER BY ${order}`,
    `LIMIT ${limit}`,
  ]
    .filter(Boolean)
    .join('\n')
}

export const BPS = 'sum(bytes) * 8 / any(step)'
/** How many keys a chart shows by name; the rest are summed as "other". */
export const TOP_SERIES = 9

/**
 * A chart of the TOP_SERIES keys with the most bytes over the range, by their label, and
 * the rest summed as "other". `key` is a non-empty String expression over `dims`;
 * `names` (optional) SQL yielding (key, name); `label` an expression over `key` and
 * `name` ('' without a name). Answers time, series, bps; with `perFlow`, keys rank by
 * flows and it answers time, series, flows_per_second.
 */
export function topSeriesSql({ dims, key, names, label, where = [], perFlow = false }) {
  const [measure, value] = perFlow
    ? ['flows', 'sum(r.flows) / any(r.step) AS flows_per_second']
    : ['bytes', 'sum(r.bytes) * 8 / any(r.step) AS bps']
  const nameJoin = names ? `\n    LEFT JOIN (${names}) AS n ON n.key = ranked.key` : ''
  const name = names ? 'n.name' : "''"
  return [
    SOURCE,
    `SELECT r.t AS time, if(k.label = '', 'other', k.label) AS series, ${value}`,
    `FROM (SELECT t, step, ${key} AS key, ${measure}\n${from(dims, { series: true, where })}) AS r`,
    'LEFT JOIN (',
    `  SELECT ranked.key AS key, ${label.replaceAll('{key}', 'ranked.key').replaceAll('{name}', name)} AS label`,
    `  FROM (SELECT ${key} AS key, sum(${measure}) AS total\n${from(dims, { series: false, where })}`,
    `    GROUP BY key ORDER BY total DESC, key LIMIT ${TOP_SERIES}) AS ranked${nameJoin}`,
    ') AS k ON k.key = r.key',
    'GROUP BY time, series',
    'ORDER BY time',
  ].join('\n')
}

// Names of what the rollups keep as numbers or addresses (see collector/src/api/top-rollup.ts).
export const AS_NAMES = `SELECT toString(asn) AS key, argMax(as_name, last_seen) AS name FROM flowloft.as_names GROUP BY asn`
export const EXPORTER_NAMES = `SELECT ${ADDR('exporter')} AS key, argMax(exporter_name, last_seen) AS name FROM flowloft.exporters GROUP BY exporter`
export const INTERFACE_NAMES = `SELECT concat(${ADDR('exporter')}, '/', toString(if_index)) AS key, argMax(if_name, last_seen) AS name FROM flowloft.interfaces WHERE if_name != '' GROUP BY exporter, if_index`
/** Device names from raw flows of the range's last hour, as the API names them. */
export const DEVICE_NAMES = `SELECT ${ADDR('addr')} AS key, argMax(host, host != '') AS name FROM (
      SELECT dst_addr AS addr, dst_host AS host FROM flowloft.flows
      WHERE time_received >= $__toTime - INTERVAL 1 HOUR AND time_received <= $__toTime AND dst_host != ''
      UNION ALL
      SELECT src_addr, src_host FROM flowloft.flows
      WHERE time_received >= $__toTime - INTERVAL 1 HOUR AND time_received <= $__toTime AND src_host != '')
    GROUP BY addr`
/**
 * The alerts raised in the range (flowloft.alerts, collector/src/alerts/), newest first,
 * named as the console names their kinds; `status` is ongoing or ended for a lasting
 * condition (volume, unusual, silent exporter), empty for a new destination. The device
 * variable keeps the alerts about those devices.
 */
export const ALERTS_SQL = [
  "SELECT raised_at AS time, multiIf(kind = 'new_destination', 'new destination', kind = 'device_volume', 'volume', kind = 'device_unusual', 'unusual', kind = 'exporter_silent', 'exporter silent', kind) AS alert,",
  "  subject, if(subject_name = '', subject, subject_name) AS name, message,",
  "  multiIf(kind = 'new_destination', '', toUnixTimestamp(resolved_at) = 0, 'ongoing', 'ended') AS status,",
  "  if(status = 'ended', resolved_at, NULL) AS ended",
  'FROM flowloft.alerts FINAL',
  `WHERE $__timeFilter(raised_at)\n  AND $__conditionalAll(has(${ADDRS('host')}, toIPv6OrDefault(subject)), $host)`,
  'ORDER BY raised_at DESC, id DESC',
  'LIMIT 100',
].join('\n')

/** An AS as shown: AS64496 EXAMPLE-NET. */
export const AS_LABEL = "concat('AS', {key}, if({name} = '', '', concat(' ', {name})))"

// Service names of ports below 1024 (the rollups' service_port) seen at home, as the
// console names them (udp/443 is quic); the dashboards test compares each with the
// console's own names (api/sides.ts serviceLabel). Others show their number.
const SERVICES = {
  21: 'ftp',
  22: 'ssh',
  25: 'smtp',
  53: 'dns',
  67: 'bootps',
  80: 'http',
  110: 'pop3',
  123: 'ntp',
  143: 'imap',
  161: 'snmp',
  443: 'https',
  445: 'microsoft-ds',
  465: 'submissions',
  587: 'submission',
  631: 'ipp',
  853: 'dns-over-tls',
  993: 'imaps',
  995: 'pop3s',
}
const ports = Object.keys(SERVICES)
/** The service of (proto, port): https, quic, dns, ...; 'other' for port 0. */
export const SERVICE_LABEL = (proto, port) =>
  `multiIf(${port} = 0, 'other', ${proto} = 17 AND ${port} = 443, 'quic', ${proto} NOT IN (6, 17, 132), toString(${port}), transform(toUInt32(${port}), [${ports.join(', ')}], [${ports.map((p) => `'${SERVICES[p]}'`).join(', ')}], toString(${port})))`
/** Protocol names of the common IP protocols, else the number. */
export const PROTO_LABEL = (proto) =>
  `multiIf(${proto} = 6, 'tcp', ${proto} = 17, 'udp', ${proto} = 1, 'icmp', ${proto} = 58, 'ipv6-icmp', ${proto} = 47, 'gre', ${proto} = 50, 'esp', toString(${proto}))`
