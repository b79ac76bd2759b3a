// Who may talk to the HTTP server, checked before any route:
// - Host allow-list: a request whose Host is not this machine (an IP literal, localhost,
//   the host's own name) or a configured name is refused, so a page on another site
//   cannot reach the API through DNS rebinding.
// - Cross-site: a browser's request from another site (Sec-Fetch-Site, or an Origin that
//   is not this Host) is refused, and a browser may change state only with a JSON body,
//   which no plain form or simple request can send.
// - Authentication (when on): a bearer token, or the console's session cookie, which
//   POST /api/login sets for the same token. /healthz and /readyz stay open, and so do
//   the console's static files, which hold no data.
import { createHmac } from 'node:crypto'
import { hostname } from 'node:os'
import { isIP } from 'node:net'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { safeEqual, SIGNATURE_HEADER } from './auth.js'

export interface AccessConfig {
  /** Empty: no authentication (the `none` choice, or a loopback-only listener). */
  token: string
  /** Host names (no port) allowed besides IP literals, localhost and this host's name. */
  allowedHosts: readonly string[]
  /** /metrics without credentials (for a scraper that has none). */
  metricsPublic: boolean
}

export const SESSION_COOKIE = 'flowloft_session'

/** The console's cookie value for `token`: it proves the token without carrying it. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('flowloft console session v1').digest('hex')
}

const OPEN_PATHS = new Set(['/healthz', '/readyz', '/api/login', '/api/logout'])
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function isStatic(path: string): boolean {
  return path === '/' || path === '/index.html' || /^\/assets\/[\w.-]+$/.test(path)
}

/** The host name of a Host header, without port or IPv6 brackets, lower case. */
export function hostOf(header: string): string {
  const h = header.trim().toLowerCase()
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'))
  const colon = h.lastIndexOf(':')
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h
}

export function hostAllowed(host: string, allowed: ReadonlySet<string>): boolean {
  if (host === '') return false
  if (isIP(host) !== 0) return true
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  return allowed.has(host)
}

function crossSite(c: Context): string | null {
  const site = c.req.header('sec-fetch-site')
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `a ${site} request is refused`
  const origin = c.req.header('origin')
  if (origin !== undefined && origin !== 'null') {
    let o: URL
    try {
      o = new URL(origin)
    } catch {
      return 'a request with a malformed Origin is refused'
    }
    if (o.host !== (c.req.header('host') ?? '').toLowerCase())
      return `a request from ${o.origin} is refused`
  } else if (origin === 'null') return 'a request from an opaque origin is refused'
  const browser = site !== undefined || origin !== undefined
  const type = c.req.header('content-type') ?? ''
  if (browser && UNSAFE.has(c.req.method) && !type.startsWith('application/json'))
    return 'a browser may send changes and queries only as application/json'
  return null
}

export function accessGuard(a: AccessConfig): MiddlewareHandler {
  const own = hostname().toLowerCase()
  const allowed = new Set([
    own,
    own.split('.')[0] ?? own,
    ...a.allowedHosts.map((h) => h.toLowerCase()),
  ])
  const bearer = `Bearer ${a.token}`
  const session = a.token === '' ? '' : sessionValue(a.token)
  return async (c, next) => {
    const host = hostOf(c.req.header('host') ?? '')
    if (!hostAllowed(host, allowed))
      return c.json(
        { error: `host ${host || '(none)'} is not allowed: add it to http.allowed_hosts` },
        421,
      )
    const refused = crossSite(c)
    if (refused !== null) return c.json({ error: refused }, 403)
    const path = c.req.path
    // A signed change is checked by mutation-auth.ts on its route.
    const signed =
      c.req.header(SIGNATURE_HEADER) !== undefined &&
      UNSAFE.has(c.req.method) &&
      path.startsWith('/api/senders')
    const open =
      a.token === '' ||
      signed ||
      OPEN_PATHS.has(path) ||
      (c.req.method === 'GET' && isStatic(path)) ||
      (a.metricsPublic && path === '/metrics')
    if (!open) {
      const auth = c.req.header('authorization')
      const cookie = getCookie(c, SESSION_COOKIE)
      const ok =
        (auth !== undefined && safeEqual(auth, bearer)) ||
        (cookie !== undefined && safeEqual(cookie, session))
      if (!ok)
        return c.json({ error: 'log in: a bearer token or the console session is needed' }, 401, {
          'www-authenticate': 'Bearer realm="flowloft"',
        })
    }
    await next()
    return undefined
  }
}
