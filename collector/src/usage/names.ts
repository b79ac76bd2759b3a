// Device names for usage: the names the raw flows carry for the local side (src_host of
// outbound and internal flows, dst_host of inbound and internal ones: from DHCP, the
// Pi-hole log, DNS or enrich.host_aliases) over the last day, the latest per address,
// and the static aliases. A cap on a device name counts every address that carries the
// name: the rollups keep addresses only, so a name is matched to addresses, and their
// bytes over the whole cycle count.
import { canonicalAddr } from '../addresses/ip.js'
import type { DeviceRef } from './config.js'
import type { Reader } from './reader.js'

/** How far back raw flows are read for names. */
export const NAMES_SECONDS = 86_400
const MAX_NAMED = 100_000

/** Canonical address -> name: the flows' latest over the day before `now`, aliases over them. */
export async function localNames(
  read: Reader,
  now: number,
  aliases: Readonly<Record<string, string>>,
): Promise<Map<string, string>> {
  const side = (s: 'src' | 'dst', directions: string): string =>
    `SELECT ${s}_addr AS addr, toString(${s}_host) AS host, time_received AS t FROM flowloft.flows
     WHERE time_received >= toDateTime({from:UInt32}) AND time_received < toDateTime({to:UInt32})
       AND direction IN (${directions}) AND ${s}_host != ''`
  const rows = await read<{ addr: string; name: string }>({
    query: `SELECT toString(addr) AS addr, argMax(host, t) AS name
      FROM (${side('src', "'outbound', 'internal'")} UNION ALL ${side('dst', "'inbound', 'internal'")})
      GROUP BY addr LIMIT ${MAX_NAMED}`,
    query_params: { from: now - NAMES_SECONDS, to: now + 1 },
  })
  const names = new Map<string, string>()
  for (const r of rows) {
    const key = canonicalAddr(r.addr)
    if (key !== null) names.set(key, r.name)
  }
  for (const [addr, name] of Object.entries(aliases)) {
    const key = canonicalAddr(addr)
    if (key !== null) names.set(key, name)
  }
  return names
}

/** Whether host name `host` is device name `name`: equal, or `name` and a domain (nas.lan). */
export function nameMatches(host: string, name: string): boolean {
  const h = host.toLowerCase()
  const n = name.toLowerCase()
  return h === n || h.startsWith(`${n}.`)
}

/** The canonical addresses a device reference stands for. */
export function addressesOf(ref: DeviceRef, names: ReadonlyMap<string, string>): string[] {
  if (ref.addr !== null) return [ref.addr]
  const out: string[] = []
  for (const [addr, host] of names) if (nameMatches(host, ref.text)) out.push(addr)
  return out
}
