// The SQL console's example queries. Each runs as shipped (the UI test clicks Run on
// every one): aliases never reuse a column's name, or sum(bytes) would sum the alias.
export const EXAMPLES = [
  {
    name: 'Top destinations, last hour',
    sql: `SELECT dst_host, formatReadableDecimalSize(sum(bytes)) AS volume, count() AS flows
FROM flows WHERE time_received > now() - INTERVAL 1 HOUR
GROUP BY dst_host ORDER BY sum(bytes) DESC LIMIT 20`,
  },
  {
    name: 'In and out per minute (bits/s), last hour',
    sql: `SELECT toStartOfMinute(time_received) AS minute,
  round(sumIf(bytes, direction = 'inbound') * 8 / 60) AS in_bps,
  round(sumIf(bytes, direction = 'outbound') * 8 / 60) AS out_bps
FROM flows WHERE time_received > now() - INTERVAL 1 HOUR
GROUP BY minute ORDER BY minute`,
  },
  {
    name: 'Local devices, last day (per-minute rollup)',
    sql: `SELECT replaceRegexpOne(toString(local_addr), '^::ffff:', '') AS device,
  formatReadableSize(sumIf(bytes, direction = 'inbound')) AS received,
  formatReadableSize(sumIf(bytes, direction = 'outbound')) AS sent
FROM flows_1m WHERE time > now() - INTERVAL 1 DAY AND direction IN ('inbound', 'outbound')
GROUP BY local_addr ORDER BY sum(bytes) DESC LIMIT 20`,
  },
  {
    name: 'Remote countries, last week (hourly rollup)',
    sql: `SELECT if(direction = 'inbound', src_country, dst_country) AS remote_country,
  formatReadableSize(sum(bytes)) AS volume
FROM flows_1h WHERE time > now() - INTERVAL 7 DAY AND direction IN ('inbound', 'outbound')
GROUP BY remote_country ORDER BY sum(bytes) DESC LIMIT 20`,
  },
]
