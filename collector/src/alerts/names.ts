// Names for an alert's message: devices by the names the flows carry (src_host and
// dst_host, from DHCP, DNS or the aliases), AS numbers by flowloft.as_names. Addresses are
// shown as people write them (IPv4 without the ::ffff: prefix).
import type { ClickHouseClient } from '@clickhouse/client'

/** `::ffff:192.0.2.1` as `192.0.2.1`; anything else unchanged. */
export const shown = (addr: string): string => addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')

/** Each device's latest name in the raw flows since `from` (unix seconds), by address. */
export async function deviceNames(
  c: ClickHouseClient,
  devices: readonly string[],
  from: number,
): Promise<Map<string, string>> {
  if (devices.length === 0) return new Map()
  const side = (s: 'src' | 'dst'): string =>
    `SELECT ${s}_addr AS addr, toString(${s}_host) AS host, time_received AS t FROM flowloft.flows
     WHERE time_received >= toDateTime({from:Int64}) AND has({devices:Array(String)}, toString(${s}_addr))
       AND ${s}_host != ''`
  const rs = await c.query({
    query: `SELECT toString(addr) AS addr, argMax(host, t) AS name
      FROM (${side('src')} UNION ALL ${side('dst')}) GROUP BY addr`,
    query_params: { devices, from },
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ addr: string; name: string }>()
  return new Map(rows.map((r) => [r.addr, r.name]))
}

/** AS names by number. */
export async function asNames(
  c: ClickHouseClient,
  asns: readonly number[],
): Promise<Map<number, string>> {
  if (asns.length === 0) return new Map()
  const rs = await c.query({
    query: `SELECT asn, argMax(as_name, last_seen) AS name FROM flowloft.as_names
      WHERE asn IN {asns:Array(UInt32)} GROUP BY asn`,
    query_params: { asns },
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ asn: number; name: string }>()
  return new Map(rows.map((r) => [r.asn, r.name]))
}
