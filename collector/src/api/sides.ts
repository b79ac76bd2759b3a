// The views of "my devices" against "the internet", from flows seen from the local side
// (sides-sql.ts), with the filters of filters.ts. Raw flows answer, or the coarsest
// rollup that covers the window (source.ts): flows_1m/_1h/_1d when the question needs
// no remote address (names then come from raw flows of the window's last hour for
// devices), else flows_hosts_1m/_1h/_1d when it needs no exporter or interface; AS
// names of either from as_names.
//   GET /api/devices            local devices by bytes, with names where flows carry them
//   GET /api/devices/{addr}     one device's first and last seen and usage (usage.ts)
//   GET /api/remote?by=...      the remote side's hosts, ASes, countries, services, protocols,
//                               apps (label: the app's category, docs/apps.md)
import { Hono } from 'hono'
import type { Engine } from '../clickhouse/engine.js'
import { serviceName } from '../enrich/services.js'
import { parseFilters } from './filters.js'
import { addrText, parseChoice, parseInteger } from './params.js'
import { readRows } from './read.js'
import {
  hostsFilters,
  pairsFilters,
  rollupApproximate,
  rollupFilters,
  SIDED_SUMS,
  sidedParams,
  sidedSource,
  sidedSql,
} from './sides-sql.js'
import { DEFAULT_RETENTION, keepsAddresses, type RetentionDays } from './source.js'

export interface DeviceRow {
  device: string
  name: string
  in_bytes: number
  out_bytes: number
  bytes: number
  flows: number
  first_seen: number
  last_seen: number
}

export interface RemoteRow {
  key: string
  label: string
  in_bytes: number
  out_bytes: number
  bytes: number
  flows: number
  /** Its flows were stored as internal (with a device filter: a peer on the LAN). */
  internal: boolean
}

const REMOTE_BY = {
  host: { key: addrText('r_addr'), label: "argMax(r_host, r_host != '')" },
  as: { key: 'toString(r_as)', label: 'any(r_as_name)' },
  country: { key: 'r_country', label: "''" },
  service: {
    key: "concat(lower(proto_label), '/', toString(svc_port))",
    label: "''",
  },
  proto: { key: 'proto_label', label: "''" },
  app: { key: 'r_app', label: "''" },
} as const
export type RemoteBy = keyof typeof REMOTE_BY
/** What flows_pairs_1d does not keep (schema/0010_pairs_rollup.sql). */
const PER_FLOW_KIND: readonly RemoteBy[] = ['service', 'proto', 'app']
export const REMOTE_BYS = Object.keys(REMOTE_BY) as RemoteBy[]

const FRIENDLY: Record<string, string> = { domain: 'dns', 'domain-s': 'dns-over-tls' }

/** The name of a service key such as tcp/443 (https), udp/443 (quic), udp/0 (other). */
export function serviceLabel(key: string): string {
  const [proto, p] = key.split('/')
  const port = Number(p)
  if (port === 0) return 'other'
  const n = proto === 'tcp' ? 6 : proto === 'udp' ? 17 : proto === 'sctp' ? 132 : -1
  if (n === 17 && port === 443) return 'quic'
  const name = serviceName(n, port)
  return FRIENDLY[name] ?? name
}

/** Host names of devices from raw flows of the window's last hour (the rollups keep none). */
async function deviceNames(
  engine: Engine,
  to: number,
  devices: string[],
): Promise<Map<string, string>> {
  if (devices.length === 0) return new Map()
  const rows = await readRows<{ device: string; name: string }>(engine, {
    query: `SELECT ${addrText('addr')} AS device, argMax(host, host != '') AS name FROM (
        SELECT dst_addr AS addr, dst_host AS host FROM flowloft.flows
        WHERE time_received >= toDateTime({to:UInt32} - 3600) AND time_received < toDateTime({to:UInt32})
          AND dst_host != '' AND dst_addr IN {addrs:Array(IPv6)}
        UNION ALL
        SELECT src_addr, src_host FROM flowloft.flows
        WHERE time_received >= toDateTime({to:UInt32} - 3600) AND time_received < toDateTime({to:UInt32})
          AND src_host != '' AND src_addr IN {addrs:Array(IPv6)})
      GROUP BY addr`,
    query_params: { to, addrs: devices },
  })
  return new Map(rows.map((r) => [r.device, r.name]))
}

/** AS names from flowloft.as_names (the rollups keep the numbers only). */
async function asNames(engine: Engine, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map()
  const rows = await readRows<{ key: string; name: string }>(engine, {
    query: `SELECT toString(asn) AS key, argMax(as_name, last_seen) AS name
      FROM flowloft.as_names WHERE asn IN {asns:Array(UInt32)} GROUP BY asn`,
    query_params: { asns: keys.map(Number) },
  })
  return new Map(rows.map((r) => [r.key, r.name]))
}

/** Each app's category, from the list loaded into flowloft.app_domains (apps/table.ts). */
async function appCategories(engine: Engine, apps: string[]): Promise<Map<string, string>> {
  if (apps.length === 0) return new Map()
  const rows = await readRows<{ key: string; name: string }>(engine, {
    query: `SELECT app AS key, min(category) AS name FROM flowloft.app_domains
      WHERE app IN {apps:Array(String)} GROUP BY app`,
    query_params: { apps },
  })
  return new Map(rows.map((r) => [r.key, r.name]))
}

export function sidesRoutes(engine: Engine, retention: RetentionDays = DEFAULT_RETENTION): Hono {
  const app = new Hono()

  app.get('/api/devices', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const f = parseFilters(q)
    const limit = parseInteger('limit', q('limit'), 10, 1, 1000)
    const w = sidedSource(q, retention, {
      rollup: rollupFilters(f),
      approximate: rollupApproximate(f, true),
      hosts: hostsFilters(f),
      pairs: pairsFilters(f),
    })
    const rows = await readRows<DeviceRow>(engine, {
      query: `SELECT ${addrText('l_addr')} AS device, argMax(l_host, l_host != '') AS name, ${SIDED_SUMS},
          toUnixTimestamp(min(time_received)) AS first_seen,
          toUnixTimestamp(max(time_received + grain)) AS last_seen
        FROM ${sidedSql(f, false, w.source, true, 'device')}
        GROUP BY l_addr ORDER BY bytes DESC, device LIMIT {limit:UInt32}`,
      query_params: { ...sidedParams(f, w), limit },
    })
    // A rollup row's end: at most the window's.
    for (const r of rows) r.last_seen = Math.min(w.to, r.last_seen)
    // flows_hosts_* and flows_pairs_1d keep the names.
    if (w.source !== 'flows' && !keepsAddresses(w.source)) {
      const names = await deviceNames(
        engine,
        w.to,
        rows.map((r) => r.device),
      )
      for (const r of rows) r.name = names.get(r.device) ?? ''
    }
    return c.json({ from: w.from, to: w.to, source: w.source, filters: f.given, rows })
  })

  app.get('/api/remote', async (c) => {
    const q = (k: string): string | undefined => c.req.query(k)
    const f = parseFilters(q)
    const by = parseChoice('by', q('by'), REMOTE_BYS) ?? 'host'
    const limit = parseInteger('limit', q('limit'), 10, 1, 1000)
    const d = REMOTE_BY[by]
    const w = sidedSource(q, retention, {
      rollup: by !== 'host' && rollupFilters(f),
      approximate: rollupApproximate(f, false),
      hosts: hostsFilters(f),
      pairs: pairsFilters(f) && !PER_FLOW_KIND.includes(by),
    })
    // Without a device, "remote" is the internet: internal flows stay out.
    const internet = f.given.device === undefined
    const rows = await readRows<RemoteRow>(engine, {
      query: `SELECT ${d.key} AS key, ${d.label} AS label, ${SIDED_SUMS},
          max(direction = 'internal') AS internal
        FROM ${sidedSql(f, internet, w.source, false, 'coarser')}
        GROUP BY key ORDER BY bytes DESC, key LIMIT {limit:UInt32}`,
      query_params: { ...sidedParams(f, w), limit },
    })
    // The engine answers a number.
    for (const r of rows) r.internal = Number(r.internal) === 1
    if (by === 'service') for (const r of rows) r.label = serviceLabel(r.key)
    if (by === 'app') {
      const categories = await appCategories(
        engine,
        rows.map((r) => r.key),
      )
      for (const r of rows) r.label = categories.get(r.key) ?? ''
    }
    if (by === 'as' && w.source !== 'flows') {
      const names = await asNames(
        engine,
        rows.map((r) => r.key),
      )
      for (const r of rows) r.label = names.get(r.key) ?? ''
    }
    return c.json({ by, from: w.from, to: w.to, source: w.source, filters: f.given, rows })
  })
  return app
}
