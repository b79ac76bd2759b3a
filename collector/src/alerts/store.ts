// The alerts table (schema/0005_alerts.sql): each change to an alert is a new version of
// its row; reads take the latest (FINAL).
import type { ClickHouseClient } from '@clickhouse/client'
import type { SessionRunner } from '../clickhouse/read-sessions.js'
import { ALERT_KINDS, type Alert, type AlertKind, type Delivery } from './alert.js'

interface Row {
  id: string
  raised_at: number
  kind: string
  event_key: string
  subject: string
  subject_name: string
  title: string
  message: string
  details: string
  resolved_at: number
  delivery: string
}

const COLUMNS =
  'id, toUnixTimestamp(raised_at) AS raised_at, kind, event_key, subject, subject_name, title, message, details, toUnixTimestamp(resolved_at) AS resolved_at, delivery'

function fromRow(r: Row): Alert {
  let details: Record<string, unknown> = {}
  try {
    details = JSON.parse(r.details) as Record<string, unknown>
  } catch {
    details = {}
  }
  const kind = ALERT_KINDS.find((k) => k === r.kind) ?? 'new_destination'
  return { ...r, kind, details, delivery: r.delivery as Delivery }
}

export interface AlertQuery {
  limit: number
  kind?: AlertKind
  /** Unix seconds, raised at or after. */
  from?: number
  /** Unix seconds, raised before. */
  to?: number
  /** Only alerts whose condition still lasts. */
  open?: boolean
  subject?: string
}

/** Alerts newest first (for /api/alerts), on any client that can read. */
export async function listAlerts(
  read: <T>(q: { query: string; query_params?: Record<string, unknown> }) => Promise<T[]>,
  q: AlertQuery,
): Promise<Alert[]> {
  /** Each filter: its condition, on the query parameter of the same name. */
  const FILTERS = {
    kind: 'kind = {kind:String}',
    from: 'raised_at >= toDateTime({from:Int64})',
    to: 'raised_at < toDateTime({to:Int64})',
    subject: 'toIPv6OrNull(subject) = toIPv6OrNull({subject:String})',
  } as const
  const where = ['1']
  const params: Record<string, unknown> = { limit: q.limit }
  for (const [name, condition] of Object.entries(FILTERS)) {
    const value = q[name as keyof typeof FILTERS]
    if (value === undefined) continue
    where.push(condition)
    params[name] = value
  }
  if (q.open === true) where.push("resolved_at = 0 AND kind != 'new_destination'")
  const rows = await read<Row>({
    query: `SELECT ${COLUMNS} FROM flowloft.alerts FINAL WHERE ${where.join(' AND ')}
            ORDER BY raised_at DESC, id DESC LIMIT {limit:UInt32}`,
    query_params: params,
  })
  return rows.map(fromRow)
}

export interface AlertStore {
  /** Write the alert's current state as a new version. */
  save(a: Alert): Promise<void>
  /** Alerts on lasting conditions that have not ended, by `kind:event_key`. */
  open(): Promise<Map<string, Alert>>
}

export function createAlertStore(run: SessionRunner): AlertStore {
  let version = Date.now() * 1000
  return {
    async save(a) {
      // Versions rise even when two saves share a millisecond.
      version = Math.max(version + 1, Date.now() * 1000)
      const v = version
      await run((c: ClickHouseClient) =>
        c.insert({
          table: 'flowloft.alerts',
          values: [{ ...a, details: JSON.stringify(a.details), version: v }],
          format: 'JSONEachRow',
          clickhouse_settings: { async_insert: 0 },
        }),
      )
    },
    async open() {
      const rows = await run(async (c) => {
        const rs = await c.query({
          query: `SELECT ${COLUMNS} FROM flowloft.alerts FINAL
                  WHERE resolved_at = 0 AND kind != 'new_destination'
                  ORDER BY raised_at`,
          format: 'JSONEachRow',
        })
        return rs.json<Row>()
      })
      return new Map(rows.map((r) => [`${r.kind}:${r.event_key}`, fromRow(r)]))
    },
  }
}
