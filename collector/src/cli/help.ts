// What `flowloft help`, `flowloft COMMAND --help` and `flowloft --version` print.
import { readFileSync } from 'node:fs'
import { settingsHelp as listSettings } from '../config/index.js'
import { SETTINGS } from '../settings.js'

export interface CommandHelp {
  usage: string
  summary: string
  detail: string
}

const CONFIG_NOTE =
  'Settings come from --config FILE (or FLOWLOFT_CONFIG), FLOWLOFT_* variables and flags;\n' +
  '`flowloft help settings` lists them. Relative paths (data_dir, --config, FILE) resolve\n' +
  'from the directory you run flowloft in.'

export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  serve: {
    usage: 'flowloft serve',
    summary: 'run the collector (the default command)',
    detail:
      'Listens for NetFlow, IPFIX and sFlow, stores every flow in ClickHouse (embedded under\n' +
      'data_dir/clickhouse unless --clickhouse-url is set) and serves the web console, the API\n' +
      'and /metrics. SIGTERM or Ctrl-C flushes accepted flows before it exits.',
  },
  query: {
    usage: 'flowloft query "SQL"',
    summary: 'run a read-only query (through the running collector if there is one)',
    detail:
      'Prints one JSON object per row on stdout, then the count (`0 rows`, `1 row`, ...) on\n' +
      'stderr. While `flowloft serve` runs, the query goes through its HTTP API (the embedded\n' +
      'engine locks data_dir); otherwise it opens data_dir itself. A serve that holds\n' +
      'data_dir but does not answer at http.listen is named, with its pid.',
  },
  decode: {
    usage: 'flowloft decode FILE.pcap',
    summary: "print every flow in a capture's UDP payloads as JSON lines",
    detail:
      "FILE.pcap holds an exporter's datagrams (for example `tcpdump -w FILE.pcap udp port 2055`).\n" +
      'Every UDP datagram is tried, whatever its port; rejected ones are counted by reason on\n' +
      'stderr. A capture with no NetFlow, IPFIX or sFlow datagram at all (ordinary traffic)\n' +
      'exits 1 with one line that says so. Nothing is stored.',
  },
  import: {
    usage: 'flowloft import FILE.pcap',
    summary: "decode a capture's datagrams into ClickHouse",
    detail:
      "Stores the flows of an exporter's capture, the capture's sources as exporters. The\n" +
      'embedded engine locks data_dir: while `flowloft serve` holds it, import names serve and\n' +
      'stops; stop serve first, or import into another --data-dir.',
  },
  migrate: {
    usage: 'flowloft migrate',
    summary: 'apply the schema migrations',
    detail: 'Brings the flowloft database up to date; serve does the same at start.',
  },
  config: {
    usage: 'flowloft config',
    summary: 'print the effective configuration',
    detail: 'Secrets are masked. A bad key or value is named and the exit code is 1.',
  },
  version: {
    usage: 'flowloft version',
    summary: 'print the version',
    detail: 'The same as `flowloft --version`.',
  },
  help: {
    usage: 'flowloft help [COMMAND | settings]',
    summary: "print this help, a command's help, or every setting",
    detail: 'The same as `flowloft COMMAND --help`.',
  },
}

export function version(): string {
  const pkg = new URL('../../package.json', import.meta.url)
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version
}

export function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length)) - 9
  const lines = Object.values(COMMANDS).map(
    (c) => `  ${c.usage.slice('flowloft '.length).padEnd(width)}  ${c.summary}`,
  )
  return `usage: flowloft [command] [--config FILE] [--flag value ...]\n\ncommands:\n${lines.join('\n')}\n\n${CONFIG_NOTE}\n`
}

export function settingsHelp(): string {
  return listSettings(SETTINGS)
}

/** Help for one topic, or null when there is no such command. */
export function commandHelp(topic: string): string | null {
  if (topic === 'settings') return settingsHelp()
  const c = COMMANDS[topic]
  return c ? `usage: ${c.usage}\n\n${c.summary}.\n${c.detail}\n\n${CONFIG_NOTE}\n` : null
}
