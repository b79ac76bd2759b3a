// Kea's memfile lease file (CSV, DHCPv4 or DHCPv6): a header line names the columns
// (address, hwaddr, client_id or duid, valid_lifetime, expire, hostname, state, ...);
// Kea appends a row per change and its cleanup (lfc) rewrites the file. The latest row
// of an address is its lease; a row with valid_lifetime 0 is a deletion, and state is 0
// for a live lease (1 declined, 2 expired-reclaimed, 3 released). Commas inside a value
// are written as `&#x2c`.
import { cleanAddress, cleanHostname, cleanMac, ParseOutcome, type ParsedLeases } from './lease.js'

const REQUIRED = ['address', 'expire', 'valid_lifetime', 'state'] as const

const unescape = (v: string): string => v.replaceAll('&#x2c', ',')

export function parseKeaLeases(text: string): ParsedLeases {
  const out = new ParseOutcome()
  let col: Map<string, number> | null = null
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    const f = line.split(',')
    if (f[0] === 'address') {
      col = new Map(f.map((name, k) => [name, k]))
      if (REQUIRED.some((c) => !col?.has(c))) {
        col = null
        out.reject('malformed', line)
      }
      continue
    }
    if (col === null) {
      out.reject('malformed', line) // a row before (or without) a usable header
      continue
    }
    const get = (name: string): string | undefined => {
      const k = col?.get(name)
      return k === undefined ? undefined : f[k]
    }
    if (f.length <= Math.max(...col.values(), 0) - 2 || f.length <= (col.get('state') ?? 0)) {
      out.reject('cut_off', line) // Kea may be writing this row
      continue
    }
    const ip = cleanAddress(get('address'))
    if (ip === null) {
      out.reject('bad_address', line)
      continue
    }
    const expire = get('expire') ?? ''
    const lifetime = get('valid_lifetime') ?? ''
    const state = get('state') ?? ''
    if (!/^\d{1,12}$/.test(expire) || !/^\d{1,10}$/.test(lifetime)) {
      out.reject('bad_time', line)
      continue
    }
    const hw = get('hwaddr') ?? ''
    const mac = hw === '' ? null : cleanMac(hw)
    if (hw !== '' && mac === null) {
      out.reject('bad_mac', line)
      continue
    }
    const id = get('client_id') ?? get('duid') ?? ''
    out.leases.push({
      ip,
      mac,
      clientId: id === '' ? null : id,
      hostname: cleanHostname(unescape(get('hostname') ?? '')),
      // Kea writes expire = cltt + valid_lifetime; an infinite lifetime is 0xffffffff.
      ends: Number(lifetime) === 0xffffffff ? null : Number(expire) * 1000,
      active: state === '0' && Number(lifetime) > 0,
    })
  }
  return out.result()
}
