// Writes grafana/dashboards/*.json: `node grafana/generate.mjs`. The JSON files are
// checked in (Grafana reads them as they are); edit this file and regenerate.
//
// Picking the table by time range: SQL cannot choose a table name from an expression,
// so panels read a UNION ALL of flows (raw), flows_1m and flows_1h, each branch guarded
// by `source`, a WITH alias computed once per query from the range length:
//   up to 6 h -> flows (raw, kept 15 days), up to 7 d -> flows_1m, longer -> flows_1h.
// Exactly one branch reads rows; the others are cut by a constant false WHERE.
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROLLUP_LOCAL_ADDR_SQL, ROLLUP_SERVICE_PORT_SQL } from '@flowloft/decoder-wasm'

export const DATASOURCE = { type: 'grafana-clickhouse-datasource', uid: 'flowloft-clickhouse' }
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'dashboards')

const RANGE = "dateDiff('second', $__fromTime, $__toTime)"
const SOURCE = `WITH multiIf(${RANGE} <= 6 * 3600, 'flows', ${RANGE} <= 7 * 86400, 'flows_1m', 'flows_1h') AS source`

// Filters by the dashboard variables; `host` differs between raw rows (two addresses)
// and rollups (local_addr, the local side of the flow).
const EXPORTER = '$__conditionalAll(exporter = toIPv6(${exporter:singlequote}), $exporter)'
const DIRECTION = '$__conditionalAll(direction = ${direction:singlequote}, $direction)'
const HOST_RAW = '$__conditionalAll(toIPv6(${host:singlequote}) IN (src_addr, dst_addr), $host)'
const HOST_ROLLUP = '$__conditionalAll(local_addr = toIPv6(${host:singlequote}), $host)'
// The local host and the service port of a raw flow, as flows_1m/flows_1h compute
// local_addr and service_port (the flows contract, decoder-wasm/contract/flows.json).
const LOCAL_RAW = ROLLUP_LOCAL_ADDR_SQL
const SERVICE_PORT_RAW = ROLLUP_SERVICE_PORT_SQL

/** Rollup-able expressions: the raw form and the rollup form of each dimension. */
const DIMS = {
  direction: ['direction', 'direction'],
  exporter: ['exporter', 'exporter'],
  in_if: ['in_if', 'in_if'],
  proto: ['proto', 'proto'],
  service_port: [SERVICE_PORT_RAW, 'service_port'],
  local_addr: [LOCAL_RAW, 'local_addr'],
  remote_country: [
    "if(direction = 'inbound', src_country, dst_country)",
    "if(direction = 'inbound', src_country, dst_country)",
  ],
  remote_as: [
    "if(direction = 'inbound', src_as, dst_as)",
    "if(direction = 'inbound', src_as, dst_as)",
  ],
}

/**
 * The three guarded branches: each yields `t` (bucket start, time series only), `step`
 * (bucket seconds), the named dimensions, bytes, packets and flows.
 */
function branches(dims, { series, where = [] }) {
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

/** Time series over the range-chosen source: `select` reads t, step, dims and sums. */
function seriesSql(dims, select, opts = {}) {
  return [
    SOURCE,
    `SELECT t AS time, ${select}`,
    `FROM (\n${branches(dims, { series: true, ...opts })}\n)`,
    `GROUP BY time${dims.length ? ', ' + dims.join(', ') : ''}`,
    'ORDER BY time',
  ].join('\n')
}

/** Table over the range-chosen source. */
function tableSql(dims, select, { order, limit = 20, ...opts }) {
  return [
    SOURCE,
    `SELECT ${select}`,
    `FROM (\n${branches(dims, { series: false, ...opts })}\n)`,
    dims.length ? `GROUP BY ${dims.join(', ')}` : '',
    `ORDER BY ${order}`,
    `LIMIT ${limit}`,
  ]
    .filter(Boolean)
    .join('\n')
}

const BPS = 'sum(bytes) * 8 / any(step)'
const ADDR = (col) => `replaceRegexpOne(toString(${col}), '^::ffff:', '')`

let nextId = 1
function panel(type, title, rawSql, grid, extra = {}) {
  const format = type === 'timeseries' ? 0 : 1
  return {
    id: nextId++,
    type,
    title,
    datasource: DATASOURCE,
    gridPos: grid,
    targets: [
      {
        refId: 'A',
        datasource: DATASOURCE,
        editorType: 'sql',
        format,
        queryType: type === 'timeseries' ? 'timeseries' : 'table',
        rawSql,
      },
    ],
    ...extra,
  }
}
const ts = (title, sql, grid, unit) =>
  panel('timeseries', title, sql, grid, {
    fieldConfig: { defaults: { unit, custom: { fillOpacity: 10 } }, overrides: [] },
  })
const table = (title, sql, grid) => panel('table', title, sql, grid)

const VARIABLES = [
  {
    name: 'exporter',
    label: 'Exporter',
    type: 'query',
    datasource: DATASOURCE,
    query: `SELECT ${ADDR('exporter')} AS value, if(exporter_name = '', value, exporter_name) AS text FROM flowloft.exporters FINAL ORDER BY value`,
    refresh: 1,
    includeAll: true,
    multi: false,
    current: { text: 'All', value: '$__all' },
  },
  {
    name: 'direction',
    label: 'Direction',
    type: 'custom',
    query: 'inbound,outbound,internal,transit,unknown',
    includeAll: true,
    multi: false,
    current: { text: 'All', value: '$__all' },
  },
  {
    name: 'host',
    label: 'Host',
    type: 'query',
    datasource: DATASOURCE,
    // Local hosts of the last day, named by the collector's enrichment where it can.
    query: `SELECT ${ADDR('a')} AS value, if(any(name) = '', value, concat(any(name), ' (', value, ')')) AS text FROM (SELECT ${LOCAL_RAW} AS a, if(direction = 'inbound', dst_host, src_host) AS name FROM flowloft.flows WHERE time_received >= now() - INTERVAL 1 DAY AND a != toIPv6('::')) GROUP BY a ORDER BY value LIMIT 500`,
    refresh: 2,
    includeAll: true,
    multi: false,
    current: { text: 'All', value: '$__all' },
  },
]

function dashboard(uid, title, panels, description) {
  nextId = 1
  return {
    uid,
    title,
    description,
    tags: ['flowloft'],
    editable: true,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: { list: VARIABLES.map((v) => ({ ...v })) },
    panels: panels.map((p, i) => ({ ...p, id: i + 1 })),
  }
}

const W = (x, y, w, h) => ({ x, y, w, h })
const inOut = ["direction IN ('inbound', 'outbound')"]

const dashboards = {
  overview: dashboard(
    'flowloft-overview',
    'flowloft: Overview',
    [
      ts(
        'Bandwidth in / out',
        seriesSql(['direction'], `direction, ${BPS} AS bps`, { where: inOut }),
        W(0, 0, 24, 9),
        'bps',
      ),
      ts(
        'Flows per second',
        seriesSql([], 'sum(flows) / any(step) AS flows_per_second'),
        W(0, 9, 12, 8),
        'short',
      ),
      table(
        'Top talkers (local hosts)',
        tableSql(
          ['local_addr'],
          `${ADDR('local_addr')} AS host, sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows`,
          {
            where: ["direction IN ('inbound', 'outbound', 'internal')"],
            order: 'bytes DESC',
          },
        ),
        W(12, 9, 12, 8),
      ),
    ],
    'Traffic in and out, flow rate and top local hosts',
  ),

  countries: dashboard(
    'flowloft-countries-ases',
    'flowloft: Countries and ASes',
    [
      ts(
        'Bandwidth by remote country',
        seriesSql(
          ['remote_country'],
          `if(remote_country = '', 'unknown', remote_country) AS country, ${BPS} AS bps`,
          { where: inOut },
        ),
        W(0, 0, 24, 9),
        'bps',
      ),
      table(
        'Top countries',
        tableSql(
          ['remote_country', 'direction'],
          "if(remote_country = '', 'unknown', remote_country) AS country, direction, sum(bytes) AS bytes, sum(flows) AS flows",
          { where: inOut, order: 'bytes DESC' },
        ),
        W(0, 9, 12, 10),
      ),
      table(
        'Top ASes',
        tableSql(
          ['remote_as', 'direction'],
          'remote_as AS asn, direction, sum(bytes) AS bytes, sum(flows) AS flows',
          { where: inOut, order: 'bytes DESC' },
        ),
        W(12, 9, 12, 10),
      ),
    ],
    'Remote side of inbound and outbound traffic (AS names: see the Flow explorer)',
  ),

  hosts: dashboard(
    'flowloft-hosts',
    'flowloft: Hosts',
    [
      ts(
        'Per host in / out',
        seriesSql(
          ['local_addr', 'direction'],
          `concat(${ADDR('local_addr')}, ' ', toString(direction)) AS host, ${BPS} AS bps`,
          { where: inOut },
        ),
        W(0, 0, 24, 10),
        'bps',
      ),
      table(
        'Hosts with names',
        [
          SOURCE,
          `SELECT ${ADDR('h.local_addr')} AS host, any(n.name) AS name,`,
          "  sumIf(h.bytes, h.direction = 'inbound') AS bytes_in, sumIf(h.bytes, h.direction = 'outbound') AS bytes_out, sum(h.flows) AS flows",
          `FROM (\n${branches(['local_addr', 'direction'], { series: false, where: ["direction IN ('inbound', 'outbound', 'internal')"] })}\n) AS h`,
          'LEFT JOIN (',
          `  SELECT ${LOCAL_RAW} AS local_addr, any(if(direction = 'inbound', dst_host, src_host)) AS name`,
          "  FROM flowloft.flows WHERE $__timeFilter(time_received) AND if(direction = 'inbound', dst_host, src_host) != ''",
          '  GROUP BY local_addr',
          ') AS n ON n.local_addr = h.local_addr',
          'GROUP BY h.local_addr',
          'ORDER BY bytes_in + bytes_out DESC',
          'LIMIT 50',
        ].join('\n'),
        W(0, 10, 24, 10),
      ),
    ],
    'Traffic per local host; names from reverse DNS, aliases and logs (raw flows, last 15 days)',
  ),

  protocols: dashboard(
    'flowloft-protocols-ports',
    'flowloft: Protocols and ports',
    [
      ts(
        'Bandwidth by protocol',
        seriesSql(
          ['proto'],
          `multiIf(proto = 6, 'tcp', proto = 17, 'udp', proto = 1, 'icmp', proto = 58, 'icmpv6', toString(proto)) AS protocol, ${BPS} AS bps`,
        ),
        W(0, 0, 24, 9),
        'bps',
      ),
      table(
        'Top services (port below 1024; 0 = other)',
        tableSql(
          ['proto', 'service_port'],
          'proto, service_port, sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows',
          { order: 'bytes DESC' },
        ),
        W(0, 9, 24, 10),
      ),
    ],
    'Protocols and service ports',
  ),

  exporters: dashboard(
    'flowloft-exporters-interfaces',
    'flowloft: Exporters and interfaces',
    [
      ts(
        'Bandwidth by exporter and input interface',
        seriesSql(
          ['exporter', 'in_if'],
          `concat(${ADDR('exporter')}, ' if ', toString(in_if)) AS interface, ${BPS} AS bps`,
        ),
        W(0, 0, 24, 9),
        'bps',
      ),
      table(
        'Exporters',
        `SELECT ${ADDR('exporter')} AS exporter_ip, exporter_name, flow_type, sampling_rate, last_seen\nFROM flowloft.exporters FINAL\nWHERE ${EXPORTER}\nORDER BY exporter`,
        W(0, 9, 12, 9),
      ),
      table(
        'Interfaces',
        `SELECT ${ADDR('exporter')} AS exporter_ip, if_index, if_name, last_seen\nFROM flowloft.interfaces FINAL\nWHERE ${EXPORTER}\nORDER BY exporter, if_index\nLIMIT 1000`,
        W(12, 9, 12, 9),
      ),
    ],
    'What each exporter sends, per interface',
  ),

  explorer: dashboard(
    'flowloft-flow-explorer',
    'flowloft: Flow explorer',
    [
      table(
        'Flows (raw table: last 15 days, newest first)',
        [
          `SELECT time_received, ${ADDR('exporter')} AS exporter_ip, flow_type, ${ADDR('src_addr')} AS src, src_port, ${ADDR('dst_addr')} AS dst, dst_port,`,
          '  proto_name, direction, bytes, packets, src_host, dst_host, src_country, dst_country, src_as, src_as_name, dst_as, dst_as_name,',
          '  in_if_name, out_if_name, sampling_rate',
          'FROM flowloft.flows',
          `WHERE $__timeFilter(time_received)\n  AND ${EXPORTER}\n  AND ${DIRECTION}\n  AND ${HOST_RAW}`,
          'ORDER BY time_received DESC',
          'LIMIT 1000',
        ].join('\n'),
        W(0, 0, 24, 20),
      ),
    ],
    'Raw flows filtered by exporter, direction and host',
  ),

  health: dashboard(
    'flowloft-collector-health',
    'flowloft: Collector health',
    [
      table(
        'Freshness of each table (seconds since the newest row)',
        [
          "SELECT table, newest, dateDiff('second', newest, now()) AS age_seconds FROM (",
          "  SELECT 'flows' AS table, max(time_received) AS newest FROM flowloft.flows WHERE time_received >= now() - INTERVAL 1 DAY",
          '  UNION ALL',
          "  SELECT 'flows_1m', max(time) FROM flowloft.flows_1m WHERE time >= now() - INTERVAL 1 DAY",
          '  UNION ALL',
          "  SELECT 'flows_1h', max(time) FROM flowloft.flows_1h WHERE time >= now() - INTERVAL 2 DAY",
          ')',
          'ORDER BY table',
        ].join('\n'),
        W(0, 0, 12, 8),
      ),
      table(
        'Exporters last seen',
        `SELECT ${ADDR('exporter')} AS exporter_ip, exporter_name, flow_type, last_seen, dateDiff('second', last_seen, now()) AS silent_seconds\nFROM flowloft.exporters FINAL\nWHERE ${EXPORTER}\nORDER BY last_seen DESC`,
        W(12, 0, 12, 8),
      ),
      ts(
        'Stored flows per second by exporter',
        seriesSql(
          ['exporter'],
          `${ADDR('exporter')} AS exporter_addr, sum(flows) / any(step) AS flows_per_second`,
        ),
        W(0, 8, 24, 9),
        'short',
      ),
    ],
    'From flowloft tables; decoder rejects, drops and writer spool are Prometheus metrics on /metrics (compose profile prometheus)',
  ),
}

mkdirSync(OUT, { recursive: true })
for (const [name, d] of Object.entries(dashboards)) {
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(d, null, 2)}\n`)
}
console.log(`wrote ${Object.keys(dashboards).length} dashboards into ${OUT}`)
