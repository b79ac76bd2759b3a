// Private and reserved address ranges get a label instead of a blank country / AS name.
import { parseCidr, prefixContains, type ParsedAddr, type Prefix } from './ip.js'

const RANGES: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', 'reserved'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
]

const PARSED: ReadonlyArray<readonly [Prefix, string]> = RANGES.map(([c, label]) => {
  const p = parseCidr(c)
  if (!p) throw new Error(`bad built-in range ${c}`)
  return [p, label] as const
})

/** The label of a special-purpose address (`private`, `loopback`, ...), or null. */
export function specialLabel(a: ParsedAddr): string | null {
  for (const [p, label] of PARSED) if (prefixContains(p, a)) return label
  return null
}
