// The silent-exporter rule: an exporter whose latest flow (flowloft.exporters.last_seen)
// is older than alerts.exporter_silence_minutes, and newer than a week (an exporter gone
// for longer was taken away, not silenced). The condition lasts until it sends again.
import type { ClickHouseClient } from '@clickhouse/client'
import { named, type Raised } from './alert.js'
import { shown } from './names.js'

const GONE_SECONDS = 7 * 86_400

export async function silentExporters(
  c: ClickHouseClient,
  minutes: number,
  now: number,
): Promise<Raised[]> {
  if (minutes <= 0) return []
  const rs = await c.query({
    query: `SELECT toString(exporter) AS exporter, argMax(exporter_name, last_seen) AS name,
        toUnixTimestamp(max(last_seen)) AS last
      FROM flowloft.exporters GROUP BY exporter
      HAVING last <= {silent:Int64} AND last > {gone:Int64}
      ORDER BY exporter`,
    query_params: { silent: now - minutes * 60, gone: now - GONE_SECONDS },
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ exporter: string; name: string; last: number }>()
  return rows.map((r) => {
    const addr = shown(r.exporter)
    const quiet = Math.floor((now - r.last) / 60)
    return {
      kind: 'exporter_silent',
      event_key: addr,
      subject: addr,
      subject_name: r.name,
      title: `Exporter ${r.name || addr} is silent`,
      message: `Exporter ${named(addr, r.name)} has sent no flows for ${quiet} minutes (last at ${new Date(r.last * 1000).toISOString()}).`,
      details: { last_seen: r.last, silence_minutes: minutes },
    }
  })
}
