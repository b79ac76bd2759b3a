// Splits argv into a command, positional arguments and --flags (`--name value` or
// `--name=value`); `--config FILE` names the YAML file; `--help`/`-h` and `--version`/`-V`
// take no value.
import { ConfigError } from '../config/index.js'

export interface ParsedArgs {
  /** The command named, or `serve` when none is (see `named`). */
  command: string
  named: boolean
  positional: string[]
  flags: Map<string, string>
  config?: string
  help: boolean
  version: boolean
}

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string>()
  const positional: string[] = []
  let help = false
  let version = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--help' || a === '-h') {
      help = true
    } else if (a === '--version' || a === '-V') {
      version = true
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1))
      else {
        const next = argv[i + 1]
        if (next === undefined) throw new ConfigError(`flag ${a} needs a value`)
        flags.set(a.slice(2), next)
        i++
      }
    } else {
      positional.push(a)
    }
  }
  const config = flags.get('config')
  flags.delete('config')
  const [first, ...rest] = positional
  const parsed = { command: first ?? 'serve', named: first !== undefined, positional: rest }
  return config === undefined
    ? { ...parsed, flags, help, version }
    : { ...parsed, flags, config, help, version }
}
