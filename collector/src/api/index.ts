// The HTTP server: web UI, API, health and /metrics, on hono.
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { routePath } from 'hono/route'
import type { DescribedExporter } from '@flowloft/decoder-wasm'
import type { Engine } from '../clickhouse/engine.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { exporterRoutes, type ExporterPrefixes } from './exporters.js'
import { interfaceRoutes } from './interfaces.js'
import { OPENAPI } from './openapi.js'
import type { Senders } from '../senders/index.js'
import { alertsRoutes } from './alerts.js'
import { accessGuard, type AccessConfig } from './access.js'
import { loginRoutes } from './login.js'
import { mutationAuth, type MutationAuthConfig } from './mutation-auth.js'
import { queryRoutes } from './query.js'
import { senderRoutes } from './senders.js'
import { sidesRoutes } from './sides.js'
import { staticRoutes } from './static.js'
import type { RetentionDays } from './source.js'
import { statusRoutes } from './status.js'
import { summariesRoutes } from './summaries.js'
import type { Summaries } from '../summaries/index.js'
import { timeseriesRoutes } from './timeseries.js'
import { topRoutes } from './top.js'
import { usageRoutes } from './usage.js'
import { usageCycleRoutes } from './usage-cycle.js'
import type { Usage } from '../usage/index.js'

export interface ApiDeps {
  engine: Engine
  metrics: Registry
  log: Logger
  maxBodyBytes: number
  /** Templates and sampling rates learned per exporter (pipeline.templates.describe). */
  templates?: () => DescribedExporter[]
  /** Each exporter's prefixes in effect and learned (enrichment, prefix learning). */
  prefixes?: ExporterPrefixes
  /** True once every configured UDP listener is bound. */
  listenersBound?: () => boolean
  /** Why a writer makes no progress (`stalled: ...`), undefined while they all do. */
  writerStalled?: () => string | undefined
  /** Why ClickHouse cannot be used yet (not reached, schema not applied); undefined once it can. */
  notReady?: () => string | undefined
  /** Conversation summaries for /api/summaries (404 without). */
  summaries?: Summaries
  /** Table retention, for choosing raw flows or a rollup (default: the default days). */
  retention?: RetentionDays
  /** The sender registry (/api/senders); absent, those routes answer 503. */
  senders?: Senders
  /** Credentials every changing endpoint requires; absent or empty, changes are refused. */
  auth?: MutationAuthConfig
  /** Whether the alert rules run (alerts.enabled): /api/alerts answers 404 without. */
  alerts?: boolean
  /** alerts.learning_days, shown by /api/status (default 7). */
  alertsLearningDays?: number
  /** Usage per billing cycle and data caps (/api/usage/cycle answers 404 without). */
  usage?: Usage
  /** Host allow-list, cross-site refusal and login (access.ts); absent: open, any host. */
  access?: AccessConfig
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
  const requests = d.metrics.counter(
    'flowloft_http_requests_total',
    'HTTP requests served, by method, route (the matched pattern) and status',
    ['method', 'route', 'status'],
  )
  app.use('*', async (c, next) => {
    await next()
    requests.inc({
      method: c.req.method,
      route: routePath(c as Context, -1),
      status: String(c.res.status),
    })
  })
  if (d.access) app.use('*', accessGuard(d.access))
  app.route('/', loginRoutes(d.access?.token ?? '', d.log))
  app.get('/healthz', (c) => c.text('ok\n'))
  app.get('/readyz', async (c) => {
    const ping = await d.engine.client.ping().catch(() => ({ success: false }))
    const listeners = d.listenersBound?.() ?? true
    const stalled = d.writerStalled?.()
    const schema = d.notReady?.()
    const reason =
      schema ??
      (!ping.success ? 'clickhouse does not answer a ping' : undefined) ??
      (!listeners ? 'a listener is not bound' : undefined) ??
      stalled
    return c.json(
      {
        ready: reason === undefined,
        clickhouse: ping.success,
        schema: schema === undefined ? 'ok' : 'not applied',
        listeners,
        writer: stalled ?? 'ok',
        ...(reason === undefined ? {} : { reason }),
      },
      reason === undefined ? 200 : 503,
    )
  })
  app.get('/metrics', (c) =>
    c.text(d.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  )
  app.get('/api/openapi.json', (c) => c.json(OPENAPI))
  app.route(
    '/',
    statusRoutes(d.metrics, {
      enabled: d.alerts ?? false,
      learningDays: d.alertsLearningDays ?? 7,
    }),
  )
  app.route('/', topRoutes(d.engine, d.retention))
  app.route('/', timeseriesRoutes(d.engine, d.retention))
  app.route('/', sidesRoutes(d.engine, d.retention))
  app.route('/', usageRoutes(d.engine, d.retention))
  app.route('/', usageCycleRoutes(d.engine, d.usage))
  app.route('/', interfaceRoutes(d.engine, d.retention))
  app.route('/', summariesRoutes(d.summaries))
  app.route('/', alertsRoutes(d.engine, d.alerts ?? false))
  app.route('/', exporterRoutes(d.engine, d.templates ?? (() => []), d.prefixes, d.retention))
  app.route('/', queryRoutes(d.engine))
  const requireAuth = mutationAuth(
    d.auth ?? { hmacKey: '', bearerToken: '', windowSeconds: 300 },
    d.log,
  )
  app.route('/', senderRoutes(d.senders, d.engine, requireAuth, d.log))
  app.route('/', staticRoutes())
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404))
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status)
    const notReady = d.notReady?.()
    if (notReady !== undefined) return c.json({ error: `not ready: ${notReady}` }, 503)
    d.log.error('http handler failed', { path: c.req.path, error: err.message })
    return c.json({ error: 'internal error' }, 500)
  })
  return app
}
