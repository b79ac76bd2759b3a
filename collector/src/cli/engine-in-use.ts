// The one line a command prints when another process holds the embedded engine's data
// directory (chdb locks it per process), naming that process and the way out:
// `flowloft import: data_dir data is in use by flowloft serve (pid 1234); stop it first,
// or import into another --data-dir`.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { EngineInUse } from '../clickhouse/engine.js'
import type { Config } from '../settings.js'
import { parseArgs } from './args.js'

/** `flowloft serve (pid 1234)` for a flowloft, else the program's name and pid. */
export function holderName(pid: number, proc = '/proc'): string {
  let argv: string[]
  try {
    argv = readFileSync(`${proc}/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '')
  } catch {
    return `pid ${pid}`
  }
  // node .../dist/cli/main.js, node .../bin/flowloft.js, or the installed `flowloft`.
  const script = argv.findIndex((a) => /(?:^|\/)(?:cli\/main\.js|flowloft(?:\.js)?)$/.test(a))
  if (script >= 0) {
    let command = 'serve'
    try {
      command = parseArgs(argv.slice(script + 1)).command
    } catch {
      // A malformed command line still names a flowloft.
    }
    return `flowloft ${command} (pid ${pid})`
  }
  return argv[0] ? `${basename(argv[0])} (pid ${pid})` : `pid ${pid}`
}

function wayOut(command: string, config: Config): string {
  switch (command) {
    case 'import':
      return '; stop it first, or import into another --data-dir'
    case 'query': {
      const l = config.http.listen
      const asked = l
        ? `no flowloft answered at http.listen ${l.host}:${l.port}`
        : 'http.listen is off, so query cannot ask it'
      return ` and ${asked}: give query the --http that serve listens on, or stop it first`
    }
    case 'migrate':
      return '; stop it first (serve migrates the schema when it starts)'
    case 'serve':
      return '; stop it first, or serve another --data-dir'
    default:
      return '; stop it first'
  }
}

export function engineInUseLine(command: string, err: EngineInUse, config: Config): string {
  return `flowloft ${command}: data_dir ${err.dataDir} is in use by ${holderName(err.pid)}${wayOut(command, config)}\n`
}
