// Each device's bytes in and out of the internet over today, this week, the current and
// the previous billing cycle, from the per-hour rollup (flows_1h, kept 400 days by
// default), never from raw flows: the figures stay whole after raw flows expire. A
// device is the rollup's local_addr: the destination of inbound flows, the source of
// outbound ones. Internal flows (device to device) and transit flows are not counted: a
// cap is on the line to the internet. An hour belongs to the period its start falls in.
import { canonicalAddr, shownAddr } from '../addresses/ip.js'
import { PERIODS, type Period, type Periods } from './periods.js'
import type { Reader } from './reader.js'

export interface InOut {
  in_bytes: number
  out_bytes: number
}

export type PeriodBytes = Record<Period, InOut>

export interface DeviceFigures extends PeriodBytes {
  /** As people write it: dotted IPv4, compressed IPv6. */
  device: string
  /** Canonical address (addresses/ip.ts), to match configured devices. */
  key: string
}

const sums = (p: Period): string =>
  `sumIf(bytes, direction = 'inbound' AND time >= toDateTime({${p}_from:UInt32}) AND time < toDateTime({${p}_to:UInt32})) AS in_${p},
   sumIf(bytes, direction = 'outbound' AND time >= toDateTime({${p}_from:UInt32}) AND time < toDateTime({${p}_to:UInt32})) AS out_${p}`

const QUERY = `SELECT toString(local_addr) AS device,
  ${PERIODS.map(sums).join(',\n  ')}
FROM flowloft.flows_1h
WHERE time >= toDateTime({from:UInt32}) AND time < toDateTime({to:UInt32})
  AND direction IN ('inbound', 'outbound')
GROUP BY local_addr`

export const zero = (): PeriodBytes =>
  Object.fromEntries(PERIODS.map((p) => [p, { in_bytes: 0, out_bytes: 0 }])) as PeriodBytes

/** Every device with bytes in the periods, up to `now` (inclusive). */
export async function deviceFigures(
  read: Reader,
  periods: Periods,
  now: number,
): Promise<DeviceFigures[]> {
  const params: Record<string, number> = {
    from: Math.min(...PERIODS.map((p) => periods[p].from)),
    to: now + 1,
  }
  for (const p of PERIODS) {
    params[`${p}_from`] = periods[p].from
    params[`${p}_to`] = Math.min(periods[p].to, now + 1)
  }
  const rows = await read<Record<string, number | string>>({ query: QUERY, query_params: params })
  const n = (r: Record<string, number | string>, k: string): number => Number(r[k] ?? 0)
  return rows.map((r) => {
    const raw = String(r['device'])
    const key = canonicalAddr(raw) ?? raw
    const figures = zero()
    for (const p of PERIODS) figures[p] = { in_bytes: n(r, `in_${p}`), out_bytes: n(r, `out_${p}`) }
    return { device: shownAddr(raw, key), key, ...figures }
  })
}

/** The sum of several devices' figures. */
export function addUp(list: readonly PeriodBytes[]): PeriodBytes {
  const out = zero()
  for (const f of list)
    for (const p of PERIODS) {
      out[p].in_bytes += f[p].in_bytes
      out[p].out_bytes += f[p].out_bytes
    }
  return out
}
