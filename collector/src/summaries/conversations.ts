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

// `fc`: this flow went from the client to the server.
const SQL = `SELECT ${text('exp')} AS exporter, e_name AS exporter_name, proto, p_name AS proto_name,
    ${text('c_addr')} AS client, c_port AS client_port, client_host,
    ${text('s_addr')} AS server, s_port AS server_port, server_host,
    request_bytes, request_packets, reply_bytes, reply_packets, flows
  FROM (
    WITH (src_port, src_addr) >= (dst_port, dst_addr) AS fc
    SELECT exporter AS exp, proto,
      if(fc, src_addr, dst_addr) AS c_addr, if(fc, src_port, dst_port) AS c_port,
      if(fc, dst_addr, src_addr) AS s_addr, if(fc, dst_port, src_port) AS s_port,
      argMax(exporter_name, time_received) AS e_name,
      any(proto_name) AS p_name,
      max(if(fc, src_host, dst_host)) AS client_host,
      max(if(fc, dst_host, src_host)) AS server_host,
      sumIf(bytes, fc) AS request_bytes, sumIf(packets, fc) AS request_packets,
      sumIf(bytes, NOT fc) AS reply_bytes, sumIf(packets, NOT fc) AS reply_packets,
      count() AS flows
    FROM flowloft.flows
    WHERE time_received >= toDateTime({from:UInt32}) AND time_received < toDateTime({to:UInt32})
    GROUP BY exp, proto, c_addr, c_port, s_addr, s_port
    ORDER BY request_bytes + reply_bytes DESC, c_addr, c_port, s_addr, s_port
    LIMIT {top:UInt32} BY exp
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

/** The window [to - minutes, to): up to `top` conversations for each exporter with flows. */
export async function summarizeWindow(
  client: ClickHouseClient,
  minutes: number,
  to: number,
  top: number,
): Promise<WindowSummary> {
  const from = to - minutes * 60
  const rs = await client.query({
    query: SQL,
    query_params: { from, to, top },
    format: 'JSONEachRow',
  })
  const byExporter = new Map<string, ExporterSummary>()
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
