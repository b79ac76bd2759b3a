// Dashboard variables: multi-select with "All", values as the SQL filters expect them
// (addresses as text, AS numbers, ISO country codes), text as people know them.
import { ADDR, LOCAL_RAW } from './sql.mjs'

export const DATASOURCE = { type: 'grafana-clickhouse-datasource', uid: 'flowloft-clickhouse' }
const DS = DATASOURCE
const multi = { includeAll: true, multi: true, current: { text: ['All'], value: ['$__all'] } }

export const VARIABLES = [
  {
    name: 'exporter',
    label: 'Exporter',
    type: 'query',
    datasource: DS,
    query: `SELECT ${ADDR('exporter')} AS value, if(exporter_name = '', value, exporter_name) AS text FROM flowloft.exporters FINAL ORDER BY value`,
    refresh: 1,
    ...multi,
  },
  {
    name: 'direction',
    label: 'Direction',
    type: 'custom',
    query: 'inbound,outbound,internal,transit,unknown',
    ...multi,
  },
  {
    name: 'host',
    label: 'Device',
    type: 'query',
    datasource: DS,
    // Local hosts of the last day, named by the collector's enrichment where it can.
    query: `SELECT ${ADDR('a')} AS value, if(any(name) = '', value, concat(any(name), ' (', value, ')')) AS text FROM (SELECT ${LOCAL_RAW} AS a, if(direction = 'inbound', dst_host, src_host) AS name FROM flowloft.flows WHERE time_received >= now() - INTERVAL 1 DAY AND a != toIPv6('::')) GROUP BY a ORDER BY value LIMIT 500`,
    refresh: 2,
    ...multi,
  },
  {
    name: 'country',
    label: 'Country',
    type: 'query',
    datasource: DS,
    // Remote countries of the last 30 days (flows_1h).
    query: `SELECT DISTINCT if(direction = 'inbound', src_country, dst_country) AS value FROM flowloft.flows_1h WHERE time >= now() - INTERVAL 30 DAY AND direction IN ('inbound', 'outbound') AND value != '' ORDER BY value`,
    refresh: 1,
    ...multi,
  },
  {
    name: 'asn',
    label: 'AS',
    type: 'query',
    datasource: DS,
    // Remote ASes of the last 30 days (flows_1h), named from flowloft.as_names.
    query: `SELECT toString(r.asn) AS value, concat('AS', value, if(n.name = '', '', concat(' ', n.name))) AS text FROM (SELECT DISTINCT if(direction = 'inbound', src_as, dst_as) AS asn FROM flowloft.flows_1h WHERE time >= now() - INTERVAL 30 DAY AND direction IN ('inbound', 'outbound') AND asn != 0) AS r LEFT JOIN (SELECT asn, argMax(as_name, last_seen) AS name FROM flowloft.as_names GROUP BY asn) AS n ON n.asn = r.asn ORDER BY r.asn LIMIT 1000`,
    refresh: 1,
    ...multi,
  },
  {
    name: 'console',
    label: 'Console',
    type: 'textbox',
    description:
      "The collector's address as your browser reaches it (its console: per-device pages, conversations)",
    query: 'http://localhost:8080',
    current: { text: 'http://localhost:8080', value: 'http://localhost:8080' },
  },
]
