// Loads a list of settings (setting.ts) from, in rising precedence: their defaults, the
// YAML file, FLOWLOFT_* environment variables, command-line flags and values set by the
// caller. Each value is parsed once, by its setting, where it is read: unknown keys and
// bad values are refused with a message naming the key and the rule. Knows no component:
// the list is the caller's (collector/src/settings.ts).
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { ConfigError } from './errors.js'
import { isMapping } from './mapping.js'
import { Values, type Section, type SettingDef } from './setting.js'

export interface LoadInput {
  /** Flags already split into name -> value (without leading dashes). */
  flags: Map<string, string>
  env: NodeJS.ProcessEnv
  /** Path of the YAML file, if any. */
  file?: string
  /** Values by path, above everything else, as they would be written in YAML (tests). */
  set?: Readonly<Record<string, unknown>>
}

export interface LoadOptions {
  /** FLOWLOFT_* variables that are read elsewhere and are no setting. */
  otherEnv?: readonly string[]
}

export function describe(def: SettingDef): string {
  return `${def.path} (--${def.flag}, ${def.env})`
}

/** Text from the environment or a flag: JSON, or for lists a comma-separated list. */
function structured(def: SettingDef, value: unknown, from: string): unknown {
  if (def.text === 'scalar' || typeof value !== 'string') return value
  const t = value.trim()
  if (t === '') return def.text === 'mapping' ? {} : []
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t) as unknown
    } catch (err) {
      throw new ConfigError(
        `${describe(def)} from ${from} is not valid JSON: ${(err as Error).message}`,
      )
    }
  }
  if (def.text === 'list') return t.split(',').map((x) => x.trim())
  throw new ConfigError(`${describe(def)} from ${from} must be a JSON object`)
}

function take(into: Values, def: SettingDef, value: unknown, from: string): void {
  def.take(into, structured(def, value, from), {
    path: def.path,
    where: `${describe(def)} from ${from}`,
    src: ` (from ${from})`,
  })
}

function flattenYaml(
  node: unknown,
  prefix: string,
  settings: readonly SettingDef[],
  out: Map<string, unknown>,
  file: string,
): void {
  if (node === null || node === undefined) return
  if (!isMapping(node)) {
    throw new ConfigError(`${file}: ${prefix || 'the document'} must be a mapping`)
  }
  for (const [k, v] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (settings.some((d) => d.path === path)) out.set(path, v)
    else if (isMapping(v) && settings.some((d) => d.path.startsWith(`${path}.`))) {
      flattenYaml(v, path, settings, out, file)
    } else {
      throw new ConfigError(`${file}: unknown key ${path}`)
    }
  }
}

function readYaml(file: string, settings: readonly SettingDef[]): Map<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`, { cause: err })
  }
  const values = new Map<string, unknown>()
  flattenYaml(doc, '', settings, values, file)
  return values
}

export function loadSettings(
  settings: readonly SettingDef[],
  input: LoadInput,
  o: LoadOptions = {},
): Values {
  const values = new Values(settings)
  const byPath = new Map(settings.map((d) => [d.path, d]))
  for (const d of settings) take(values, d, d.default, 'default')
  if (input.file) {
    for (const [path, v] of readYaml(input.file, settings)) {
      const def = byPath.get(path)
      if (def) take(values, def, v, input.file)
    }
  }
  const other = new Set(o.otherEnv ?? [])
  for (const [name, v] of Object.entries(input.env)) {
    if (!name.startsWith('FLOWLOFT_') || v === undefined || other.has(name)) continue
    const def = settings.find((d) => d.env === name)
    if (!def) throw new ConfigError(`unknown environment variable ${name}`)
    take(values, def, v, `environment ${name}`)
  }
  for (const [name, v] of input.flags) {
    const def = settings.find((d) => d.flag === name)
    if (!def) throw new ConfigError(`unknown flag --${name}`)
    take(values, def, v, `flag --${name}`)
  }
  for (const [path, v] of Object.entries(input.set ?? {})) {
    const def = byPath.get(path)
    if (!def) throw new ConfigError(`unknown setting ${path}`)
    take(values, def, v, 'the caller')
  }
  return values
}

/** One component's typed configuration, loaded from its settings alone. */
export function loadSection<C>(s: Section<C>, input: LoadInput, o: LoadOptions = {}): C {
  return s.read(loadSettings(s.settings, input, o))
}
