// GET /api/alerts: the alerts raised (alerts/), newest first, from flowloft.alerts;
// optionally of one kind, about one device or exporter, in a window, or only those whose
// condition still lasts.
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ALERT_KINDS, listAlerts, type AlertQuery } from '../alerts/index.js'
import { parseAddr } from '../addresses/ip.js'
import type { Engine } from '../clickhouse/engine.js'
import { nowSeconds, parseChoice, parseInstant, parseInteger } from './params.js'

export function alertsRoutes(engine: Engine, enabled: boolean): Hono {
  const app = new Hono()
  app.get('/api/alerts', async (c) => {
    if (!enabled)
      throw new HTTPException(404, { message: 'alerts are turned off (alerts.enabled)' })
    const now = nowSeconds()
    const q: AlertQuery = { limit: parseInteger('limit', c.req.query('limit'), 100, 1, 10000) }
    const kind = parseChoice('kind', c.req.query('kind'), ALERT_KINDS)
    if (kind !== undefined) q.kind = kind
    const from = c.req.query('from')
    if (from !== undefined && from !== '') q.from = parseInstant('from', from, now)
    const to = c.req.query('to')
    if (to !== undefined && to !== '') q.to = parseInstant('to', to, now)
    const open = c.req.query('open')
    if (open !== undefined && open !== '') {
      if (open !== 'true' && open !== 'false')
        throw new HTTPException(400, { message: 'open must be true or false' })
      q.open = open === 'true'
    }
    const subject = c.req.query('subject')
    if (subject !== undefined && subject !== '') {
      if (parseAddr(subject.trim()) === null)
        throw new HTTPException(400, { message: 'subject must be an IP address' })
      q.subject = subject.trim()
    }
    return c.json({ alerts: await listAlerts((x) => engine.read(x), q) })
  })
  return app
}
