// One SNMP v2c walk of an agent's interface names (IF-MIB): ifName, ifDescr, ifAlias and
// ifHighSpeed, by ifIndex. A v2c agent does not answer a wrong community at all, so that
// case is a timeout like an agent that is down.
import { isIP } from 'node:net'
import { createSession, isVarbindError, RequestTimedOutError, Version2c } from 'net-snmp'
import type { Varbind } from 'net-snmp'
import type { InterfaceInfo } from '../index.js'

export const IF_NAME = '1.3.6.1.2.1.31.1.1.1.1'
export const IF_DESCR = '1.3.6.1.2.1.2.2.1.2'
export const IF_ALIAS = '1.3.6.1.2.1.31.1.1.1.18'
export const IF_HIGH_SPEED = '1.3.6.1.2.1.31.1.1.1.15'

/** More rows than this in one column stop the walk (a looping agent cannot grow memory). */
const MAX_ROWS = 100_000
const MAX_TEXT = 255
const OCTET_STRING = 4

export interface WalkTarget {
  host: string
  port: number
  community: string
  timeoutMs: number
  retries: number
}

export class SnmpWalkError extends Error {
  readonly kind: 'timeout' | 'error'
  constructor(kind: 'timeout' | 'error', message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SnmpWalkError'
    this.kind = kind
  }
}

type Column = 'name' | 'description' | 'alias' | 'speed'

/** Printable text: control characters become spaces, at most MAX_TEXT characters. */
function text(v: unknown): string {
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : ''
  return s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT)
}

/** The ifIndex at the end of a column's OID, or null when the OID is not one row of it. */
function rowIndex(base: string, oid: string): number | null {
  if (!oid.startsWith(`${base}.`)) return null
  const rest = oid.slice(base.length + 1)
  if (!/^\d{1,10}$/.test(rest)) return null
  const n = Number(rest)
  return n >= 1 && n <= 0xffffffff ? n : null
}

/** Walk the four columns; resolves with the interfaces by ifIndex. Abort closes the socket. */
export function walkInterfaces(
  t: WalkTarget,
  signal?: AbortSignal,
): Promise<Map<number, InterfaceInfo>> {
  const session = createSession(t.host, t.community, {
    port: t.port,
    retries: t.retries,
    timeout: t.timeoutMs,
    version: Version2c,
    transport: isIP(t.host) === 6 ? 'udp6' : 'udp4',
  })
  const rows = new Map<number, InterfaceInfo>()
  const row = (i: number): InterfaceInfo => {
    let r = rows.get(i)
    if (!r) {
      r = { name: '', description: '', alias: '', speedMbps: 0 }
      rows.set(i, r)
    }
    return r
  }
  const column = (oid: string, col: Column): Promise<void> =>
    new Promise((resolve, reject) => {
      let seen = 0
      const feed = (varbinds: Varbind[]): boolean => {
        for (const vb of varbinds) {
          if (++seen > MAX_ROWS) return true
          if (isVarbindError(vb)) continue
          const i = rowIndex(oid, vb.oid)
          if (i === null) continue
          const r = row(i)
          if (col === 'speed') {
            r.speedMbps = typeof vb.value === 'number' && vb.value >= 0 ? vb.value : 0
          } else if (vb.type === OCTET_STRING) {
            r[col] = text(vb.value)
          }
        }
        return false
      }
      session.subtree(oid, 20, feed, (err) => {
        if (err) reject(err)
        else resolve()
      })
    })
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (err: unknown): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      // Closing cancels the other columns' requests (their errors are ignored above).
      session.close()
      if (err === null) {
        for (const r of rows.values()) if (r.name === '') r.name = r.description
        resolve(rows)
      } else reject(classify(err, t.community))
    }
    // An answer the library cannot parse is emitted as 'error': without a listener it would
    // throw out of the socket handler.
    session.on('error', (err) => finish(err))
    const onAbort = (): void => finish(new SnmpWalkError('error', 'aborted'))
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    Promise.all([
      column(IF_NAME, 'name'),
      column(IF_DESCR, 'description'),
      column(IF_ALIAS, 'alias'),
      column(IF_HIGH_SPEED, 'speed'),
    ]).then(
      () => finish(null),
      (err: unknown) => finish(err),
    )
  })
}

/** The library's error as a timeout or another error; the community never in the message. */
function classify(err: unknown, community: string): SnmpWalkError {
  if (err instanceof SnmpWalkError) return err
  if (err instanceof RequestTimedOutError)
    return new SnmpWalkError('timeout', 'no answer (agent down, unreachable or wrong community)')
  let msg = err instanceof Error ? err.message : String(err)
  if (community !== '') msg = msg.split(community).join('***')
  return new SnmpWalkError('error', msg.slice(0, 200))
}
