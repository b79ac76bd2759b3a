// The leases of one file that hold now: the latest record of each address decides
// (another client's lease of the address replaces the earlier one; a freed or released
// record ends it), a lease past its end is over, and a device (hardware address, or
// client id without one) holds only its latest IPv4 address, so a renumbered
// device's old address loses the name before that lease runs out.
import type { Lease } from './lease.js'

export function currentLeases(records: readonly Lease[], now: number): Lease[] {
  const byIp = new Map<string, Lease>()
  for (const l of records) {
    byIp.delete(l.ip) // re-inserted: the map's order is the order of latest records
    byIp.set(l.ip, l)
  }
  const byDevice = new Map<string, string>()
  for (const l of byIp.values()) {
    if (!l.active || (l.ends !== null && l.ends <= now)) {
      byIp.delete(l.ip)
      continue
    }
    // IPv6: a device may hold several addresses at once (temporary ones too).
    const id = l.mac ?? l.clientId
    if (id === null || l.ip.includes(':')) continue
    const key = id
    const earlier = byDevice.get(key)
    if (earlier !== undefined) byIp.delete(earlier)
    byDevice.set(key, l.ip)
  }
  return [...byIp.values()]
}
