// The evidence for home prefixes in the recent flows, per exporter, in one query:
//  - inside interfaces: input interfaces (in_if != 0, so not softflowd's always-0) where
//    at least MIN_LOCAL flows come from a local source (direction outbound or internal)
//    and such flows outnumber inbound ones (public source to local destination) at least
//    LOCAL_OVER_INBOUND times. A WAN interface carries the inbound flows and next to no
//    local sources; flows between public addresses (transit: the very ones a learned
//    prefix fixes) count on neither side, so a LAN busy with IPv6 still qualifies.
//  - inside_source: public sources ingressing on an inside interface (a LAN host with
//    an ISP-delegated IPv6 address, a public IPv4 on the LAN);
//  - post_nat: the NAT'd source address of flows from local sources on an inside
//    interface (the router's public WAN address, when the exporter sends it);
//  - exporter_address: the exporter's own address, when its flows carry it.
// IPv4 comes back as the address, IPv6 as its /64 (exporter addresses whole).
import type { ClickHouseClient } from '@clickhouse/client'
import type { Evidence } from './learned-set.js'

/** Local-source flows an input interface needs in the window to count as inside. */
export const MIN_LOCAL = 10
/** ... and how many times they must outnumber the inbound flows entering there. */
export const LOCAL_OVER_INBOUND = 2

export interface EvidenceRow {
  /** Exporter address as ClickHouse prints it (IPv4-mapped for IPv4). */
  exporter: string
  evidence: Evidence
  /** Address (IPv4, or IPv6 exporter) or IPv6 /64 network, as printed. */
  net: string
  /** 1 when `net` is a /64 network, 0 when it is one address. */
  v6net: number
  flows: number
  /** Distinct candidates of this exporter before the LIMIT (to count what a cap refuses). */
  candidates: number
}

const WINDOW = 'time_received >= toDateTime({from:UInt32})'
const LOCAL_SRC = "direction IN ('outbound', 'internal')"
// An address column as `is_v4` and `n` (the address for IPv4, its /64 for IPv6).
const NET = (col: string): string =>
  `(${col} BETWEEN toIPv6('::ffff:0.0.0.0') AND toIPv6('::ffff:255.255.255.255')) AS is_v4,
    if(is_v4, ${col}, tupleElement(IPv6CIDRToRange(${col}, 64), 1)) AS n`

const INSIDE = `SELECT exporter, in_if FROM flowloft.flows
  WHERE ${WINDOW} AND in_if != 0
  GROUP BY exporter, in_if
  HAVING countIf(${LOCAL_SRC}) >= {minLocal:UInt32}
    AND countIf(${LOCAL_SRC}) >= {ratio:UInt32} * countIf(direction = 'inbound')`

export const EVIDENCE_SQL = `SELECT replaceRegexpOne(toString(exporter), '^::ffff:', '') AS exporter,
    evidence, replaceRegexpOne(toString(n), '^::ffff:', '') AS net, v6net, flows,
    count() OVER (PARTITION BY exporter) AS candidates
  FROM (
    SELECT exporter, 'inside_source' AS evidence, ${NET('src_addr')}, NOT is_v4 AS v6net,
      count() AS flows
    FROM flowloft.flows
    WHERE ${WINDOW} AND NOT (${LOCAL_SRC}) AND (exporter, in_if) IN (${INSIDE})
    GROUP BY exporter, n, is_v4
    UNION ALL
    SELECT exporter, 'post_nat' AS evidence, ${NET('post_nat_src_addr')}, NOT is_v4 AS v6net,
      count() AS flows
    FROM flowloft.flows
    WHERE ${WINDOW} AND ${LOCAL_SRC} AND post_nat_src_addr != toIPv6('::')
      AND (exporter, in_if) IN (${INSIDE})
    GROUP BY exporter, n, is_v4
    UNION ALL
    SELECT exporter, 'exporter_address' AS evidence, 0 AS is_v4, exporter AS n, 0 AS v6net, count() AS flows
    FROM flowloft.flows
    WHERE ${WINDOW} AND (src_addr = exporter OR dst_addr = exporter)
    GROUP BY exporter
  )
  ORDER BY exporter, flows DESC, net
  LIMIT {limit:UInt32} BY exporter`

/** The evidence since `from` (unix seconds), at most `limit` candidates per exporter. */
export async function readEvidence(
  client: ClickHouseClient,
  from: number,
  limit: number,
): Promise<EvidenceRow[]> {
  const rs = await client.query({
    query: EVIDENCE_SQL,
    query_params: { from, limit, minLocal: MIN_LOCAL, ratio: LOCAL_OVER_INBOUND },
    format: 'JSONEachRow',
  })
  // 64-bit counts may come back quoted, depending on the session's JSON settings.
  return (await rs.json<Record<keyof EvidenceRow, string | number>>()).map((r) => ({
    exporter: String(r.exporter),
    evidence: String(r.evidence) as Evidence,
    net: String(r.net),
    v6net: Number(r.v6net),
    flows: Number(r.flows),
    candidates: Number(r.candidates),
  }))
}
