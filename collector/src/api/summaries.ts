// GET /api/summaries: the latest conversation summary of one window (summaries/), per
// exporter, optionally for one exporter and fewer conversations. Served from memory.
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { canonicalAddr } from '../addresses/ip.js'
import type { Summaries } from '../summaries/index.js'
import { parseInteger } from './params.js'

export function summariesRoutes(summaries: Summaries | undefined): Hono {
  const app = new Hono()
  app.get('/api/summaries', (c) => {
    if (!summaries?.config.enabled)
      throw new HTTPException(404, { message: 'summaries are turned off (summaries.enabled)' })
    const windows = summaries.config.windowsMinutes
    const w = c.req.query('window')
    const minutes = w === undefined || w === '' ? windows[0] : Number(w)
    if (minutes === undefined || !windows.includes(minutes))
      throw new HTTPException(400, { message: `window must be one of ${windows.join(', ')}` })
    const limit = parseInteger('limit', c.req.query('limit'), summaries.config.top, 1, 10000)
    const e = c.req.query('exporter')
    let exporter: string | undefined
    if (e !== undefined && e !== '') {
      const canon = canonicalAddr(e.trim())
      if (canon === null)
        throw new HTTPException(400, { message: 'exporter must be an IP address' })
      exporter = canon
    }
    const s = summaries.latest(minutes)
    const exporters = (s?.exporters ?? [])
      .filter((x) => exporter === undefined || canonicalAddr(x.exporter) === exporter)
      .map((x) => ({ ...x, conversations: x.conversations.slice(0, limit) }))
    return c.json({
      window_minutes: minutes,
      from: s?.from ?? null,
      to: s?.to ?? null,
      exporters,
    })
  })
  return app
}
