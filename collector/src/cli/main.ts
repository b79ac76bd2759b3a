#!/usr/bin/env node
// flowloft: serve (default), query, decode, import, migrate, config.
import { ConfigError, SETTINGS, toConfig } from '../config/index.js'
import { loadFlat, envName, flagName } from '../config/load.js'
import { createLogger } from '../observability/log.js'
import { parseArgs } from './args.js'
import {
  configCommand,
  decodeCommand,
  importCommand,
  migrateCommand,
  queryCommand,
  serveCommand,
} from './commands.js'

const USAGE = `usage: flowloft [command] [--config FILE] [--flag value ...]

commands:
  serve              run the collector (default)
  query "SQL"        run a read-only query (through a running collector if there is one)
  decode FILE.pcap   print every flow in a capture's UDP payloads as JSON lines
  import FILE.pcap   decode a capture's datagrams into ClickHouse
  migrate            apply the schema migrations
  config             print the effective configuration

settings (YAML path / flag / environment variable):
${SETTINGS.map((d) => `  ${d.path}  --${flagName(d)}  ${envName(d)}\n      ${d.help} (default ${JSON.stringify(d.default)})`).join('\n')}
`

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv)
  if (args.help || args.command === 'help') {
    process.stdout.write(USAGE)
    return 0
  }
  const file = args.config ?? process.env['FLOWLOFT_CONFIG']
  const flat = loadFlat(
    file === undefined
      ? { flags: args.flags, env: process.env }
      : { flags: args.flags, env: process.env, file },
  )
  const config = toConfig(flat)
  const log = createLogger(config.log.level)
  switch (args.command) {
    case 'serve':
      return serveCommand(config, log)
    case 'query':
      return queryCommand(config, log, args.positional.join(' '))
    case 'decode':
      return decodeCommand(args.positional[0])
    case 'import':
      return importCommand(config, log, args.positional[0])
    case 'migrate':
      return migrateCommand(config, log)
    case 'config':
      return configCommand(flat)
    default:
      process.stderr.write(`unknown command ${args.command}\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`configuration error: ${err.message}\n`)
    else
      process.stderr.write(
        `flowloft: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      )
    process.exitCode = 1
  },
)
