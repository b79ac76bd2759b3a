// One line of a dnsmasq query log as Pi-hole and dnsmasq write it (log-facility file,
// syslog-style time stamp). With log-queries=extra each query line carries a serial
// number and the client's address/port, which tie a query to its answers:
//   Nov 22 15:26:49 dnsmasq[25546]: 1 127.0.0.1/38147 query[A] www.example.test from 127.0.0.1
//   Nov 22 15:26:49 dnsmasq[25546]: 1 127.0.0.1/38147 config www.example.test is <CNAME>
//   Nov 22 15:26:49 dnsmasq[25546]: 1 127.0.0.1/38147 config edge.cdn.test is 198.51.100.20
// Answer lines start with where the answer came from: reply, cached, config, a hosts
// file path, "gravity blocked" (Pi-hole), ...
export type LogLine =
  /** A client's question. */
  | { kind: 'query'; serial: number | null; type: string; name: string }
  /** One record of an answer: `value` is an address, <CNAME>, NXDOMAIN, ... */
  | { kind: 'answer'; serial: number | null; name: string; value: string }
  /** A dnsmasq line of another kind (forwarded, DHCP, start-up). */
  | { kind: 'other' }

const PREFIX = /^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} [\w.-]+(?:\[\d+\])?: (.*)$/
const EXTRA = /^(\d+) (\S+)\/\d+ (.*)$/
const QUERY = /^query\[([\w-]+)\] (\S+) from \S+$/
const ANSWER = /^\S.*? (\S+) is (.+)$/

/** The line's meaning, or null when it is not a dnsmasq log line at all. */
export function parseLogLine(line: string): LogLine | null {
  const p = PREFIX.exec(line)
  if (!p) return null
  let body = p[1] ?? ''
  let serial: number | null = null
  const x = EXTRA.exec(body)
  if (x) {
    serial = Number(x[1])
    body = x[3] ?? ''
  }
  const q = QUERY.exec(body)
  if (q) return { kind: 'query', serial, type: q[1] ?? '', name: q[2] ?? '' }
  const a = ANSWER.exec(body)
  if (a) return { kind: 'answer', serial, name: a[1] ?? '', value: a[2] ?? '' }
  return { kind: 'other' }
}
