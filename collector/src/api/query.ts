// POST /api/query: users' SQL, one statement, judged by ClickHouse's parser and run
// read-only by ClickHouse itself (engine.userQuery), with `flowloft` as the current
// database, time, memory, row and byte limits.
// `?format=json` (default: ClickHouse JSON with meta, data, statistics), `csv` or `tsv`
// (with a header row of column names).
import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { QueryRefused, type Engine } from '../clickhouse/engine.js'
import { GateFull } from '../clickhouse/query-gate.js'
import { isClickHouseError, statusForClickHouse, userMessage } from './errors.js'
import { parseChoice } from './params.js'

const FORMATS = {
  json: { format: 'JSON', type: 'application/json; charset=utf-8' },
  csv: { format: 'CSVWithNames', type: 'text/csv; charset=utf-8' },
  tsv: { format: 'TabSeparatedWithNames', type: 'text/tab-separated-values; charset=utf-8' },
} as const

/** A refused, failed or queued-out query as an HTTP answer with ClickHouse's message. */
function queryError(c: Context, err: unknown): Response {
  if (err instanceof QueryRefused)
    return c.json({ error: err.message, type: err.reason }, err.reason === 'syntax' ? 400 : 403)
  if (err instanceof GateFull) return c.json({ error: err.message }, 503, { 'retry-after': '5' })
  if (isClickHouseError(err))
    return c.json(
      { error: userMessage(err.message), code: Number(err.code), type: err.type },
      statusForClickHouse(err),
    )
  throw err
}

export function queryRoutes(engine: Engine): Hono {
  const app = new Hono()
  app.post('/api/query', async (c) => {
    const format = parseChoice('format', c.req.query('format'), ['json', 'csv', 'tsv'] as const)
    const type = c.req.header('content-type') ?? ''
    let sql: string
    if (type.includes('application/json')) {
      const body = await c.req.json<{ sql?: unknown }>().catch(() => ({ sql: undefined }))
      if (typeof body.sql !== 'string')
        throw new HTTPException(400, { message: 'JSON body needs a "sql" string' })
      sql = body.sql
    } else {
      sql = await c.req.text()
    }
    if (sql.trim() === '')
      throw new HTTPException(400, { message: 'the request body must hold a SQL query' })
    try {
      const f = FORMATS[format ?? 'json']
      return c.body(await engine.userQuery(sql, f.format), 200, { 'content-type': f.type })
    } catch (err) {
      return queryError(c, err)
    }
  })
  // Any other method (registered after POST, so POST never gets here).
  app.all('/api/query', (c) =>
    c.json({ error: 'POST the SQL as the body (or JSON {"sql": "..."})' }, 405, { allow: 'POST' }),
  )
  return app
}
