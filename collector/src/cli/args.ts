// Splits argv into a command, positional arguments and --flags (`--name value` or
// `--name=value`); `--config FILE` names the YAML file.
export interface ParsedArgs {
  command: string
  positional: string[]
  flags: Map<string, string>
  config?: string
  help: boolean
}

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string>()
  const positional: string[] = []
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === '--help' || a === '-h') {
      help = true
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1))
      else {
        const next = argv[i + 1]
        if (next === undefined) throw new Error(`flag ${a} needs a value`)
        flags.set(a.slice(2), next)
        i++
      }
    } else {
      positional.push(a)
    }
  }
  const config = flags.get('config')
  flags.delete('config')
  const [command = 'serve', ...rest] = positional
  return config === undefined
    ? { command, positional: rest, flags, help }
    : { command, positional: rest, flags, config, help }
}
