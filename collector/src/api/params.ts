// Query-string parsing shared by the read endpoints: a time window, limits and choices
// from a whitelist. Values reach ClickHouse only as typed query parameters.
import { HTTPException } from 'hono/http-exception'

export interface Window {
  /** Unix seconds, inclusive. */
  from: number
  /** Unix seconds, exclusive. */
  to: number
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }
const MAX_WINDOW = 366 * 86400

function bad(message: string): HTTPException {
  return new HTTPException(400, { message })
}

/** An ISO 8601 date, its time of day (`T` or a space before it) and its offset, each optional but the date. */
const ISO =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * One instant: unix seconds (`1718000000`), ISO 8601 (`2024-06-10T06:13:20Z`; UTC unless
 * it gives an offset, as the API's windows, days and hours are, whatever the machine's
 * time zone), `now`, or an offset from now (`-1h`, `now-15m`).
 */
export function parseInstant(name: string, v: string, now: number): number {
  const s = v.trim()
  if (s === 'now') return now
  if (/^\d{1,12}(\.\d+)?$/.test(s)) return Math.floor(Number(s))
  const rel = /^(?:now)?-(\d{1,6})([smhdw])$/.exec(s)
  if (rel) return now - Number(rel[1]) * (UNITS[rel[2] ?? 's'] ?? 1)
  const iso = ISO.exec(s)
  if (iso) {
    const [, date, time = '00:00', zone = 'Z'] = iso
    const offset = zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase()
    const t = Date.parse(`${date}T${time}${offset}`)
    if (Number.isFinite(t)) return Math.floor(t / 1000)
  }
  throw bad(
    `${name} must be unix seconds, ISO 8601 (UTC unless it gives an offset), "now" or an offset like -1h (got "${v}")`,
  )
}

/** `from`/`to` from the query string; default the last hour. */
export function parseWindow(q: (k: string) => string | undefined, now = nowSeconds()): Window {
  const toRaw = q('to')
  const fromRaw = q('from')
  const to = toRaw === undefined || toRaw === '' ? now : parseInstant('to', toRaw, now)
  const from =
    fromRaw === undefined || fromRaw === '' ? to - 3600 : parseInstant('from', fromRaw, now)
  if (from >= to) throw bad('from must be before to')
  if (to - from > MAX_WINDOW) throw bad(`the window must be at most ${MAX_WINDOW / 86400} days`)
  return { from, to }
}

export function parseInteger(
  name: string,
  v: string | undefined,
  dflt: number,
  min: number,
  max: number,
): number {
  if (v === undefined || v === '') return dflt
  if (!/^\d{1,9}$/.test(v.trim())) throw bad(`${name} must be an integer ${min}..${max}`)
  const n = Number(v.trim())
  if (n < min || n > max) throw bad(`${name} must be an integer ${min}..${max}`)
  return n
}

export function parseChoice<T extends string>(
  name: string,
  v: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (v === undefined || v === '') return undefined
  const found = choices.find((c) => c === v)
  if (found === undefined) throw bad(`${name} must be one of ${choices.join(', ')}`)
  return found
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** IPv6 column text without the IPv4-mapped prefix (SQL expression). */
export const addrText = (col: string): string =>
  `replaceRegexpOne(toString(${col}), '^::ffff:', '')`

/** The window filter on time_received, with {from:UInt32} and {to:UInt32} parameters. */
export const WINDOW_SQL =
  'time_received >= toDateTime({from:UInt32}) AND time_received < toDateTime({to:UInt32})'

/** The `direction` column's values (the flows contract). */
export { DIRECTIONS } from '@flowloft/decoder-wasm'
