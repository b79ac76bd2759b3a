// GET /api/exporters: who sent flows in a window (flow types, flows, bytes, sampling
// rates, last seen, the prefixes deciding direction and those learned) plus exporters
// known only from templates. Raw flows answer, or the coarsest rollup that covers the
// window (source.ts): the sums from it, and then each exporter's name, flow type and
// sampling rate are its latest (flowloft.exporters), not every one seen in the window. GET
// /api/exporters/:addr/templates: the templates and sampling rates learned from one.
import { isIP } from 'node:net'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { DescribedExporter } from '@flowloft/decoder-wasm'
import type { Engine } from '../clickhouse/engine.js'
import type { LearnedPrefix } from '../learned-prefixes/index.js'
import { addrText, nowSeconds, parseWindow, WINDOW_SQL } from './params.js'
import { readRows } from './read.js'
import {
  chooseSource,
  DEFAULT_RETENTION,
  grainOf,
  parseSource,
  type RetentionDays,
  type SourceChoice,
} from './source.js'

export interface ExporterRow {
  exporter: string
  name: string
  flow_types: string[]
  sampling_rates: number[]
  flows: number
  bytes: number
  packets: number
  /** Unix seconds of the newest flow in the window; null when none. */
  last_seen: number | null
  templates: number
  /** Prefixes of this exporter's own deciding direction (besides enrich.local_prefixes). */
  local_prefixes: readonly string[]
  /** Learned from its flows (enrich.learn_prefixes); in effect unless it has prefixes given. */
  learned_prefixes: LearnedPrefix[]
}

/** An exporter's prefixes: those in effect and those learned. */
export type ExporterPrefixes = (exporter: string) => {
  effective: readonly string[]
  learned: LearnedPrefix[]
}

type Row = Omit<ExporterRow, 'templates' | 'local_prefixes' | 'learned_prefixes'>

const bare = (a: string): string => a.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')

const RAW_SQL = `SELECT ${addrText('exporter')} AS exporter, any(exporter_name) AS name,
    arraySort(groupUniqArray(toString(flow_type))) AS flow_types,
    arraySort(groupUniqArray(sampling_rate)) AS sampling_rates,
    count() AS flows, sum(bytes) AS bytes, sum(packets) AS packets,
    toUnixTimestamp(max(time_received)) AS last_seen
  FROM flowloft.flows WHERE ${WINDOW_SQL}
  GROUP BY exporter ORDER BY bytes DESC`

/**
 * The same from a rollup: the newest flow is the latest seen when that falls in the
 * window, else the end of the newest minute or hour with flows.
 */
const rollupSql = (source: string, grain: number): string => `SELECT
    ${addrText('r.exporter')} AS exporter, e.name AS name, e.flow_types AS flow_types,
    e.sampling_rates AS sampling_rates, r.flows AS flows, r.bytes AS bytes, r.packets AS packets,
    if(e.last >= {from:UInt32} AND e.last < {to:UInt32}, e.last,
      least(r.last + ${grain}, {to:UInt32})) AS last_seen
  FROM (
    SELECT exporter, sum(flows) AS flows, sum(bytes) AS bytes, sum(packets) AS packets,
      toUnixTimestamp(max(time)) AS last
    FROM flowloft.${source}
    WHERE time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})
    GROUP BY exporter) AS r
  LEFT JOIN (
    SELECT exporter, argMax(exporter_name, last_seen) AS name,
      [argMax(flow_type, last_seen)] AS flow_types,
      [argMax(sampling_rate, last_seen)] AS sampling_rates,
      toUnixTimestamp(max(last_seen)) AS last
    FROM flowloft.exporters GROUP BY exporter) AS e ON e.exporter = r.exporter
  ORDER BY bytes DESC`

const exportersSql = (w: SourceChoice): string =>
  w.source === 'flows' ? RAW_SQL : rollupSql(w.source, grainOf(w.source))

export function exporterRoutes(
  engine: Engine,
  describe: () => DescribedExporter[],
  prefixes: ExporterPrefixes = () => ({ effective: [], learned: [] }),
  retention: RetentionDays = DEFAULT_RETENTION,
): Hono {
  const app = new Hono()
  app.get('/api/exporters', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const w = chooseSource({
      window: parseWindow(q),
      rollup: true,
      forced: parseSource(q('source')),
      retention,
      now: nowSeconds(),
    })
    const rows = await readRows<Row>(engine, {
      query: exportersSql(w),
      query_params: { from: w.from, to: w.to },
    })
    const templates = new Map(describe().map((d) => [bare(d.exporter), d.templates.length]))
    const withPrefixes = (exporter: string) => {
      const p = prefixes(exporter)
      return { local_prefixes: p.effective, learned_prefixes: p.learned }
    }
    const out: ExporterRow[] = rows.map((r) => ({
      ...r,
      templates: templates.get(r.exporter) ?? 0,
      ...withPrefixes(r.exporter),
    }))
    for (const [exporter, n] of templates) {
      if (out.some((r) => r.exporter === exporter)) continue
      out.push({
        exporter,
        name: '',
        flow_types: [],
        sampling_rates: [],
        flows: 0,
        bytes: 0,
        packets: 0,
        last_seen: null,
        templates: n,
        ...withPrefixes(exporter),
      })
    }
    return c.json({ from: w.from, to: w.to, source: w.source, exporters: out })
  })
  app.get('/api/exporters/:addr/templates', (c) => {
    const addr = bare(c.req.param('addr'))
    if (isIP(addr) === 0) throw new HTTPException(400, { message: `not an IP address: ${addr}` })
    const d = describe().find((e) => bare(e.exporter) === addr)
    return c.json({
      exporter: addr,
      templates: d?.templates ?? [],
      sampling: d?.sampling ?? [],
      systemInit: d?.systemInit ?? [],
    })
  })
  return app
}
