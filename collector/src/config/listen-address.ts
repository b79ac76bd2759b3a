// Parses listen addresses: `0.0.0.0:2055`, `:6343`, `[::]:2055`, `2055`,
// optionally with a scheme (`netflow://0.0.0.0:2055`, `sflow://:6343`).
import { isIP } from 'node:net'

export interface ListenAddress {
  host: string
  port: number
}

/** The address, or an error message describing the rule that failed. */
export function parseListen(text: string): ListenAddress | string {
  let s = text.trim()
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(s)
  if (scheme) s = s.slice(scheme[0].length)
  s = s.replace(/\/$/, '')
  let host = '0.0.0.0'
  let portText = s
  if (s.startsWith('[')) {
    const close = s.indexOf(']')
    if (close < 0 || s[close + 1] !== ':') return 'must be [ipv6]:port'
    host = s.slice(1, close)
    portText = s.slice(close + 2)
  } else if (s.includes(':')) {
    const at = s.lastIndexOf(':')
    host = s.slice(0, at) || '0.0.0.0'
    portText = s.slice(at + 1)
  }
  if (host !== 'localhost' && isIP(host) === 0) return `host "${host}" is not an IP address`
  if (!/^\d+$/.test(portText)) return 'must be host:port'
  const port = Number(portText)
  if (port > 65535) return 'port must be 0..65535 (0 picks a free port)'
  return { host, port }
}

export function formatListen(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
}
