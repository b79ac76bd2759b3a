// Bounds what idle, slow or flooding clients can hold on the HTTP server: at most
// http.max_connections sockets in all and a quarter of them from one address (more are
// closed at once and counted), 10 s to send a request's headers, 5 s idle between
// requests, a request no longer than the query limit plus a margin, and a connection that
// sends nothing is closed after the same 10 s.
import type { IncomingMessage, Server as HttpServer, ServerOptions } from 'node:http'
import type { Socket } from 'node:net'
import type { Registry } from '../observability/metrics.js'

const HEADERS_MS = 10_000

export interface ConnectionLimits {
  maxConnections: number
  /** The longest a query may run, seconds (query.max_execution_seconds). */
  queryTimeoutSeconds: number
}

export function serverOptions(l: ConnectionLimits): ServerOptions {
  return {
    headersTimeout: HEADERS_MS,
    requestTimeout: (l.queryTimeoutSeconds + 30) * 1000,
    keepAliveTimeout: 5_000,
    // How often the server looks for connections past those times. Each look wakes the
    // process, idle or not (a wake-up costs about 0.5 ms of CPU on the 2-core bench
    // machine): every 5 s, so a slow sender's connection closes within 5 s of its time.
    connectionsCheckingInterval: 5_000,
  }
}

export function perSourceLimit(maxConnections: number): number {
  return Math.max(4, Math.floor(maxConnections / 4))
}

export function limitConnections(server: HttpServer, l: ConnectionLimits, metrics: Registry): void {
  const refused = metrics.counter(
    'flowloft_http_connections_refused_total',
    'HTTP connections closed at once, by reason: the total limit (http.max_connections) or the limit per source address',
    ['reason'],
  )
  const open = new Map<string, number>()
  metrics.gauge('flowloft_http_connections', 'open HTTP connections', [], (m) => {
    let n = 0
    for (const v of open.values()) n += v
    m.set({}, n)
  })
  const perSource = perSourceLimit(l.maxConnections)
  const waiting = new WeakMap<Socket, NodeJS.Timeout>()
  server.on('request', (req: IncomingMessage) => clearTimeout(waiting.get(req.socket)))
  server.maxConnections = l.maxConnections
  server.on('drop', () => refused.inc({ reason: 'total' }))
  server.on('connection', (socket: Socket) => {
    const from = socket.remoteAddress ?? ''
    const n = (open.get(from) ?? 0) + 1
    if (n > perSource) {
      refused.inc({ reason: 'per_source' })
      socket.destroy()
      return
    }
    open.set(from, n)
    // A connection that sends no request at all is closed when the header time is up
    // (headersTimeout counts only from a request's first byte).
    const silent = setTimeout(() => socket.destroy(), HEADERS_MS)
    silent.unref()
    waiting.set(socket, silent)
    socket.once('close', () => {
      clearTimeout(silent)
      const left = (open.get(from) ?? 1) - 1
      if (left <= 0) open.delete(from)
      else open.set(from, left)
    })
  })
  server.setTimeout(60_000 + l.queryTimeoutSeconds * 1000)
}
