// POST /api/query: users' SQL, run read-only by ClickHouse itself (readonly=1 on the
// reader session), with `flowloft` as the current database, time and row limits.
// `?format=json` (default: ClickHouse JSON with meta, data, statistics), `csv` or `tsv`
// (with a header row of column names).
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Engine } from '../clickhouse/engine.js'
import { isClickHouseError, statusForClickHouse } from './errors.js'
import { parseChoice } from './params.js'

const TEXT_FORMATS = {
  csv: { format: 'CSVWithNames', type: 'text/csv; charset=utf-8' },
  tsv: { format: 'TabSeparatedWithNames', type: 'text/tab-separated-values; charset=utf-8' },
} as const

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
      if (format === 'csv' || format === 'tsv') {
        const f = TEXT_FORMATS[format]
        const rs = await engine.reader().query({
          query: sql,
          format: f.format,
          clickhouse_settings: engine.readerSettings,
        })
        return c.body(await rs.text(), 200, { 'content-type': f.type })
      }
      const rs = await engine.reader().query({
        query: sql,
        format: 'JSON',
        clickhouse_settings: engine.readerSettings,
      })
      return c.json(await rs.json())
    } catch (err) {
      if (isClickHouseError(err)) {
        return c.json(
          { error: err.message, code: Number(err.code), type: err.type },
          statusForClickHouse(err),
        )
      }
      throw err
    }
  })
  return app
}
