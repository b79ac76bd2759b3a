// One setting: its path in the YAML file, its flag and environment variable, its default
// and help, and the parser that turns what a person wrote into a typed value. Components
// declare their settings beside their code (clickhouse/config.ts, enrich/dns/config.ts,
// ...) as a Section: the settings, and how the component's typed configuration is read
// from a load. The loader (load.ts) takes any list of settings and knows no component.

/** Where a value came from, for the messages of a parser. */
export interface Origin {
  /** The setting's path: `enrich.dns.servers`. */
  readonly path: string
  /**
   * The setting, its names and the value's source, to begin a message:
   * `writer.batch_rows (--writer-batch-rows, FLOWLOFT_WRITER_BATCH_ROWS) from environment
   * FLOWLOFT_WRITER_BATCH_ROWS`.
   */
  readonly where: string
  /** ` (from SOURCE)`, to end a message about one entry of a list or mapping. */
  readonly src: string
}

/** How text from the environment or a flag becomes a value. */
export type TextForm =
  /** As it is. */
  | 'scalar'
  /** JSON, or a comma-separated list; empty is []. */
  | 'list'
  /** JSON; empty is {}. */
  | 'mapping'

export interface SettingSpec<T> {
  /** Dotted path in the YAML file, e.g. `listen.netflow`. */
  path: string
  help: string
  /** As it would be written in the YAML file: parsed like any other value. */
  default: unknown
  /** Flag name without dashes; defaults to the path with dots and underscores as dashes. */
  flag?: string
  /** Masked when the effective configuration is printed. */
  secret?: boolean
  /** How a secret value is printed (default: `***` for text that is not empty). */
  mask?(value: T): unknown
  text?: TextForm
  /** The typed value of what was written; a ConfigError that names `at` when it is wrong. */
  parse(value: unknown, at: Origin): T
  /**
   * What `flowloft config` prints (default: the value itself); `written` is what the
   * value was parsed from (environment and flag text already read as JSON or a list).
   */
  show?(value: T, written: unknown): unknown
}

/** What the loader needs of a setting, whatever the type of its value. */
export interface SettingDef {
  readonly path: string
  readonly help: string
  readonly default: unknown
  readonly flag: string
  readonly env: string
  readonly secret: boolean
  readonly text: TextForm
  /** Parse a value into `into`, in place of an earlier one. */
  take(into: Values, value: unknown, at: Origin): void
  /** The value in `from`, as printed: secrets masked. */
  shown(from: Values): unknown
}

export interface Setting<T> extends SettingDef {
  /** The value in `from` (a load that took this setting). */
  of(from: Values): T
}

/**
 * The values of one load. Each setting keeps its own values, keyed by this object, so a
 * value is read back with its type: `values.get(setting)`.
 */
export class Values {
  readonly settings: readonly SettingDef[]
  constructor(settings: readonly SettingDef[]) {
    this.settings = settings
  }
  get<T>(s: Setting<T>): T {
    return s.of(this)
  }
}

/** A component's settings, and how its typed configuration is read from a load. */
export interface Section<C> {
  readonly settings: readonly SettingDef[]
  read(values: Values): C
}

export function section<C>(
  settings: readonly SettingDef[],
  read: (values: Values) => C,
): Section<C> {
  return { settings, read }
}

export function setting<T>(spec: SettingSpec<T>): Setting<T> {
  const loaded = new WeakMap<Values, { value: T; written: unknown }>()
  const get = (from: Values): { value: T; written: unknown } => {
    const v = loaded.get(from)
    if (!v) throw new Error(`setting ${spec.path} is not part of this load`)
    return v
  }
  return {
    path: spec.path,
    help: spec.help,
    default: spec.default,
    flag: spec.flag ?? spec.path.replace(/[._]/g, '-'),
    env: `FLOWLOFT_${spec.path.replace(/\./g, '_').toUpperCase()}`,
    secret: spec.secret ?? false,
    text: spec.text ?? 'scalar',
    take(into, value, at) {
      loaded.set(into, { value: spec.parse(value, at), written: value })
    },
    shown(from) {
      const { value, written } = get(from)
      if (spec.secret && spec.mask) return spec.mask(value)
      const shown = spec.show ? spec.show(value, written) : value
      return spec.secret && typeof shown === 'string' && shown !== '' ? '***' : shown
    },
    of: (from) => get(from).value,
  }
}
