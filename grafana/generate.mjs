// Writes grafana/dashboards/*.json: `node grafana/generate.mjs`. The JSON files are
// checked in (Grafana reads them as they are); edit the generator and regenerate.
// SQL builders: generator/sql.mjs (the range picks raw flows, flows_1m or flows_1h);
// panels, units and links: generator/panels.mjs; variables: generator/variables.mjs;
// the Prometheus self-monitoring dashboard: generator/prometheus.mjs.
import { writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ADDR,
  ALERTS_SQL,
  AS_LABEL,
  AS_NAMES,
  BPS,
  DEVICE_NAMES,
  EXPORTER,
  EXPORTER_NAMES,
  INTERFACE_NAMES,
  PROTO_LABEL,
  RAW_FILTERS,
  SERVICE_LABEL,
  SOURCE,
  branches,
  seriesSql,
  tableSql,
  topSeriesSql,
} from './generator/sql.mjs'
import {
  W,
  consoleLink,
  countryMap,
  dashboard,
  dashboardLink,
  table,
  ts,
} from './generator/panels.mjs'
import { selfMonitoring } from './generator/prometheus.mjs'
import { USAGE_VARIABLES, usageSql } from './generator/usage.mjs'
import { VARIABLES } from './generator/variables.mjs'

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'dashboards')

const UID = {
  overview: 'flowloft-overview',
  countries: 'flowloft-countries-ases',
  hosts: 'flowloft-hosts',
  protocols: 'flowloft-protocols-ports',
  exporters: 'flowloft-exporters-interfaces',
  explorer: 'flowloft-flow-explorer',
  health: 'flowloft-collector-health',
}

const inOut = ["direction IN ('inbound', 'outbound')"]
const IN_OUT =
  "sumIf(bytes, direction = 'inbound') AS bytes_in, sumIf(bytes, direction = 'outbound') AS bytes_out"

/** Devices (local side of inbound and outbound flows) with names, bytes in and out. */
function devicesSql(limit) {
  return [
    SOURCE,
    "SELECT h.address AS address, if(n.name = '', h.address, n.name) AS name, h.bytes_in AS bytes_in, h.bytes_out AS bytes_out, h.packets AS packets, h.flows AS flows",
    `FROM (\n  SELECT ${ADDR('local_addr')} AS address, ${IN_OUT}, sum(packets) AS packets, sum(flows) AS flows`,
    `  FROM (\n${branches(['local_addr', 'direction'], { series: false, where: inOut })}\n)`,
    `  GROUP BY local_addr ORDER BY bytes_in + bytes_out DESC, address LIMIT ${limit}`,
    `) AS h\nLEFT JOIN (${DEVICE_NAMES}) AS n ON n.key = h.address`,
    'ORDER BY bytes_in + bytes_out DESC, address',
  ].join('\n')
}
const deviceLinks = [
  consoleLink('device', 'address', 'Device page in the console'),
  dashboardLink(UID.hosts, 'host', 'address', 'Devices dashboard, this device only'),
  dashboardLink(UID.countries, 'host', 'address', "This device's countries and ASes"),
]

/** Remote ASes of inbound and outbound flows, named, bytes in and out. */
function asesSql(limit) {
  return [
    SOURCE,
    "SELECT a.asn AS asn, if(n.name = '', if(a.asn = '0', 'unknown or private', ''), n.name) AS as_name, a.bytes_in AS bytes_in, a.bytes_out AS bytes_out, a.flows AS flows",
    `FROM (\n  SELECT toString(remote_as) AS asn, ${IN_OUT}, sum(flows) AS flows`,
    `  FROM (\n${branches(['remote_as', 'direction'], { series: false, where: inOut })}\n)`,
    `  GROUP BY remote_as ORDER BY bytes_in + bytes_out DESC, asn LIMIT ${limit}`,
    `) AS a\nLEFT JOIN (${AS_NAMES}) AS n ON n.key = a.asn`,
    'ORDER BY bytes_in + bytes_out DESC, asn',
  ].join('\n')
}
const asLinks = [
  consoleLink('as', 'asn', 'AS page in the console'),
  dashboardLink(UID.countries, 'asn', 'asn', 'This AS only'),
]

/** Remote countries of inbound and outbound flows ('-': unknown), bytes in and out. */
function countriesSql(limit) {
  return [
    SOURCE,
    `SELECT if(remote_country = '', '-', remote_country) AS country, ${IN_OUT}, sum(flows) AS flows`,
    `FROM (\n${branches(['remote_country', 'direction'], { series: false, where: inOut })}\n)`,
    `GROUP BY remote_country ORDER BY bytes_in + bytes_out DESC, country LIMIT ${limit}`,
  ].join('\n')
}
const countryLinks = [
  consoleLink('country', 'country', 'Country page in the console'),
  dashboardLink(UID.countries, 'country', 'country', 'This country only'),
]

const alertLinks = [
  consoleLink('alerts', 'subject', 'Its alerts in the console (and its page)', 'device'),
]

const deviceSeries = topSeriesSql({
  dims: ['local_addr'],
  key: ADDR('local_addr'),
  names: DEVICE_NAMES,
  label: "if({name} = '', {key}, {name})",
  where: inOut,
})

const dashboards = {
  overview: dashboard(
    UID.overview,
    'flowloft: Overview',
    [
      ts(
        'Internet line: download / upload',
        seriesSql(
          ['direction'],
          `if(direction = 'inbound', 'download (in)', 'upload (out)') AS series, ${BPS} AS bps`,
          { where: inOut },
        ),
        W(0, 0, 24, 9),
        'bps',
        {
          bySeries: true,
          description: 'The legend shows the current rate, the peak and the mean of the range',
        },
      ),
      table('Top devices', devicesSql(10), W(0, 9, 12, 9), {
        links: { name: deviceLinks, address: deviceLinks },
      }),
      table('Top remote ASes', asesSql(10), W(12, 9, 12, 9), {
        links: { asn: asLinks, as_name: asLinks },
      }),
      table('Top remote countries', countriesSql(10), W(0, 18, 12, 8), {
        links: { country: countryLinks },
      }),
      ts(
        'Flows per second',
        seriesSql([], 'sum(flows) / any(step) AS flows_per_second'),
        W(12, 18, 12, 8),
        'short',
      ),
      table('Alerts (newest first)', ALERTS_SQL, W(0, 26, 24, 8), {
        links: { subject: alertLinks, name: alertLinks },
        description:
          'The alerts raised in the range: new countries and networks, volume, unusual volume, silent exporters (docs/alerts.md). Empty while alerts.enabled is false.',
      }),
    ],
    'Your internet line in and out, top devices, the remote ASes and countries they talk to, the alerts',
  ),

  countries: dashboard(
    UID.countries,
    'flowloft: Countries and ASes',
    [
      countryMap(
        'Remote countries (bytes in and out)',
        tableSql(['remote_country'], 'remote_country AS country, sum(bytes) AS bytes', {
          where: [...inOut, "if(direction = 'inbound', src_country, dst_country) != ''"],
          order: 'bytes DESC, country',
          limit: 250,
        }),
        W(0, 0, 12, 12),
      ),
      table('Top countries', countriesSql(30), W(12, 0, 12, 12), {
        links: { country: countryLinks },
      }),
      ts(
        'Bandwidth by remote country',
        topSeriesSql({
          dims: ['remote_country'],
          key: "if(remote_country = '', 'unknown', remote_country)",
          label: '{key}',
          where: inOut,
        }),
        W(0, 12, 24, 9),
        'bps',
        { bySeries: true },
      ),
      ts(
        'Bandwidth by remote AS',
        topSeriesSql({
          dims: ['remote_as'],
          key: 'toString(remote_as)',
          names: AS_NAMES,
          label: AS_LABEL,
          where: inOut,
        }),
        W(0, 21, 24, 9),
        'bps',
        { bySeries: true },
      ),
      table('Top ASes', asesSql(30), W(0, 30, 24, 10), {
        links: { asn: asLinks, as_name: asLinks },
      }),
    ],
    'The remote side of inbound and outbound traffic: countries and ASes, with names',
  ),

  hosts: dashboard(
    UID.hosts,
    'flowloft: Devices',
    [
      ts('Per device, in + out', deviceSeries, W(0, 0, 24, 10), 'bps', { bySeries: true }),
      table('Devices', devicesSql(50), W(0, 10, 24, 12), {
        links: { name: deviceLinks, address: deviceLinks },
      }),
      table('Usage this billing cycle', usageSql(100), W(0, 22, 24, 12), {
        links: { name: deviceLinks, address: deviceLinks },
        description:
          "Bytes to and from the internet per device (flows_1h) today, this week, in the billing cycle (in, out, both) and the previous cycle, as of the end of the range; the cycle starts on day $cycle_day at midnight in $usage_tz (empty: the server's zone), as the collector counts it (usage.cycle_start_day, usage.timezone)",
      }),
    ],
    'Traffic of your devices with the internet; names from aliases, Pi-hole, DNS and DHCP (raw flows of the last hour)',
    { variables: [...VARIABLES, ...USAGE_VARIABLES] },
  ),

  protocols: dashboard(
    UID.protocols,
    'flowloft: Protocols and services',
    [
      ts(
        'Bandwidth by protocol',
        topSeriesSql({ dims: ['proto'], key: PROTO_LABEL('proto'), label: '{key}' }),
        W(0, 0, 12, 9),
        'bps',
        { bySeries: true },
      ),
      ts(
        'Bandwidth by service',
        topSeriesSql({
          dims: ['proto', 'service_port'],
          key: SERVICE_LABEL('proto', 'service_port'),
          label: '{key}',
        }),
        W(12, 0, 12, 9),
        'bps',
        { bySeries: true },
      ),
      table(
        'Top services (port below 1024; other = both ports above)',
        tableSql(
          ['proto', 'service_port'],
          `${SERVICE_LABEL('proto', 'service_port')} AS service, ${PROTO_LABEL('proto')} AS protocol, toString(service_port) AS port, concat(protocol, '/', port) AS service_key, sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows`,
          { order: 'bytes DESC, service_key' },
        ),
        W(0, 9, 24, 10),
        {
          links: {
            service: [consoleLink('service', 'service_key', 'Service page in the console')],
          },
        },
      ),
    ],
    'Protocols and services (https, quic, dns, ...)',
  ),

  exporters: dashboard(
    UID.exporters,
    'flowloft: Exporters and interfaces',
    [
      ts(
        'Bandwidth by exporter and input interface',
        topSeriesSql({
          dims: ['exporter', 'in_if'],
          key: `concat(${ADDR('exporter')}, '/', toString(in_if))`,
          names: INTERFACE_NAMES,
          label: "if({name} = '', {key}, concat({name}, ' (', {key}, ')'))",
        }),
        W(0, 0, 24, 9),
        'bps',
        { bySeries: true },
      ),
      table(
        'Exporters',
        `SELECT ${ADDR('exporter')} AS exporter_ip, exporter_name, flow_type, sampling_rate, last_seen, dateDiff('second', last_seen, now()) AS silent_seconds\nFROM flowloft.exporters FINAL\nWHERE ${EXPORTER}\nORDER BY exporter`,
        W(0, 9, 10, 9),
        {
          links: {
            exporter_ip: [
              consoleLink('exporter', 'exporter_ip', 'Exporter page in the console'),
              dashboardLink(UID.overview, 'exporter', 'exporter_ip', 'Overview of this exporter'),
            ],
          },
        },
      ),
      table('Interfaces (bytes in and out over the range)', interfacesSql(), W(10, 9, 14, 9), {
        links: {
          if_name: [
            {
              title: 'Interface page in the console',
              url: '${console}/?view=interface&exporter=${__data.fields.exporter_ip}&interface=${__data.fields.if_index}&from=${__from:date:seconds}&to=${__to:date:seconds}',
              targetBlank: true,
            },
          ],
        },
      }),
    ],
    'What each exporter sends, per interface, by name',
  ),

  explorer: dashboard(
    UID.explorer,
    'flowloft: Flow explorer',
    [
      table(
        'Flows (raw table: last 15 days, newest first)',
        [
          `SELECT time_received, ${ADDR('exporter')} AS exporter_ip, flow_type, ${ADDR('src_addr')} AS src, toString(src_port) AS src_port, ${ADDR('dst_addr')} AS dst, toString(dst_port) AS dst_port,`,
          '  proto_name, direction, bytes, packets, src_host, dst_host, src_country, dst_country, toString(src_as) AS src_as, src_as_name, toString(dst_as) AS dst_as, dst_as_name,',
          '  in_if_name, out_if_name, sampling_rate',
          'FROM flowloft.flows',
          `WHERE $__timeFilter(time_received)\n  AND ${RAW_FILTERS.join('\n  AND ')}`,
          'ORDER BY time_received DESC',
          'LIMIT 1000',
        ].join('\n'),
        W(0, 0, 24, 20),
      ),
    ],
    'Raw flows filtered by every variable',
  ),

  health: dashboard(
    UID.health,
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
        {
          links: {
            exporter_ip: [consoleLink('exporter', 'exporter_ip', 'Exporter page in the console')],
          },
        },
      ),
      ts(
        'Stored flows per second by exporter',
        topSeriesSql({
          dims: ['exporter'],
          key: ADDR('exporter'),
          names: EXPORTER_NAMES,
          label: "if({name} = '', {key}, concat({name}, ' (', {key}, ')'))",
          perFlow: true,
        }),
        W(0, 8, 24, 9),
        'short',
        { bySeries: true },
      ),
    ],
    'From flowloft tables; decoder rejects, drops and the writer spool: the "flowloft: Self-monitoring" dashboard (compose profile prometheus)',
  ),

  self: selfMonitoring(),
}

/** Interfaces with names, bytes entering (in_if) and leaving (out_if) over the range. */
function interfacesSql() {
  const side = (col, inOrOut) =>
    [
      `    SELECT ${ADDR('exporter')} AS exporter_ip, toString(${col}) AS if_index, ${inOrOut === 'in' ? 'sum(bytes) AS b_in, 0 AS b_out' : '0, sum(bytes)'}`,
      `    FROM (\n${branches(['exporter', col], { series: false })}\n)`,
      `    WHERE ${col} != 0 GROUP BY exporter, ${col}`,
    ].join('\n')
  return [
    SOURCE,
    "SELECT i.exporter_ip AS exporter_ip, i.if_index AS if_index, if(n.name = '', concat('#', i.if_index), n.name) AS if_name, i.bytes_in AS bytes_in, i.bytes_out AS bytes_out",
    'FROM (',
    '  SELECT exporter_ip, if_index, sum(b_in) AS bytes_in, sum(b_out) AS bytes_out FROM (',
    side('in_if', 'in'),
    '    UNION ALL',
    side('out_if', 'out'),
    '  ) GROUP BY exporter_ip, if_index',
    ') AS i',
    `LEFT JOIN (${INTERFACE_NAMES}) AS n ON n.key = concat(i.exporter_ip, '/', i.if_index)`,
    'ORDER BY bytes_in + bytes_out DESC, exporter_ip, if_index',
    'LIMIT 200',
  ].join('\n')
}

mkdirSync(OUT, { recursive: true })
for (const [name, d] of Object.entries(dashboards)) {
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(d, null, 2)}\n`)
}
console.log(`wrote ${Object.keys(dashboards).length} dashboards into ${OUT}`)
