// The `apps` configuration section: overrides of the bundled domain -> app list
// (list.ts). `apps.overrides` maps a domain suffix to an app name, or to {app, category};
// an entry replaces the bundled one of the same suffix or adds one. Messages name the key.
import { ConfigError, isMapping, section, setting } from '../config/index.js'
import { nameProblem, suffixProblem, type AppDomain } from './list.js'

export interface AppsConfig {
  overrides: AppDomain[]
}

/** Overrides at most (the whole list is loaded into ClickHouse at every start). */
export const MAX_OVERRIDES = 10_000
/** The category of an override that names none. */
export const DEFAULT_CATEGORY = 'Other'

function name(value: unknown, at: string, src: string): string {
  const problem = typeof value === 'string' ? nameProblem(value) : 'it must be text'
  if (problem) throw new ConfigError(`${at}: ${problem}, got ${JSON.stringify(value)}${src}`)
  return value as string
}

/** `apps.overrides`: {suffix: app} or {suffix: {app, category}}. */
export function parseOverrides(value: unknown, path: string, src = ''): AppDomain[] {
  if (!isMapping(value))
    throw new ConfigError(
      `${path} must be a mapping of domain suffix: app or {app, category}${src}`,
    )
  const entries = Object.entries(value)
  if (entries.length > MAX_OVERRIDES)
    throw new ConfigError(`${path} has ${entries.length} entries, at most ${MAX_OVERRIDES}${src}`)
  return entries.map(([key, v]): AppDomain => {
    const at = `${path}.${key}`
    const suffix = key.trim().toLowerCase()
    const bad = suffixProblem(suffix)
    if (bad) throw new ConfigError(`${at}: ${bad}${src}`)
    if (typeof v === 'string') return { suffix, app: name(v, at, src), category: DEFAULT_CATEGORY }
    if (!isMapping(v)) throw new ConfigError(`${at} must be an app name or {app, category}${src}`)
    for (const k of Object.keys(v))
      if (k !== 'app' && k !== 'category')
        throw new ConfigError(`${at}.${k} is not a key of an override (app, category)${src}`)
    return {
      suffix,
      app: name(v['app'], `${at}.app`, src),
      category:
        v['category'] === undefined ? DEFAULT_CATEGORY : name(v['category'], `${at}.category`, src),
    }
  })
}

const overrides = setting({
  path: 'apps.overrides',
  default: {},
  text: 'mapping',
  parse: (value, at) => parseOverrides(value, at.path, at.src),
  show: (_o, written) => written ?? {},
  help: 'domain suffix -> app of your own, added to or replacing the bundled list: {suffix: app} or {suffix: {app, category}} (docs/apps.md)',
})

export const APPS = section([overrides], (v): AppsConfig => ({ overrides: v.get(overrides) }))
