// GET /api/interfaces: exporters' interfaces by bytes, from the local devices' side (in:
// what the devices received through the interface, out: what they sent), a flow counting
// for the interface it entered by and the one it left by; names from flowloft.interfaces.
// Filters and the choice of table as for /api/devices (sides.ts).
import { Hono } from 'hono'
import type { Engine } from '../clickhouse/engine.js'
import { parseFilters } from './filters.js'
import { addrText, parseInteger } from './params.js'
import { readRows } from './read.js'
import {
  rollupApproximate,
  rollupFilters,
  SIDED_SUMS,
  sidedParams,
  sidedSource,
  sidedSql,
} from './sides-sql.js'
import { DEFAULT_RETENTION, type RetentionDays } from './source.js'

export interface InterfaceRow {
  exporter: string
  if_index: number
  /** The interface's latest name, or empty. */
  name: string
  in_bytes: number
  out_bytes: number
  bytes: number
  flows: number
}

export function interfaceRoutes(
  engine: Engine,
  retention: RetentionDays = DEFAULT_RETENTION,
): Hono {
  const app = new Hono()
  app.get('/api/interfaces', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const f = parseFilters(q)
    const limit = parseInteger('limit', q('limit'), 10, 1, 1000)
    const w = sidedSource(q, retention, {
      rollup: rollupFilters(f),
      approximate: rollupApproximate(f, false),
    })
    const rows = await readRows<InterfaceRow>(engine, {
      // Summed per exporter and interface pair first, then per interface: the pairs are
      // few, so the ARRAY JOIN no longer runs once per flow (or rollup row).
      query: `SELECT ${addrText('t.x')} AS exporter, t.if_index AS if_index, n.name AS name,
          in_b AS in_bytes, out_b AS out_bytes, all_b AS bytes, rows AS flows
        FROM (
          SELECT x, if_index, sum(p.in_bytes) AS in_b, sum(p.out_bytes) AS out_b,
            sum(p.bytes) AS all_b, sum(p.flows) AS rows
          FROM (
            SELECT exporter AS x, in_if, out_if, ${SIDED_SUMS}
            FROM ${sidedSql(f, false, w.source, false, 'coarser')}
            GROUP BY x, in_if, out_if) AS p
          ARRAY JOIN arrayDistinct([in_if, out_if]) AS if_index
          WHERE if_index != 0
          GROUP BY x, if_index ORDER BY all_b DESC, x, if_index LIMIT {limit:UInt32}) AS t
        LEFT JOIN (
          SELECT exporter AS x, if_index, argMax(if_name, last_seen) AS name
          FROM flowloft.interfaces GROUP BY exporter, if_index) AS n
        ON n.x = t.x AND n.if_index = t.if_index
        ORDER BY bytes DESC, exporter, if_index`,
      query_params: { ...sidedParams(f, w), limit },
    })
    return c.json({ from: w.from, to: w.to, source: w.source, filters: f.given, rows })
  })
  return app
}
