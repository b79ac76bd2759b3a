// GET /api/status: the collector's health in numbers, read from the metrics registry:
// rates since the previous call (at least a second ago), drops by reason, queue depths
// and the last insert's duration; and whether alerts are on (the console asks
// /api/alerts only then) with their learning period.
import { Hono } from 'hono'
import type { Registry } from '../observability/metrics.js'

interface Totals {
  at: number
  datagrams: number
  flows: number
  rows: number
}

const sum = (
  m: Registry,
  name: string,
  where?: (l: Readonly<Record<string, string>>) => boolean,
): number =>
  m.read(name).reduce((t, s) => t + (where === undefined || where(s.labels) ? s.value : 0), 0)

/** The alert settings the console shows (alerts.enabled, alerts.learning_days). */
export interface AlertsStatus {
  enabled: boolean
  learningDays: number
}

export function statusRoutes(
  metrics: Registry,
  alerts: AlertsStatus = { enabled: false, learningDays: 0 },
  startedAt = Date.now(),
): Hono {
  const app = new Hono()
  const totals = (): Totals => ({
    at: Date.now(),
    datagrams: sum(metrics, 'flowloft_listener_datagrams_total'),
    flows: sum(metrics, 'flowloft_decoder_flows_total'),
    rows: sum(metrics, 'flowloft_writer_rows_total'),
  })
  // Rates compare with the newest sample at least a second old.
  let older: Totals = { at: startedAt, datagrams: 0, flows: 0, rows: 0 }
  let newer: Totals = older
  app.get('/api/status', (c) => {
    const now = totals()
    const base = now.at - newer.at >= 1000 ? newer : older
    if (now.at - newer.at >= 1000) {
      older = newer
      newer = now
    }
    const secs = Math.max(0.001, (now.at - base.at) / 1000)
    const rate = (k: 'datagrams' | 'flows' | 'rows'): number =>
      Math.max(0, Math.round(((now[k] - base[k]) / secs) * 100) / 100)

    const drops: { stage: string; reason: string; total: number }[] = []
    for (const s of metrics.read('flowloft_decode_dropped_datagrams_total'))
      drops.push({ stage: 'decode_queue', reason: s.labels['reason'] ?? '', total: s.value })
    const rejected = new Map<string, number>()
    for (const s of metrics.read('flowloft_decoder_datagrams_total')) {
      const r = s.labels['result'] ?? ''
      if (r !== 'ok') rejected.set(r, (rejected.get(r) ?? 0) + s.value)
    }
    for (const [reason, total] of rejected) drops.push({ stage: 'decoder', reason, total })
    for (const s of metrics.read('flowloft_writer_dropped_rows_total'))
      drops.push({ stage: 'writer', reason: s.labels['reason'] ?? '', total: s.value })

    return c.json({
      uptime_seconds: Math.round((now.at - startedAt) / 1000),
      rate_window_seconds: Math.round(secs * 10) / 10,
      datagrams_per_second: rate('datagrams'),
      flows_per_second: rate('flows'),
      rows_inserted_per_second: rate('rows'),
      totals: { datagrams: now.datagrams, flows: now.flows, rows_inserted: now.rows },
      drops,
      queues: {
        decode_batches: sum(metrics, 'flowloft_decode_queue_batches'),
        writer_pending_rows: sum(metrics, 'flowloft_writer_pending_rows'),
        spool_bytes: sum(metrics, 'flowloft_writer_spool_bytes'),
        spool_files: sum(metrics, 'flowloft_writer_spool_files'),
      },
      last_insert_seconds: sum(metrics, 'flowloft_writer_last_insert_seconds'),
      alerts: { enabled: alerts.enabled, learning_days: alerts.learningDays },
    })
  })
  return app
}
