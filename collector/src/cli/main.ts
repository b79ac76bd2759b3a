#!/usr/bin/env node
// flowloft: serve (default), query, decode, import, migrate, config, version, help.
import { EngineInUse } from '../clickhouse/engine.js'
import { ConfigError, type Values } from '../config/index.js'
import { createLogger, type Logger } from '../observability/log.js'
import { loadValues, toConfig, type Config } from '../settings.js'
import { parseArgs } from './args.js'
import {
  configCommand,
  decodeCommand,
  importCommand,
  migrateCommand,
  queryCommand,
  serveCommand,
} from './commands.js'
import { engineInUseLine } from './engine-in-use.js'
import { InputError } from './input-error.js'
import { commandHelp, usage, version } from './help.js'

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv)
  if (args.version || args.command === 'version') {
    process.stdout.write(`flowloft ${version()}\n`)
    return 0
  }
  if (args.command === 'help' || args.help) {
    const topic =
      args.command === 'help' ? args.positional[0] : args.named ? args.command : undefined
    if (topic === undefined) {
      process.stdout.write(usage())
      return 0
    }
    const text = commandHelp(topic)
    if (text === null) {
      process.stderr.write(`flowloft: no command ${topic}\n${usage()}`)
      return 2
    }
    process.stdout.write(text)
    return 0
  }
  const file = args.config ?? process.env['FLOWLOFT_CONFIG']
  const values = loadValues(
    file === undefined
      ? { flags: args.flags, env: process.env }
      : { flags: args.flags, env: process.env, file },
  )
  const config = toConfig(values)
  const log = createLogger(config.log.level)
  try {
    return await run(args.command, args.positional, config, values, log)
  } catch (err) {
    if (err instanceof InputError)
      process.stderr.write(`flowloft ${args.command}: ${err.message}\n`)
    else if (err instanceof EngineInUse)
      process.stderr.write(engineInUseLine(args.command, err, config))
    else throw err
    return 1
  }
}

function run(
  command: string,
  positional: string[],
  config: Config,
  values: Values,
  log: Logger,
): Promise<number> | number {
  switch (command) {
    case 'serve':
      return serveCommand(config, log)
    case 'query':
      return queryCommand(config, log, positional.join(' '))
    case 'decode':
      return decodeCommand(positional[0])
    case 'import':
      return importCommand(config, log, positional[0])
    case 'migrate':
      return migrateCommand(config, log)
    case 'config':
      return configCommand(values)
    default:
      process.stderr.write(`flowloft: unknown command ${command}\n${usage()}`)
      return 2
  }
}

/** One line for a user; the stack too with FLOWLOFT_DEBUG=1. */
function failure(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  if (process.env['FLOWLOFT_DEBUG'] === '1') return err.stack ?? err.message
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  return `${err.message}${cause} (FLOWLOFT_DEBUG=1 shows where)`
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`configuration error: ${err.message}\n`)
    else process.stderr.write(`flowloft: ${failure(err)}\n`)
    process.exitCode = 1
  },
)
