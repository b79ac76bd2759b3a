// GET /api/top: the biggest keys (hosts, countries, ASes, protocols, ports, interfaces,
// exporters) by bytes in a window. `by` picks a whitelisted expression; every user value
// travels as a ClickHouse query parameter.
import { Hono } from 'hono'
import type { Engine } from '../clickhouse/engine.js'
import { readRows } from './read.js'
import {
  addrText,
  DIRECTIONS,
  parseChoice,
  parseInteger,
  parseWindow,
  WINDOW_SQL,
} from './params.js'

/** key and label expressions per dimension; label is '' when the key says it all. */
const DIMENSIONS = {
  src_addr: { key: addrText('src_addr'), label: "''" },
  dst_addr: { key: addrText('dst_addr'), label: "''" },
  src_host: { key: `if(src_host != '', src_host, ${addrText('src_addr')})`, label: "''" },
  dst_host: { key: `if(dst_host != '', dst_host, ${addrText('dst_addr')})`, label: "''" },
  src_country: { key: 'src_country', label: "''" },
  dst_country: { key: 'dst_country', label: "''" },
  src_as: { key: 'toString(src_as)', label: 'any(src_as_name)' },
  dst_as: { key: 'toString(dst_as)', label: 'any(dst_as_name)' },
  proto: { key: "if(proto_name != '', proto_name, toString(proto))", label: "''" },
  dst_port: { key: 'toString(dst_port)', label: "''" },
  src_port: { key: 'toString(src_port)', label: "''" },
  in_if: { key: 'toString(in_if)', label: 'any(in_if_name)' },
  out_if: { key: 'toString(out_if)', label: 'any(out_if_name)' },
  exporter: { key: addrText('exporter'), label: 'any(exporter_name)' },
} as const

export type TopBy = keyof typeof DIMENSIONS
export const TOP_BY = Object.keys(DIMENSIONS) as TopBy[]

export interface TopRow {
  key: string
  label: string
  bytes: number
  packets: number
  flows: number
}

export function topRoutes(engine: Engine): Hono {
  const app = new Hono()
  app.get('/api/top', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const by = parseChoice('by', q('by'), TOP_BY) ?? 'src_addr'
    const w = parseWindow(q)
    const limit = parseInteger('limit', q('limit'), 10, 1, 1000)
    const direction = parseChoice('direction', q('direction'), DIRECTIONS)
    const d = DIMENSIONS[by]
    const rows = await readRows<TopRow>(engine, {
      query: `SELECT ${d.key} AS key, ${d.label} AS label, sum(bytes) AS bytes,
          sum(packets) AS packets, count() AS flows
        FROM flowhouse.flows
        WHERE ${WINDOW_SQL}${direction ? ' AND direction = {direction:String}' : ''}
        GROUP BY key ORDER BY bytes DESC, key LIMIT {limit:UInt32}`,
      query_params: { from: w.from, to: w.to, limit, ...(direction ? { direction } : {}) },
    })
    return c.json({ by, from: w.from, to: w.to, direction: direction ?? null, rows })
  })
  return app
}
