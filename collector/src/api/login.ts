// The console's login: POST /api/login with {"token": "..."} sets the session cookie
// (HttpOnly, SameSite=Strict) that access.ts accepts in place of the bearer token;
// POST /api/logout clears it. GET /api/session says whether a login is needed. Failed
// attempts are logged and, past 20 a minute, answered 429.
import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { rateLimited, type Logger } from '../observability/log.js'
import { SESSION_COOKIE, sessionValue } from './access.js'
import { safeEqual } from './auth.js'

const FAILURES_PER_MINUTE = 20

export function loginRoutes(token: string, log: Logger): Hono {
  const app = new Hono()
  const complain = rateLimited(log)
  let window = 0
  let failures = 0
  app.get('/api/session', (c) => {
    const cookie = getCookie(c, SESSION_COOKIE)
    const loggedIn =
      token === '' ||
      (cookie !== undefined && safeEqual(cookie, sessionValue(token))) ||
      safeEqual(c.req.header('authorization') ?? '', `Bearer ${token}`)
    return c.json({ auth: token !== '', loggedIn })
  })
  app.post('/api/login', async (c) => {
    const minute = Math.floor(Date.now() / 60_000)
    if (minute !== window) {
      window = minute
      failures = 0
    }
    if (failures >= FAILURES_PER_MINUTE)
      return c.json({ error: 'too many failed logins; wait a minute' }, 429, {
        'retry-after': '60',
      })
    const body = await c.req.json<{ token?: unknown }>().catch(() => ({ token: undefined }))
    if (token === '') return c.json({ auth: false })
    if (typeof body.token !== 'string' || !safeEqual(body.token, token)) {
      failures++
      complain('login', 'console login refused: wrong token', { failures })
      return c.json({ error: 'wrong token' }, 401)
    }
    setCookie(c, SESSION_COOKIE, sessionValue(token), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      maxAge: 30 * 86400,
    })
    return c.json({ auth: true, loggedIn: true })
  })
  app.post('/api/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    return c.json({ loggedIn: false })
  })
  return app
}
