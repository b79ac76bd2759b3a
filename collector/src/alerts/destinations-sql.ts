// What the new-destination rule reads and writes: the remote countries and ASes each
// local device talked to in a window, from a rollup (flows_1m for the window checked,
// flows_1h for the history learned at the first run), and flowloft.alert_seen.
import type { ClickHouseClient } from '@clickhouse/client'

/** A device's use of one country or AS over a window. */
export interface Use {
  device: string
  kind: 'country' | 'as'
  value: string
  first_seen: number
  bytes: number
}

/** Unix-second bounds, as query parameters. */
interface Span {
  from: number
  to: number
}

/**
 * Countries and ASes of the remote side (the destination of outbound flows, the source of
 * inbound ones) per local device, over [from, to) of `table`. Unknown ones are left
 * out: AS 0, and a country that is not two letters (none, or the label of a private or
 * reserved range: `private`, ...).
 */
function usesSql(table: 'flows_1m' | 'flows_1h'): string {
  const side = (col: string): string => `if(direction = 'outbound', dst_${col}, src_${col})`
  const base = `FROM flowloft.${table}
      WHERE time >= toDateTime({from:Int64}) AND time < toDateTime({to:Int64})
        AND direction IN ('inbound', 'outbound')`
  return `SELECT device, kind, value, min(t) AS first_seen, max(t) AS last_seen, sum(b) AS bytes
    FROM (
      SELECT local_addr AS device, 'country' AS kind, ${side('country')} AS value, time AS t, bytes AS b
      ${base}
      UNION ALL
      SELECT local_addr AS device, 'as' AS kind, toString(${side('as')}) AS value, time AS t, bytes AS b
      ${base}
    )
    WHERE kind = 'country' ? match(value, '^[A-Z]{2}$') : value != '0'
    GROUP BY device, kind, value`
}

const params = (s: Span): Record<string, unknown> => ({ from: s.from, to: s.to })

/** True when nothing has been learned yet (a first run). */
export async function nothingLearned(c: ClickHouseClient): Promise<boolean> {
  const rs = await c.query({
    query: 'SELECT count() AS n FROM (SELECT 1 FROM flowloft.alert_seen LIMIT 1)',
    format: 'JSONEachRow',
  })
  const [row] = await rs.json<{ n: number }>()
  return (row?.n ?? 0) === 0
}

/** Learn everything the hourly rollup holds before `to` (a first run's history). */
export async function learnHistory(c: ClickHouseClient, to: number): Promise<void> {
  await c.command({
    query: `INSERT INTO flowloft.alert_seen (device, kind, value, first_seen, last_seen)
      SELECT device, kind, value, first_seen, last_seen FROM (${usesSql('flows_1h')})`,
    query_params: params({ from: 0, to }),
    clickhouse_settings: { async_insert: 0 },
  })
}

/** The uses of the window that were never seen before it, largest first. */
export async function unseenUses(c: ClickHouseClient, s: Span): Promise<Use[]> {
  const rs = await c.query({
    query: `SELECT toString(device) AS device, kind, value,
        toUnixTimestamp(first_seen) AS first_seen, bytes
      FROM (${usesSql('flows_1m')})
      WHERE (device, kind, value) NOT IN (SELECT device, kind, value FROM flowloft.alert_seen)
      ORDER BY bytes DESC`,
    query_params: params(s),
    format: 'JSONEachRow',
  })
  return rs.json<Use>()
}

/** Record the window's uses as seen. */
export async function learnWindow(c: ClickHouseClient, s: Span): Promise<void> {
  await c.command({
    query: `INSERT INTO flowloft.alert_seen (device, kind, value, first_seen, last_seen)
      SELECT device, kind, value, first_seen, last_seen FROM (${usesSql('flows_1m')})`,
    query_params: params(s),
    clickhouse_settings: { async_insert: 0 },
  })
}

/** When each device was first seen (the start of its learning period), unix seconds. */
export async function devicesFirstSeen(
  c: ClickHouseClient,
  devices: readonly string[],
): Promise<Map<string, number>> {
  if (devices.length === 0) return new Map()
  const rs = await c.query({
    query: `SELECT toString(device) AS device, toUnixTimestamp(min(first_seen)) AS first
      FROM flowloft.alert_seen WHERE has({devices:Array(String)}, toString(device)) GROUP BY device`,
    query_params: { devices },
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ device: string; first: number }>()
  return new Map(rows.map((r) => [r.device, r.first]))
}

/** The latest time anything was seen (where the previous process stopped), or 0. */
export async function lastLearned(c: ClickHouseClient): Promise<number> {
  const rs = await c.query({
    query: 'SELECT toUnixTimestamp(max(last_seen)) AS t FROM flowloft.alert_seen',
    format: 'JSONEachRow',
  })
  const [row] = await rs.json<{ t: number }>()
  return row?.t ?? 0
}
