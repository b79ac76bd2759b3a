// The HTTP server in front of the API app: bound with the connection limits, and a bind
// failure turned into a config error naming the setting.
import { Server as HttpServer } from 'node:http'
import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { ConfigError, type ListenAddress } from '../config/index.js'
import type { Registry } from '../observability/metrics.js'
import { limitConnections, serverOptions } from './connection-limits.js'

export interface HttpServerOptions {
  listen: ListenAddress
  maxConnections: number
  queryTimeoutSeconds: number
  metrics: Registry
}

export interface BoundHttpServer {
  address: string
  port: number
  close(): Promise<void>
}

export function startHttpServer(app: Hono, o: HttpServerOptions): Promise<BoundHttpServer> {
  const limits = { maxConnections: o.maxConnections, queryTimeoutSeconds: o.queryTimeoutSeconds }
  const { host, port } = o.listen
  return new Promise((resolve, reject) => {
    const server: ServerType = serve(
      { fetch: app.fetch, port, hostname: host, serverOptions: serverOptions(limits) },
      (info) =>
        resolve({
          address: info.address,
          port: info.port,
          close: () => new Promise<void>((r) => server.close(() => r())),
        }),
    )
    if (server instanceof HttpServer) limitConnections(server, limits, o.metrics)
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new ConfigError(
              `http.listen (--http, FLOWLOFT_HTTP_LISTEN) ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : 'not allowed to bind'}`,
            )
          : err,
      ),
    )
  })
}
