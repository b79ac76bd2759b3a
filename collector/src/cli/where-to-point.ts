// The start-up lines a new user needs: where to point the router's flow export (this
// host's LAN addresses and the listening ports) and where the console is.
import { networkInterfaces } from 'node:os'
import type { Collector } from '../main.js'

const WILDCARD = new Set(['0.0.0.0', '::', ''])

/** This host's addresses a router on the LAN can reach (no loopback, no link-local). */
export function lanAddresses(): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? [])
      if (!a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')))
        out.push(a.address)
  return out
}

const hostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`

export function whereToPoint(service: Collector, lan = lanAddresses()): Record<string, unknown> {
  const hosts = (bound: string): string[] =>
    WILDCARD.has(bound) ? (lan.length > 0 ? lan : ['127.0.0.1']) : [bound]
  const exports: Record<string, string[]> = {}
  for (const l of service.listeners)
    exports[l.name] = hosts(l.address).map((h) => `udp://${hostPort(h, l.port)}`)
  const http = service.http
  return {
    ...exports,
    console: http ? hosts(http.address).map((h) => `http://${hostPort(h, http.port)}/`) : [],
  }
}
