// Kernel UDP receive drops, read from /proc: per-socket `drops` of /proc/net/udp{,6}
// (matched by local port) and the host-wide Udp RcvbufErrors/InErrors of
// /proc/net/snmp{,6}. Absent files (not Linux) read as nothing.
import { readFileSync } from 'node:fs'

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

export interface SocketQueue {
  drops: number
  /** Bytes waiting in the receive queue now. */
  rxQueue: number
}

/** Sum of drops and queued bytes of the UDP sockets bound to each of `ports`. */
export function udpSocketStats(ports: readonly number[], root = '/proc'): Map<number, SocketQueue> {
  const out = new Map<number, SocketQueue>()
  for (const p of ports) out.set(p, { drops: 0, rxQueue: 0 })
  for (const file of ['net/udp', 'net/udp6']) {
    const lines = read(`${root}/${file}`).split('\n')
    for (let i = 1; i < lines.length; i++) {
      const f = lines[i]?.trim().split(/\s+/)
      if (!f || f.length < 13) continue
      const port = parseInt(f[1]?.split(':')[1] ?? '', 16)
      const s = out.get(port)
      if (!s) continue
      s.rxQueue += parseInt(f[4]?.split(':')[1] ?? '0', 16) || 0
      s.drops += Number(f[12]) || 0
    }
  }
  return out
}

export interface UdpErrors {
  ip: 'v4' | 'v6'
  rcvbufErrors: number
  inErrors: number
}

/** Host-wide UDP error counters (IPv4 from /proc/net/snmp, IPv6 from /proc/net/snmp6). */
export function udpErrors(root = '/proc'): UdpErrors[] {
  const out: UdpErrors[] = []
  const snmp = read(`${root}/net/snmp`)
    .split('\n')
    .filter((l) => l.startsWith('Udp: '))
  const [head, vals] = snmp
  if (head && vals) {
    const h = head.split(/\s+/)
    const v = vals.split(/\s+/)
    const get = (k: string): number => Number(v[h.indexOf(k)]) || 0
    out.push({ ip: 'v4', rcvbufErrors: get('RcvbufErrors'), inErrors: get('InErrors') })
  }
  const six = new Map<string, number>()
  for (const l of read(`${root}/net/snmp6`).split('\n')) {
    const [k, v] = l.trim().split(/\s+/)
    if (k && v) six.set(k, Number(v) || 0)
  }
  if (six.size > 0)
    out.push({
      ip: 'v6',
      rcvbufErrors: six.get('Udp6RcvbufErrors') ?? 0,
      inErrors: six.get('Udp6InErrors') ?? 0,
    })
  return out
}
