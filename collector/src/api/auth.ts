// Authentication for mutating endpoints, as hono middleware:
// - HMAC: the client sends `x-flowloft-timestamp` (unix seconds) and
//   `x-flowloft-signature` = hex HMAC-SHA256(key, METHOD \n path?query \n timestamp \n body).
//   Timestamps older than the window or more than `futureSeconds` ahead are refused, and
//   a signature is accepted once (replay), across restarts when the store has a file.
// - Bearer: `authorization: Bearer <token>`.
// Both compare in constant time and answer 401 without saying which part was wrong.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { createNonceStore, type NonceStore } from './nonce-store.js'

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

/** How far ahead of the clock a signed request's timestamp may be, seconds. */
export const FUTURE_SECONDS = 30

export interface HmacOptions {
  key: string | Buffer
  /** How old a timestamp may be, seconds. */
  windowSeconds?: number
  /** How far ahead of the clock a timestamp may be, seconds (default FUTURE_SECONDS). */
  futureSeconds?: number
  /** Signatures accepted so far (default: in memory, 10,000 at most). */
  nonces?: NonceStore
  /** A replayed signature was refused. */
  onReplay?(): void
  now?: () => number
}

export function hmacAuth(o: HmacOptions): MiddlewareHandler {
  const window = o.windowSeconds ?? 300
  const future = Math.min(o.futureSeconds ?? FUTURE_SECONDS, window)
  const now = o.now ?? (() => Date.now() / 1000)
  const nonces = o.nonces ?? createNonceStore({ file: null, windowSeconds: window + future })
  return async (c, next) => {
    const ts = c.req.header(TIMESTAMP_HEADER) ?? ''
    const sig = (c.req.header(SIGNATURE_HEADER) ?? '').toLowerCase()
    if (!/^\d{1,12}$/.test(ts) || !/^[0-9a-f]{64}$/.test(sig)) throw unauthorized()
    const t = Number(ts)
    const current = now()
    if (t < current - window || t > current + future) throw unauthorized()
    const url = new URL(c.req.url)
    const body = await c.req.text()
    const expected = signRequest(o.key, c.req.method, url.pathname + url.search, t, body)
    if (!safeEqual(sig, expected)) throw unauthorized()
    if (!nonces.claim(sig, t, current)) {
      o.onReplay?.()
      throw unauthorized()
    }
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
