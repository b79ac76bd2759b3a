// One DHCP lease as the three lease-file parsers give it, and what a parse of a whole
// file yields: the leases in file order and the records it could not use, by reason.
import { isIP } from 'node:net'

export interface Lease {
  /** The leased address (IPv4, or IPv6 from dnsmasq and Kea DHCPv6). */
  ip: string
  /** Hardware address, lower case with colons; null when the file has none (DHCPv6). */
  mac: string | null
  /** Client identifier (or DUID) as the file writes it; null when none. */
  clientId: string | null
  /** The name the client gave; null when none or not a usable host name. */
  hostname: string | null
  /** End of the lease (ms since the epoch); null: never ends. */
  ends: number | null
  /** False for a lease the server has freed, released, expired or declined. */
  active: boolean
}

export type RejectReason = 'malformed' | 'bad_address' | 'bad_time' | 'bad_mac' | 'cut_off'

export interface ParsedLeases {
  leases: Lease[]
  rejected: Map<RejectReason, number>
  /** The first rejected record (for a rate-limited log line). */
  sample: string | null
}

export class ParseOutcome {
  readonly leases: Lease[] = []
  readonly rejected = new Map<RejectReason, number>()
  sample: string | null = null

  reject(reason: RejectReason, text: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1)
    this.sample ??= `${reason}: ${text.slice(0, 200)}`
  }

  result(): ParsedLeases {
    return { leases: this.leases, rejected: this.rejected, sample: this.sample }
  }
}

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$/

/** A client-given name when it is a usable host name (trailing dot dropped), else null. */
export function cleanHostname(text: string | undefined): string | null {
  if (text === undefined || text === '' || text === '*' || text.length > 253) return null
  if (!HOSTNAME.test(text)) return null
  return text.endsWith('.') ? text.slice(0, -1) : text
}

/** Hardware address text as `aa:bb:...` lower case, or null when it is not one. */
export function cleanMac(text: string): string | null {
  const t = text.trim().toLowerCase()
  if (!/^[0-9a-f]{1,2}(?:[:-][0-9a-f]{1,2}){3,19}$/.test(t)) return null
  return t
    .split(/[:-]/)
    .map((b) => b.padStart(2, '0'))
    .join(':')
}

/** The address text when it is an IP address, else null. */
export function cleanAddress(text: string | undefined): string | null {
  const t = text?.trim() ?? ''
  return isIP(t) === 0 ? null : t
}
