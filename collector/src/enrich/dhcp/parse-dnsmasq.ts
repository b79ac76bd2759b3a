// dnsmasq's lease file (dhcp-leasefile, also Pi-hole's DHCP): one lease a line,
// `expiry mac ip hostname clientid` with expiry in seconds since the epoch (0: never)
// and `*` for an absent name or client id. After a `duid ...` line come the DHCPv6
// leases, `expiry iaid ip hostname clientid`, which carry no hardware address.
// dnsmasq keeps only live leases in the file: a released lease is a line that goes.
import { cleanAddress, cleanHostname, cleanMac, ParseOutcome, type ParsedLeases } from './lease.js'

export function parseDnsmasqLeases(text: string): ParsedLeases {
  const out = new ParseOutcome()
  let v6 = false
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    const f = line.split(/\s+/)
    if (f[0] === 'duid') {
      v6 = true
      continue
    }
    if (f.length < 4 || f.length > 5 || !/^\d{1,12}$/.test(f[0] ?? '')) {
      out.reject('malformed', line)
      continue
    }
    const ip = cleanAddress(f[2])
    if (ip === null || isV6(ip) !== v6) {
      out.reject('bad_address', line)
      continue
    }
    let mac: string | null = null
    if (!v6) {
      mac = cleanMac(f[1] ?? '')
      if (mac === null) {
        out.reject('bad_mac', line)
        continue
      }
    }
    const expiry = Number(f[0])
    const id = f[4]
    out.leases.push({
      ip,
      mac,
      clientId: id === undefined || id === '*' ? null : id,
      hostname: cleanHostname(f[3]),
      ends: expiry === 0 ? null : expiry * 1000,
      active: true,
    })
  }
  return out.result()
}

const isV6 = (ip: string): boolean => ip.includes(':')
