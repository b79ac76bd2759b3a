// /api/senders: the registry of authorized senders (list, one, add, replace, change,
// remove) and each sender's statistics. Reads are open like the other read endpoints;
// every change goes through `requireAuth` first, so a refused request changes nothing.
import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { MiddlewareHandler } from 'hono'
import type { Engine } from '../clickhouse/engine.js'
import type { Logger } from '../observability/log.js'
import { canonicalPrefix, canonicalSender } from '../senders/address.js'
import {
  parseSenderFields,
  quote,
  SenderError,
  SenderFieldError,
  PERIODS,
  PERIOD,
  type SenderFields,
  type Senders,
} from '../senders/index.js'
import { nowSeconds, parseChoice, parseInstant } from './params.js'
import { MAX_BUCKETS, senderStats } from './sender-stats.js'

const STATUS = { not_found: 404, conflict: 409, limit: 409, storage: 503 } as const

function bad(field: string, message: string): SenderFieldError {
  return new SenderFieldError(field, message)
}

/** Runs a handler, answering registry and field errors with their status. */
async function answer(c: Context, fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof SenderFieldError)
      return c.json({ error: err.message, field: err.field }, 400)
    if (err instanceof SenderError) return c.json({ error: err.message }, STATUS[err.kind])
    throw err
  }
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text()
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw bad('body', `the body must be JSON: ${(err as Error).message}`)
  }
}

function addressParam(c: Context): string {
  const raw = c.req.param('addr') ?? ''
  const a = canonicalSender(raw)
  if (a === null) throw bad('addr', `not an IPv4 or IPv6 address: ${quote(raw)}`)
  return a
}

/** The body of PUT/PATCH: `address`, when given, must be the one in the path. */
function changeBody(address: string, body: unknown): SenderFields {
  const f = parseSenderFields(body)
  if (f.address !== undefined && f.address !== address)
    throw bad('address', 'address cannot be changed (remove the sender and add it again)')
  return f
}

export function senderRoutes(
  senders: Senders | undefined,
  engine: Engine,
  requireAuth: MiddlewareHandler,
  log: Logger,
): Hono {
  const app = new Hono()
  const registry = () => {
    if (!senders) throw new HTTPException(503, { message: 'the sender registry is not running' })
    return senders.registry
  }
  app.get('/api/senders', (c) =>
    c.json({ authorized_only: senders?.authorizedOnly ?? false, senders: registry().list() }),
  )
  app.get('/api/senders/:addr', (c) =>
    answer(c, () => {
      const a = addressParam(c)
      const s = registry().get(a)
      if (!s) throw new SenderError('not_found', `no sender ${a} is registered`)
      return c.json(s)
    }),
  )
  app.post('/api/senders', requireAuth, (c) =>
    answer(c, async () => {
      const f = parseSenderFields(await jsonBody(c))
      if (f.address === undefined) throw bad('address', 'address is required')
      const s = registry().add({ ...f, address: f.address })
      log.info('sender added', { address: s.address, prefixes: s.prefixes.length })
      return c.json(s, 201)
    }),
  )
  app.put('/api/senders/:addr', requireAuth, (c) =>
    answer(c, async () => {
      const a = addressParam(c)
      const s = registry().replace(a, changeBody(a, await jsonBody(c)))
      log.info('sender replaced', { address: s.address, prefixes: s.prefixes.length })
      return c.json(s)
    }),
  )
  app.patch('/api/senders/:addr', requireAuth, (c) =>
    answer(c, async () => {
      const a = addressParam(c)
      const s = registry().patch(a, changeBody(a, await jsonBody(c)))
      log.info('sender changed', { address: s.address, prefixes: s.prefixes.length })
      return c.json(s)
    }),
  )
  app.delete('/api/senders/:addr', requireAuth, (c) =>
    answer(c, () => {
      const s = registry().remove(addressParam(c))
      log.info('sender removed', { address: s.address })
      return c.json(s)
    }),
  )
  app.get('/api/senders/:addr/stats', (c) =>
    answer(c, async () => {
      const a = addressParam(c)
      const s = registry().get(a)
      if (!s) throw new SenderError('not_found', `no sender ${a} is registered`)
      const period = parseChoice('period', c.req.query('period'), PERIODS) ?? 'hour'
      const now = nowSeconds()
      const toRaw = c.req.query('to')
      const to = toRaw ? parseInstant('to', toRaw, now) : now
      const fromRaw = c.req.query('from')
      const from = fromRaw ? parseInstant('from', fromRaw, now) : to - PERIOD[period].defaultSpan
      if (from >= to) throw bad('from', 'from must be before to')
      let prefixes = s.prefixes
      const p = c.req.query('prefix')
      if (p !== undefined && p !== '') {
        const cp = canonicalPrefix(p)
        if (cp === null || !s.prefixes.includes(cp))
          throw bad('prefix', `prefix must be one of the sender's prefixes, got ${quote(p)}`)
        prefixes = [cp]
      }
      const stats = await senderStats(engine, { address: a, prefixes, period, from, to })
      if (!stats) throw bad('from', `the window holds more than ${MAX_BUCKETS} ${period} buckets`)
      return c.json(stats)
    }),
  )
  return app
}
