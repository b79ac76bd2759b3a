// GET /api/top: the biggest keys (hosts, countries, ASes, protocols, ports, interfaces,
// exporters) by bytes in a window, from the coarsest table that covers it (source.ts).
// `by` picks a whitelisted expression; every user value travels as a query parameter.
import { Hono } from 'hono'
import { ROLLUP_LOCAL_ADDR_SQL, ROLLUP_SERVICE_PORT_SQL } from '@flowloft/decoder-wasm'
import { protocolName } from '../flows/protocols.js'
import type { Engine } from '../clickhouse/engine.js'
import { readRows } from './read.js'
import {
  addrText,
  DIRECTIONS,
  parseChoice,
  nowSeconds,
  parseInteger,
  parseWindow,
  WINDOW_SQL,
} from './params.js'
import {
  chooseSource,
  DEFAULT_RETENTION,
  keepsAddresses,
  parseSource,
  type RetentionDays,
} from './source.js'
import { HOSTS_DIMENSIONS, ROLLUP_DIMENSIONS, rollupTopSql } from './top-rollup.js'

/** key and label expressions per dimension over raw flows; label is '' when the key says it all. */
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
  /** The local side of the flow, as the rollups keep it (:: for unknown and transit). */
  local_addr: { key: addrText(ROLLUP_LOCAL_ADDR_SQL), label: "''" },
  /** The lower port when it is a service port, else 0, as the rollups keep it. */
  service_port: { key: `toString(${ROLLUP_SERVICE_PORT_SQL})`, label: "''" },
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

/** Protocol names by number, for the rollups (which keep only the number). */
const PROTO_NAMES = Array.from({ length: 256 }, (_, p) => protocolName(p))

export function topRoutes(engine: Engine, retention: RetentionDays = DEFAULT_RETENTION): Hono {
  const app = new Hono()
  app.get('/api/top', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const by = parseChoice('by', q('by'), TOP_BY) ?? 'src_addr'
    const limit = parseInteger('limit', q('limit'), 10, 1, 1000)
    const direction = parseChoice('direction', q('direction'), DIRECTIONS)
    const rollup = ROLLUP_DIMENSIONS[by]
    const s = chooseSource({
      window: parseWindow(q),
      rollup:
        rollup !== undefined &&
        (!rollup.directions || (direction !== undefined && rollup.directions.includes(direction))),
      hosts: HOSTS_DIMENSIONS[by] !== undefined,
      pairs: HOSTS_DIMENSIONS[by] !== undefined,
      forced: parseSource(q('source')),
      retention,
      now: nowSeconds(),
    })
    const params = { from: s.from, to: s.to, limit, ...(direction ? { direction } : {}) }
    const d = DIMENSIONS[by]
    const fromRollup = keepsAddresses(s.source) ? HOSTS_DIMENSIONS[by] : rollup
    const rows =
      s.source === 'flows' || fromRollup === undefined
        ? await readRows<TopRow>(engine, {
            query: `SELECT ${d.key} AS key, ${d.label} AS label, sum(bytes) AS bytes,
                sum(packets) AS packets, count() AS flows
              FROM flowloft.flows
              WHERE ${WINDOW_SQL}${direction ? ' AND direction = {direction:String}' : ''}
              GROUP BY key ORDER BY bytes DESC, key LIMIT {limit:UInt32}`,
            query_params: params,
          })
        : await readRows<TopRow>(engine, {
            query: rollupTopSql(fromRollup, s.source, direction !== undefined),
            query_params: { ...params, proto_names: PROTO_NAMES },
          })
    return c.json({
      by,
      from: s.from,
      to: s.to,
      direction: direction ?? null,
      source: s.source,
      rows,
    })
  })
  return app
}
