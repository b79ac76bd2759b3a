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
  /**
   * Both sides are local: a flow of it was stored with direction `internal` (a device
   * talking to another device, a NAS or the Pi-hole, not to the internet).
   */
  internal: boolean
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

// Ranking every conversation of a window costs about 0.5 us of CPU per flow read (a
// GROUP BY over millions of conversations: nearly one per flow, each connection having
// its own client port), and the five windows read each flow once each: about 2.9 us
// per stored flow at 1,000 flows/s (docs/sizing.md). So a window is first ranked
// approximately: ClickHouse's topKWeighted (Space-Saving) names candidatesFor(top)
// conversations per exporter, the detail pass sums them exactly, and the top of those
// is the answer when it is provably the exact top. The proof does not trust the
// sketch's estimates (its internals changed between ClickHouse versions, and an
// estimate can fall short once an evicted bucket overflows): REST_SQL sums the bytes
// of the conversations that are not candidates per exporter and bucket of their hash
// (conv % REST_BUCKETS), and no such conversation can have more than its bucket's sum.
// So the candidates' top is exact when its last one has more bytes than every
// bucket's rest, or, with fewer candidates than the top, when no other conversation is
// left (not even one of 0 bytes, which the full ranking lists too).
// Otherwise every conversation is ranked (RANK_SQL) as before. Ties at the cut are
// broken by the conversation's hash either way.
const CANDIDATES_SQL = `SELECT ${text('exporter')} AS exporter,
    arrayMap(c -> toString(c), topKWeighted({k:UInt32})(conv, bytes)) AS ids
  FROM (WITH ${SIDES} SELECT exporter, conv, bytes FROM flowloft.flows WHERE ${WINDOW})
  GROUP BY exporter`

const REST_BUCKETS = 65_536

const REST_SQL = `SELECT ${text('exporter')} AS exporter, toString(max(rest)) AS rest,
    toString(sum(others)) AS others
  FROM (
    WITH ${SIDES}
    SELECT exporter, conv % ${REST_BUCKETS} AS bucket,
      sumIf(bytes, conv NOT IN {convs:Array(UInt64)}) AS rest,
      countIf(conv NOT IN {convs:Array(UInt64)}) AS others
    FROM flowloft.flows
    WHERE ${WINDOW}
    GROUP BY exporter, bucket
  )
  GROUP BY exporter`

// The exact ranking of every conversation, in two passes to keep the memory of a window
// with millions of conversations small: this ranks conversations by their bytes alone
// (a narrow GROUP BY and sort, which can spill to disk), the detail pass reads numbers
// and names of the few it kept. Ranking with every column held all of them through the
// sort: 4 M conversations did not fit in 512 MiB, the narrow ranking fits in 256 MiB.
const RANK_SQL = `WITH ${SIDES}
  SELECT toString(conv) AS id
  FROM flowloft.flows
  WHERE ${WINDOW}
  GROUP BY exporter, conv
  ORDER BY sum(bytes) DESC, conv
  LIMIT {top:UInt32} BY exporter`

const DETAIL_SQL = `SELECT ${text('exp')} AS exporter, exporter_name, proto, proto_name,
    ${text('c_addr')} AS client, c_port AS client_port, client_host,
    ${text('s_addr')} AS server, s_port AS server_port, server_host,
    request_bytes, request_packets, reply_bytes, reply_packets, flows, id, internal
  FROM (
    WITH ${SIDES}
    SELECT exporter AS exp, proto, c_addr, c_port, s_addr, s_port,
      argMax(exporter_name, time_received) AS exporter_name,
      any(proto_name) AS proto_name,
      max(if(fc, src_host, dst_host)) AS client_host,
      max(if(fc, dst_host, src_host)) AS server_host,
      sumIf(bytes, fc) AS request_bytes, sumIf(packets, fc) AS request_packets,
      sumIf(bytes, NOT fc) AS reply_bytes, sumIf(packets, NOT fc) AS reply_packets,
      count() AS flows, toString(any(conv)) AS id,
      max(direction = 'internal') AS internal
    FROM flowloft.flows
    WHERE ${WINDOW} AND conv IN {convs:Array(UInt64)}
    GROUP BY exp, proto, c_addr, c_port, s_addr, s_port
  )
  ORDER BY exp, request_bytes + reply_bytes DESC, c_addr, c_port, s_addr, s_port`

/**
 * Windows of at most this many minutes rank every conversation at once: on a home
 * network's flows (bench/jobs.mjs) the candidates of 5 minutes never proved their top,
 * and their passes then cost more than the ranking they were to spare.
 */
export const RANK_ALL_MINUTES = 5

/** Candidates per exporter for a top of `top` (summaries.top). */
export const candidatesFor = (top: number): number => Math.min(10_000, Math.max(200, top * 20))

type Row = Record<keyof Conversation | 'exporter' | 'exporter_name' | 'id', string | number>

type NumberField =
  | 'proto'
  | 'client_port'
  | 'server_port'
  | 'request_bytes'
  | 'request_packets'
  | 'reply_bytes'
  | 'reply_packets'
  | 'flows'
  | 'internal'

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
    internal: n('internal') === 1,
  }
}

export interface SummarizeOptions {
  /** The window's start (default the `minutes` before `to`). */
  from?: number
  /**
   * Candidates per exporter of the approximate ranking (default candidatesFor(top), or 0
   * for windows of RANK_ALL_MINUTES or less); 0: every conversation is ranked at once.
   */
  candidates?: number
  /** Called when the candidates could not prove the top and every conversation was ranked. */
  onFullRanking?(): void
}

const bytesOf = (r: Row): bigint => BigInt(r.request_bytes) + BigInt(r.reply_bytes)
/** Larger bytes first, then the lower hash, as RANK_SQL orders. */
const ranked = (a: Row, b: Row): number => {
  const d = bytesOf(b) - bytesOf(a)
  if (d !== 0n) return d > 0n ? 1 : -1
  const x = BigInt(a.id)
  const y = BigInt(b.id)
  return x < y ? -1 : x > y ? 1 : 0
}

/** The window [from, to): up to `top` conversations for each exporter with flows. */
export async function summarizeWindow(
  client: ClickHouseClient,
  minutes: number,
  to: number,
  top: number,
  o: SummarizeOptions = {},
): Promise<WindowSummary> {
  const from = o.from ?? to - minutes * 60
  const k = o.candidates ?? (minutes > RANK_ALL_MINUTES ? candidatesFor(top) : 0)
  const read = async <T>(query: string, params: Record<string, unknown>): Promise<T[]> =>
    (
      await client.query({ query, query_params: { from, to, ...params }, format: 'JSONEachRow' })
    ).json<T>()
  const detail = async (convs: bigint[]): Promise<Row[]> =>
    convs.length === 0 ? [] : read<Row>(DETAIL_SQL, { convs })
  const rankAll = async (): Promise<Row[]> =>
    detail((await read<{ id: string }>(RANK_SQL, { top })).map((r) => BigInt(r.id)))
  if (k === 0) return summaryOf(minutes, from, to, await rankAll())
  const candidates = await read<{ exporter: string; ids: string[] }>(CANDIDATES_SQL, { k })
  const convs = candidates.flatMap((c) => c.ids.map((id) => BigInt(id)))
  const rows = await detail(convs)
  const rests =
    convs.length === 0
      ? []
      : await read<{ exporter: string; rest: string; others: string }>(REST_SQL, { convs })
  // Each exporter's candidates, largest first.
  const byExporter = new Map<string, Row[]>()
  for (const r of rows) {
    const list = byExporter.get(String(r.exporter)) ?? []
    list.push(r)
    byExporter.set(String(r.exporter), list)
  }
  for (const list of byExporter.values()) list.sort(ranked)
  const rest = new Map(rests.map((r) => [r.exporter, r]))
  const exact = candidates.every((c) => {
    const left = rest.get(c.exporter)
    const last = byExporter.get(c.exporter)?.[top - 1]
    // Fewer than the top: exact only when no other conversation (even of 0 bytes) is left.
    if (last === undefined) return left === undefined || left.others === '0'
    return bytesOf(last) > BigInt(left?.rest ?? 0)
  })
  let chosen: Row[]
  if (exact) {
    const keep = new Set([...byExporter.values()].flatMap((list) => list.slice(0, top)))
    chosen = rows.filter((r) => keep.has(r))
  } else {
    o.onFullRanking?.()
    chosen = await rankAll()
  }
  return summaryOf(minutes, from, to, chosen)
}

/** The summary of the chosen conversations' rows, in the detail pass's order. */
function summaryOf(minutes: number, from: number, to: number, chosen: Row[]): WindowSummary {
  const summary = new Map<string, ExporterSummary>()
  for (const r of chosen) {
    const exporter = String(r.exporter)
    let e = summary.get(exporter)
    if (!e) {
      e = { exporter, exporter_name: String(r.exporter_name), conversations: [] }
      summary.set(exporter, e)
    }
    e.conversations.push(conversation(r))
  }
  return { window_minutes: minutes, from, to, exporters: [...summary.values()] }
}
