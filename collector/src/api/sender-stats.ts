// GET /api/senders/{addr}/stats: bytes, packets and flows in and out per calendar bucket
// (UTC) for each monitored prefix of a sender, and for all of its traffic. Read from the
// rollups, where `local_addr` is the local host of a flow: a prefix's traffic is the
// rows whose local host falls in it. In is `inbound`, out is `outbound`.
import type { Engine } from '../clickhouse/engine.js'
import { prefixBounds } from '../senders/address.js'
import { buckets, PERIOD, type Period } from '../senders/periods.js'
import { readRows } from './read.js'

export interface Counts {
  bytes: number[]
  packets: number[]
  flows: number[]
}
export interface Totals {
  bytes: number
  packets: number
  flows: number
}
export interface StatsSeries {
  /** The prefix, or null for all of the sender's traffic. */
  prefix: string | null
  in: Counts
  out: Counts
  total: { in: Totals; out: Totals }
}
export interface SenderStats {
  address: string
  period: Period
  from: number
  to: number
  /** Bucket starts, unix seconds; every series is aligned on them. */
  t: number[]
  series: StatsSeries[]
}

export const MAX_BUCKETS = 10_000
const EVERYTHING = { lo: '::', hi: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' }

/** Stats of one sender; null when [from, to) holds more than MAX_BUCKETS buckets. */
export async function senderStats(
  engine: Engine,
  q: { address: string; prefixes: readonly string[]; period: Period; from: number; to: number },
): Promise<SenderStats | null> {
  const t = buckets(q.period, q.from, q.to, MAX_BUCKETS)
  if (t === null) return null
  const ranges = [EVERYTHING, ...q.prefixes.map(prefixBounds)]
  const def = PERIOD[q.period]
  const rows = await readRows<{
    t: number
    k: number
    d: 'inbound' | 'outbound'
    bytes: number
    packets: number
    flows: number
  }>(engine, {
    query: `SELECT ${def.bucket} AS t, k, toString(direction) AS d,
          sum(bytes) AS bytes, sum(packets) AS packets, sum(flows) AS flows
        FROM ${def.table}
        ARRAY JOIN arrayEnumerate({lo:Array(IPv6)}) AS k
        WHERE exporter = {exporter:IPv6}
          AND time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})
          AND direction IN ('inbound', 'outbound')
          AND local_addr >= {lo:Array(IPv6)}[k] AND local_addr <= {hi:Array(IPv6)}[k]
        GROUP BY t, k, d`,
    query_params: {
      exporter: q.address.includes(':') ? q.address : `::ffff:${q.address}`,
      from: t[0] ?? q.from,
      to: q.to,
      lo: ranges.map((r) => r.lo),
      hi: ranges.map((r) => r.hi),
    },
  })
  const zeros = (): Counts => ({
    bytes: new Array<number>(t.length).fill(0),
    packets: new Array<number>(t.length).fill(0),
    flows: new Array<number>(t.length).fill(0),
  })
  const series: StatsSeries[] = [null, ...q.prefixes].map((prefix) => ({
    prefix,
    in: zeros(),
    out: zeros(),
    total: { in: { bytes: 0, packets: 0, flows: 0 }, out: { bytes: 0, packets: 0, flows: 0 } },
  }))
  const index = new Map(t.map((v, i) => [v, i]))
  for (const r of rows) {
    const s = series[r.k - 1]
    const i = index.get(r.t)
    if (!s || i === undefined) continue
    const side = r.d === 'inbound' ? 'in' : 'out'
    for (const k of ['bytes', 'packets', 'flows'] as const) {
      s[side][k][i] = (s[side][k][i] ?? 0) + r[k]
      s.total[side][k] += r[k]
    }
  }
  return { address: q.address, period: q.period, from: t[0] ?? q.from, to: q.to, t, series }
}
