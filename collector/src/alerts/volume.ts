// The device-volume rule: a device whose traffic to and from the internet (inbound and
// outbound flows, from the per-minute rollup) over the last 60 minutes is above
// alerts.device_bytes_per_hour. The condition lasts while it stays above: one alert.
import type { ClickHouseClient } from '@clickhouse/client'
import { named, type Raised } from './alert.js'
import { deviceNames, shown } from './names.js'

/** `1.5 GB`: decimal units, as the console shows them. */
export function bytesText(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
  let v = n
  let k = 0
  while (v >= 1000 && k < units.length - 1) {
    v /= 1000
    k++
  }
  return `${k === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)} ${units[k] ?? ''}`
}

/** The devices over the threshold in the hour ending at `to` (a minute boundary). */
export async function devicesOverVolume(
  c: ClickHouseClient,
  threshold: number,
  to: number,
): Promise<Raised[]> {
  if (threshold <= 0) return []
  const rs = await c.query({
    query: `SELECT toString(local_addr) AS device, sum(bytes) AS total,
        sumIf(bytes, direction = 'inbound') AS bytes_in, sumIf(bytes, direction = 'outbound') AS bytes_out
      FROM flowloft.flows_1m
      WHERE time >= toDateTime({from:Int64}) AND time < toDateTime({to:Int64})
        AND direction IN ('inbound', 'outbound')
      GROUP BY local_addr HAVING total > {threshold:UInt64}
      ORDER BY total DESC`,
    query_params: { from: to - 3600, to, threshold },
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{
    device: string
    total: number
    bytes_in: number
    bytes_out: number
  }>()
  const names = await deviceNames(
    c,
    rows.map((r) => r.device),
    to - 3600,
  )
  return rows.map((r) => {
    const addr = shown(r.device)
    const name = names.get(r.device) ?? ''
    return {
      kind: 'device_volume',
      event_key: addr,
      subject: addr,
      subject_name: name,
      title: `${name || addr} is using a lot of traffic`,
      message: `${named(addr, name)} moved ${bytesText(r.total)} in the last hour (${bytesText(r.bytes_in)} in, ${bytesText(r.bytes_out)} out), above ${bytesText(threshold)}.`,
      details: {
        bytes: r.total,
        bytes_in: r.bytes_in,
        bytes_out: r.bytes_out,
        threshold,
        from: to - 3600,
        to,
      },
    }
  })
}
