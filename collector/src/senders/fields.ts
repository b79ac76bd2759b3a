// What a sender is and how its fields are checked, the same way for the API (a JSON
// body), the registry file and the `senders.seed` setting. Messages name the field.
import { canonicalPrefix, canonicalSender } from './address.js'

export interface Sender {
  /** Canonical address: dotted IPv4 or RFC 5952 IPv6. */
  address: string
  name: string
  /** Monitored prefixes, canonical; they also give this sender's flows their direction. */
  prefixes: string[]
  /** A disabled sender is kept but not accepted, and its prefixes are not used. */
  enabled: boolean
  /** ISO 8601. */
  created: string
  updated: string
}

/** The fields a client may give; the rest are kept by the registry. */
export interface SenderFields {
  address?: string
  name?: string
  prefixes?: string[]
  enabled?: boolean
}

export const MAX_NAME = 128
export const MAX_PREFIXES = 256
const FIELDS = ['address', 'name', 'prefixes', 'enabled'] as const

/** A bad field: `field` is its path (`prefixes[2]`), the message says the rule. */
export class SenderFieldError extends Error {
  override readonly name = 'SenderFieldError'
  readonly field: string
  constructor(field: string, message: string) {
    super(message)
    this.field = field
  }
}

/** A value quoted in a message, cut short so a huge input is not echoed back. */
export function quote(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 64 ? `${s.slice(0, 61)}...` : s
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Checks a client's fields. `at` prefixes field names in messages (`senders[1].`); only
 * the fields present come back, canonical.
 */
export function parseSenderFields(value: unknown, at = ''): SenderFields {
  if (!isObject(value))
    throw new SenderFieldError(at || 'body', `${at || 'the body'} must be a JSON object`)
  const out: SenderFields = {}
  for (const [k, v] of Object.entries(value)) {
    const field = `${at}${k}`
    switch (k) {
      case 'address': {
        const a = typeof v === 'string' ? canonicalSender(v) : null
        if (a === null)
          throw new SenderFieldError(
            field,
            `${field} must be an IPv4 or IPv6 address, got ${quote(v)}`,
          )
        out.address = a
        break
      }
      case 'name': {
        if (typeof v !== 'string' || v.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(v))
          throw new SenderFieldError(
            field,
            `${field} must be a string of at most ${MAX_NAME} printable characters, got ${quote(v)}`,
          )
        out.name = v
        break
      }
      case 'prefixes':
        out.prefixes = parsePrefixes(v, field)
        break
      case 'enabled':
        if (typeof v !== 'boolean')
          throw new SenderFieldError(field, `${field} must be true or false, got ${quote(v)}`)
        out.enabled = v
        break
      default:
        throw new SenderFieldError(
          field,
          `unknown field ${field} (a sender has ${FIELDS.join(', ')})`,
        )
    }
  }
  return out
}

function parsePrefixes(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length > MAX_PREFIXES)
    throw new SenderFieldError(field, `${field} must be a list of at most ${MAX_PREFIXES} CIDRs`)
  const out: string[] = []
  v.forEach((p: unknown, k) => {
    const c = typeof p === 'string' ? canonicalPrefix(p) : null
    if (c === null)
      throw new SenderFieldError(`${field}[${k}]`, `${field}[${k}] is not a CIDR, got ${quote(p)}`)
    if (!out.includes(c)) out.push(c)
  })
  return out
}

/** A stored sender (registry file): every field present and valid. */
export function parseStoredSender(value: unknown, at: string): Sender {
  if (!isObject(value)) throw new SenderFieldError(at, `${at} must be an object`)
  const { created, updated, ...rest } = value
  const f = parseSenderFields(rest, `${at}.`)
  for (const [k, v] of [
    ['created', created],
    ['updated', updated],
  ] as const) {
    if (typeof v !== 'string' || !Number.isFinite(Date.parse(v)))
      throw new SenderFieldError(`${at}.${k}`, `${at}.${k} must be an ISO 8601 time`)
  }
  if (f.address === undefined)
    throw new SenderFieldError(`${at}.address`, `${at}.address is missing`)
  return {
    address: f.address,
    name: f.name ?? '',
    prefixes: f.prefixes ?? [],
    enabled: f.enabled ?? true,
    created: String(created),
    updated: String(updated),
  }
}
