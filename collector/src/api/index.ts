// The HTTP server: API, health and /metrics, on hono.
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { Engine } from '../clickhouse/engine.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { queryRoutes } from './query.js'

export interface ApiDeps {
  engine: Engine
  metrics: Registry
  log: Logger
  maxBodyBytes: number
}

export function createApi(d: ApiDeps): Hono {
  const app = new Hono()
  app.use(
    '*',
    bodyLimit({
      maxSize: d.maxBodyBytes,
      onError: (c) => c.json({ error: `request body larger than ${d.maxBodyBytes} bytes` }, 413),
    }),
  )
  app.get('/healthz', (c) => c.text('ok\n'))
  app.get('/metrics', (c) =>
    c.text(d.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  )
  app.route('/', queryRoutes(d.engine))
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404))
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status)
    d.log.error('http handler failed', { path: c.req.path, error: err.message })
    return c.json({ error: 'internal error' }, 500)
  })
  return app
}
