// ISC dhcpd's lease file (dhcpd.leases): `lease IP { ... }` blocks of statements,
// appended as leases change and rewritten now and then. The latest block of an address
// is its lease. Used here: `starts`/`ends` (`W YYYY/MM/DD HH:MM:SS` in UTC, `epoch N`
// or `never`), `binding state` (only `active` is a live lease), `hardware ethernet`,
// `uid` and `client-hostname`. Other blocks (failover, DHCPv6 ia-na) are skipped.
import { cleanAddress, cleanHostname, cleanMac, ParseOutcome, type ParsedLeases } from './lease.js'

type Token = string | { quoted: string }

/** Words, quoted strings and the punctuation `{ } ;`; comments dropped. */
function tokens(text: string): Token[] {
  const out: Token[] = []
  const re = /"((?:[^"\\]|\\.)*)"|#[^\n]*|([{};])|([^\s{};"#]+)/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) out.push({ quoted: m[1] })
    else if (m[2] !== undefined) out.push(m[2])
    else if (m[3] !== undefined) out.push(m[3])
  }
  return out
}

const word = (t: Token | undefined): string => (typeof t === 'string' ? t : '')
const text = (t: Token | undefined): string => (typeof t === 'string' ? t : (t?.quoted ?? ''))

/** `W YYYY/MM/DD HH:MM:SS`, `epoch N` or `never` -> ms since the epoch (null: never). */
function iscTime(s: Token[]): number | null | undefined {
  if (word(s[1]) === 'never') return null
  if (word(s[1]) === 'epoch') {
    const n = word(s[2])
    return /^\d{1,12}$/.test(n) ? Number(n) * 1000 : undefined
  }
  const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(word(s[2]))
  const t = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(word(s[3]))
  if (!m || !t) return undefined
  const [month, day, hour, min, sec] = [m[2], m[3], t[1], t[2], t[3]].map(Number)
  if (
    !month ||
    month > 12 ||
    !day ||
    day > 31 ||
    (hour ?? 24) > 23 ||
    (min ?? 60) > 59 ||
    (sec ?? 60) > 60
  )
    return undefined
  const ms = Date.UTC(
    +(m[1] ?? 0),
    +(m[2] ?? 1) - 1,
    +(m[3] ?? 1),
    +(t[1] ?? 0),
    +(t[2] ?? 0),
    +(t[3] ?? 0),
  )
  return Number.isFinite(ms) ? ms : undefined
}

export function parseIscLeases(input: string): ParsedLeases {
  const out = new ParseOutcome()
  const toks = tokens(input)
  let k = 0
  while (k < toks.length) {
    // One top-level statement or block.
    const head: Token[] = []
    while (k < toks.length && toks[k] !== '{' && toks[k] !== ';') head.push(toks[k++] as Token)
    if (k >= toks.length) {
      if (head.length > 0) out.reject('cut_off', head.map(text).join(' '))
      break
    }
    if (toks[k++] === ';') continue
    // A block: its statements up to the matching brace.
    const body: Token[][] = []
    let stmt: Token[] = []
    let depth = 1
    while (k < toks.length && depth > 0) {
      const t = toks[k++] as Token
      if (t === '{') depth++
      else if (t === '}') depth--
      else if (t === ';') {
        if (depth === 1) body.push(stmt)
        stmt = []
      } else if (depth === 1) stmt.push(t)
    }
    const label = head.map(text).join(' ')
    if (word(head[0]) !== 'lease') continue
    if (depth > 0) {
      out.reject('cut_off', label) // dhcpd is appending this block
      break
    }
    const ip = head.length === 2 ? cleanAddress(word(head[1])) : null
    if (ip === null || ip.includes(':')) {
      out.reject('bad_address', label)
      continue
    }
    leaseBlock(out, ip, body, label)
  }
  return out.result()
}

function leaseBlock(out: ParseOutcome, ip: string, body: Token[][], label: string): void {
  let ends: number | null | undefined = null
  let state = 'active'
  let mac: string | null = null
  let hostname: string | null = null
  let clientId: string | null = null
  for (const s of body) {
    switch (word(s[0])) {
      case 'ends':
        ends = iscTime(s)
        if (ends === undefined) return out.reject('bad_time', `${label}: ${s.map(text).join(' ')}`)
        break
      case 'binding':
        state = word(s[2])
        break
      case 'hardware':
        mac = cleanMac(word(s[2]))
        if (mac === null) return out.reject('bad_mac', `${label}: ${s.map(text).join(' ')}`)
        break
      case 'client-hostname':
        hostname = cleanHostname(text(s[1]))
        break
      case 'uid':
        clientId = text(s[1])
        break
    }
  }
  out.leases.push({ ip, mac, clientId, hostname, ends: ends ?? null, active: state === 'active' })
}
