// The unusual-volume rule: a device whose traffic to and from the internet over the last
// 60 minutes is more than alerts.unusual_factor times its usual level for that hour of
// the day (the average of the same hour over the last 14 days, from the hourly rollup,
// days without traffic counting as nothing) and more than alerts.unusual_min_bytes.
// Only devices with a week of history in those 14 days are judged. The condition lasts
// while it holds: one alert.
import type { ClickHouseClient } from '@clickhouse/client'
import { named, type Raised } from './alert.js'
import { deviceNames, shown } from './names.js'
import { bytesText } from './volume.js'

export const BASELINE_DAYS = 14
const MIN_HISTORY_DAYS = 7

export interface UnusualOptions {
  /** 0: the rule is off. */
  factor: number
  minBytes: number
}

/** The devices above their usual level in the hour ending at `to` (a minute boundary). */
export async function devicesOverUsual(
  c: ClickHouseClient,
  o: UnusualOptions,
  to: number,
): Promise<Raised[]> {
  if (o.factor <= 0) return []
  // The hour of the day is the one the last 60 minutes are mostly in.
  const hourStart = Math.floor((to - 1800) / 3600) * 3600
  const rs = await c.query({
    query: `SELECT toString(cur.local_addr) AS device, cur.total AS total, hist.usual AS usual
      FROM (
        SELECT local_addr, sum(bytes) AS total FROM flowloft.flows_1m
        WHERE time >= toDateTime({from:Int64}) AND time < toDateTime({to:Int64})
          AND direction IN ('inbound', 'outbound')
        GROUP BY local_addr HAVING total > {min:UInt64}
      ) AS cur
      INNER JOIN (
        SELECT local_addr,
          sumIf(bytes, intDiv(toUInt32(time), 3600) % 24 = {hour_of_day:UInt8}) / {days:UInt32} AS usual,
          min(time) AS since
        FROM flowloft.flows_1h
        WHERE time >= toDateTime({base_from:Int64}) AND time < toDateTime({base_to:Int64})
          AND direction IN ('inbound', 'outbound')
        GROUP BY local_addr
      ) AS hist ON cur.local_addr = hist.local_addr
      WHERE hist.since <= toDateTime({settled:Int64}) AND cur.total > {factor:UInt32} * hist.usual
      ORDER BY total DESC`,
    query_params: {
      from: to - 3600,
      to,
      min: o.minBytes,
      // UTC's hour of the day (toHour would take the engine's zone, and its summer time).
      hour_of_day: (hourStart / 3600) % 24,
      days: BASELINE_DAYS,
      base_from: hourStart - BASELINE_DAYS * 86_400,
      base_to: hourStart - 86_400 + 3600,
      settled: hourStart - MIN_HISTORY_DAYS * 86_400,
      factor: o.factor,
    },
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ device: string; total: number; usual: number }>()
  const names = await deviceNames(
    c,
    rows.map((r) => r.device),
    to - 3600,
  )
  const hour = new Date(hourStart * 1000).toISOString().slice(11, 16)
  return rows.map((r) => {
    const addr = shown(r.device)
    const name = names.get(r.device) ?? ''
    const usual = Math.round(r.usual)
    const times = usual > 0 ? `${(r.total / usual).toFixed(1)} times` : 'far above'
    return {
      kind: 'device_unusual',
      event_key: addr,
      subject: addr,
      subject_name: name,
      title: `${name || addr} is busier than usual`,
      message: `${named(addr, name)} moved ${bytesText(r.total)} in the last hour, ${times} its usual ${bytesText(usual)} at this hour (${hour} UTC, the average of the last ${BASELINE_DAYS} days).`,
      details: {
        bytes: r.total,
        usual,
        factor: o.factor,
        hour_start: hourStart,
        baseline_days: BASELINE_DAYS,
        from: to - 3600,
        to,
      },
    }
  })
}
