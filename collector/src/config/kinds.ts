// The kinds of setting every component uses: text, a choice, a whole number in a range,
// true/false, a listen address, an http(s) URL, a cron schedule, a list of whole numbers
// and a comma-separated list. Components write their own parser for anything else
// (setting.ts). Messages name the setting, where the value came from and the rule.
import cron from 'node-cron'
import { ConfigError } from './errors.js'
import { formatListen, parseListen, type ListenAddress } from './listen-address.js'
import { setting, type Origin, type Setting } from './setting.js'

export interface Named {
  path: string
  help: string
  flag?: string
  secret?: boolean
}

/** A string (a number written in YAML is taken as its text). */
export function asText(value: unknown, at: Origin): string {
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new ConfigError(`${at.where} must be a string, got ${JSON.stringify(value)}`)
  return String(value)
}

export const text = (o: Named & { default: string }): Setting<string> =>
  setting({ ...o, parse: asText })

export function choice<const C extends string>(
  o: Named & { default: C; choices: readonly C[] },
): Setting<C> {
  return setting({
    ...o,
    parse(value, at) {
      const t = asText(value, at)
      const c = o.choices.find((x) => x === t)
      if (c === undefined)
        throw new ConfigError(
          `${at.where} must be one of ${o.choices.join(', ')}, got ${JSON.stringify(t)}`,
        )
      return c
    },
  })
}

export function int(o: Named & { default: number; min?: number; max?: number }): Setting<number> {
  return setting({
    ...o,
    parse(value, at) {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN
      if (!Number.isInteger(n))
        throw new ConfigError(`${at.where} must be a whole number, got ${JSON.stringify(value)}`)
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max))
        throw new ConfigError(`${at.where} must be ${o.min ?? '-inf'}..${o.max ?? 'inf'}, got ${n}`)
      return n
    },
  })
}

export function bool(o: Named & { default: boolean }): Setting<boolean> {
  return setting({
    ...o,
    parse(value, at) {
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === '1' || value === 'yes') return true
      if (value === 'false' || value === '0' || value === 'no') return false
      throw new ConfigError(`${at.where} must be true or false, got ${JSON.stringify(value)}`)
    },
  })
}

/** A listen address (listen-address.ts); empty: null, nothing listens. */
export function listen(o: Named & { default: string }): Setting<ListenAddress | null> {
  return setting({
    ...o,
    parse(value, at) {
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new ConfigError(`${at.where} must be host:port, got ${JSON.stringify(value)}`)
      const s = String(value)
      if (s === '') return null
      const parsed = parseListen(s)
      if (typeof parsed === 'string')
        throw new ConfigError(`${at.where} ${parsed}, got ${JSON.stringify(s)}`)
      return parsed
    },
    show: (a) => (a === null ? '' : formatListen(a)),
  })
}

/** An http:// or https:// URL, or empty. */
export function url(o: Named & { default: string }): Setting<string> {
  return setting({
    ...o,
    parse(value, at) {
      if (typeof value !== 'string')
        throw new ConfigError(`${at.where} must be a URL, got ${JSON.stringify(value)}`)
      if (value === '') return ''
      let u: URL
      try {
        u = new URL(value)
      } catch {
        throw new ConfigError(`${at.where} is not a valid URL`)
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new ConfigError(`${at.where} must use http:// or https://, got ${u.protocol}//`)
      return value
    },
    mask: (v) => (v === '' ? '' : maskUrl(v)),
  })
}

/** A URL with its password masked. */
export function maskUrl(s: string): string {
  try {
    const u = new URL(s)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '***'
  }
}

/** A list of whole numbers, each min..max; `check` may refuse or reorder the whole list. */
export function intList(
  o: Named & {
    default: number[]
    min: number
    max: number
    check?: (list: number[], path: string) => number[]
  },
): Setting<number[]> {
  const range = `${o.min}..${o.max}`
  return setting({
    ...o,
    text: 'list',
    parse(value, at) {
      if (!Array.isArray(value))
        throw new ConfigError(`${at.path} must be a list of numbers ${range}${at.src}`)
      const list = value.map((v: unknown, k) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN
        if (!Number.isInteger(n) || n < o.min || n > o.max)
          throw new ConfigError(
            `${at.path}[${k}] must be a whole number ${range}, got ${JSON.stringify(v)}${at.src}`,
          )
        return n
      })
      return o.check ? o.check(list, at.path) : list
    },
  })
}

/** Text that holds a comma-separated list: its entries, trimmed, empty ones left out. */
export function commaList(
  o: Named & { default: string; each?: (entry: string, path: string) => void },
): Setting<string[]> {
  return setting({
    ...o,
    parse(value, at) {
      const list = asText(value, at)
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '')
      if (o.each) for (const x of list) o.each(x, at.path)
      return list
    },
    show: (list) => list.join(', '),
  })
}

/** A node-cron expression (five or six fields), trimmed. */
export function schedule(o: Named & { default: string }): Setting<string> {
  return setting({
    ...o,
    parse(value, at) {
      const s = typeof value === 'string' ? value.trim() : ''
      if (!cron.validate(s))
        throw new ConfigError(`${at.where} must be a cron expression, got ${JSON.stringify(value)}`)
      return s
    },
  })
}
