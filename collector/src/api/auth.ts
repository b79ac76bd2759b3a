// Authentication for mutating endpoints, as hono middleware:
// - HMAC: the client sends `x-flowloft-timestamp` (unix seconds) and
//   `x-flowloft-signature` = hex HMAC-SHA256(key, METHOD \n path?query \n timestamp \n body).
//   Timestamps outside a window are refused, and a signature is accepted once (replay).
// - Bearer: `authorization: Bearer <token>`.
// Both compare in constant time and answer 401 without saying which part was wrong.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'

export const TIMESTAMP_HEADER = 'x-flowloft-timestamp'
export const SIGNATURE_HEADER = 'x-flowloft-signature'

export function signRequest(
  key: string | Buffer,
  method: string,
  pathAndQuery: string,
  timestamp: number,
  body: string,
): string {
  return createHmac('sha256', key)
    .update(`${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n`)
    .update(body)
    .digest('hex')
}

/** Equal-length digests compared in constant time, whatever the inputs' lengths. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest()
  const db = createHash('sha256').update(b).digest()
  return timingSafeEqual(da, db) && a.length === b.length
}

function unauthorized(): HTTPException {
  return new HTTPException(401, { message: 'unauthorized' })
}

export interface HmacOptions {
  key: string | Buffer
  /** Accepted clock difference either way, seconds. */
  windowSeconds?: number
  /** Signatures remembered against replay (the oldest are forgotten first). */
  maxRemembered?: number
  now?: () => number
}

export function hmacAuth(o: HmacOptions): MiddlewareHandler {
  const window = o.windowSeconds ?? 300
  const max = o.maxRemembered ?? 100_000
  const now = o.now ?? (() => Date.now() / 1000)
  // signature -> timestamp; Map keeps insertion order for pruning.
  const seen = new Map<string, number>()
  return async (c, next) => {
    const ts = c.req.header(TIMESTAMP_HEADER) ?? ''
    const sig = (c.req.header(SIGNATURE_HEADER) ?? '').toLowerCase()
    if (!/^\d{1,12}$/.test(ts) || !/^[0-9a-f]{64}$/.test(sig)) throw unauthorized()
    const t = Number(ts)
    const current = now()
    if (Math.abs(current - t) > window) throw unauthorized()
    const url = new URL(c.req.url)
    const body = await c.req.text()
    const expected = signRequest(o.key, c.req.method, url.pathname + url.search, t, body)
    if (!safeEqual(sig, expected)) throw unauthorized()
    for (const [s, at] of seen) {
      if (at >= current - window && seen.size < max) break
      seen.delete(s)
    }
    if (seen.has(sig)) throw unauthorized()
    seen.set(sig, t)
    await next()
  }
}

export function bearerAuth(token: string): MiddlewareHandler {
  if (token === '') throw new Error('bearerAuth needs a non-empty token')
  return async (c, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')
    if (!m?.[1] || !safeEqual(m[1], token)) {
      c.header('www-authenticate', 'Bearer')
      throw unauthorized()
    }
    await next()
  }
}
