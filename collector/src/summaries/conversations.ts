// The top conversations of each exporter in a window, read from raw flows. A request and
// its reply are one conversation: flows A->B and B->A of the same protocol and ports are
// grouped under (client, server), where the server is the side with the lower port (the
// lower address when the ports are equal, as for ICMP). Request bytes went client to
// server, reply bytes server to client.
import type { ClickHouseClient } from '@clickhouse/client'

export interface Conversation {
  proto: number
  proto_name: string
  client: string
  client_port: number
  client_host: string
  server: string
  server_port: number
  server_host: string
  request_bytes: number
  request_packets: number
  reply_bytes: number
  reply_packets: number
  /** Flow records (both ways) that made the conversation. */
  flows: number
}

export interface ExporterSummary {
  exporter: string
  exporter_name: string
  /** Largest first (request + reply bytes). */
  conversations: Conversation[]
}

export interface WindowSummary {
  window_minutes: number
  /** Unix seconds, inclusive. */
  from: number
  /** Unix seconds, exclusive: the window's boundary. */
  to: number
  exporters: ExporterSummary[]
}

const text = (col: string): string => `replaceRegexpOne(toString(${col}), '^::ffff:', '')`

// Client and server sides of a flow (the server has the lower port, then address).
const SIDES = `(src_port, src_addr) >= (dst_port, dst_addr) AS fc,
    if(fc, src_addr, dst_addr) AS c_addr, if(fc, src_port, dst_port) AS c_port,
    if(fc, dst_addr, src_addr) AS s_addr, if(fc, dst_port, src_port) AS s_port,
    cityHash64(exporter, proto, c_addr, c_port, s_addr, s_port) AS conv`
const WINDOW =
  'time_received >= toDateTime({from:UInt32}) AND time_received < toDateTime({to:UInt32})'

// Two passes keep the memory of a window with millions of conversations small: the
// first ranks conversations by their bytes alone (a narrow GROUP BY and sort, which can
// spill to disk), the second reads numbers and names of the few it kept. Ranking with
// every column held all of them through the sort: 4 M conversations did not fit in
// 512 MiB, the narrow ranking fits in 256 MiB. Ties at the cut are broken by the
// conversation's hash.
const TOP_SQL = `WITH ${SIDES}
  SELECT toString(conv) AS id
  FROM flowloft.flows
  WHERE ${WINDOW}
  GROUP BY exporter, conv
  ORDER BY sum(bytes) DESC, conv
  LIMIT {top:UInt32} BY exporter`

const DETAIL_SQL = `SELECT ${text('exp')} AS exporter, exporter_name, proto, proto_name,
    ${text('c_addr')} AS client, c_port AS client_port, client_host,
    ${text('s_addr')} AS server, s_port AS server_port, server_host,
    request_bytes, request_packets, reply_bytes, reply_packets, flows
  FROM (
    WITH ${SIDES}
    SELECT exporter AS exp, proto, c_addr, c_port, s_addr, s_port,
      argMax(exporter_name, time_received) AS exporter_name,
      any(proto_name) AS proto_name,
      max(if(fc, src_host, dst_host)) AS client_host,
      max(if(fc, dst_host, src_host)) AS server_host,
      sumIf(bytes, fc) AS request_bytes, sumIf(packets, fc) AS request_packets,
      sumIf(bytes, NOT fc) AS reply_bytes, sumIf(packets, NOT fc) AS reply_packets,
      count() AS flows
    FROM flowloft.flows
    WHERE ${WINDOW} AND toString(conv) IN {convs:Array(String)}
    GROUP BY exp, proto, c_addr, c_port, s_addr, s_port
  )
  ORDER BY exp, request_bytes + reply_bytes DESC, c_addr, c_port, s_addr, s_port`

type Row = Record<keyof Conversation | 'exporter' | 'exporter_name', string | number>

type NumberField =
  | 'proto'
  | 'client_port'
  | 'server_port'
  | 'request_bytes'
  | 'request_packets'
  | 'reply_bytes'
  | 'reply_packets'
  | 'flows'

function conversation(r: Row): Conversation {
  // 64-bit sums may come back quoted, depending on the session's JSON settings.
  const n = (k: NumberField): number => Number(r[k])
  const s = (k: keyof Row): string => String(r[k])
  return {
    proto: n('proto'),
    proto_name: s('proto_name'),
    client: s('client'),
    client_port: n('client_port'),
    client_host: s('client_host'),
    server: s('server'),
    server_port: n('server_port'),
    server_host: s('server_host'),
    request_bytes: n('request_bytes'),
    request_packets: n('request_packets'),
    reply_bytes: n('reply_bytes'),
    reply_packets: n('reply_packets'),
    flows: n('flows'),
  }
}

/**
 * The window [from, to) (by default the `minutes` before `to`): up to `top` conversations
 * for each exporter with flows.
 */
export async function summarizeWindow(
  client: ClickHouseClient,
  minutes: number,
  to: number,
  top: number,
  from = to - minutes * 60,
): Promise<WindowSummary> {
  const ranked = await client.query({
    query: TOP_SQL,
    query_params: { from, to, top },
    format: 'JSONEachRow',
  })
  const convs = (await ranked.json<{ id: string }>()).map((r) => r.id)
  const byExporter = new Map<string, ExporterSummary>()
  if (convs.length === 0) return { window_minutes: minutes, from, to, exporters: [] }
  const rs = await client.query({
    query: DETAIL_SQL,
    query_params: { from, to, convs },
    format: 'JSONEachRow',
  })
  for (const r of await rs.json<Row>()) {
    const exporter = String(r.exporter)
    let e = byExporter.get(exporter)
    if (!e) {
      e = { exporter, exporter_name: String(r.exporter_name), conversations: [] }
      byExporter.set(exporter, e)
    }
    e.conversations.push(conversation(r))
  }
  return { window_minutes: minutes, from, to, exporters: [...byExporter.values()] }
}
