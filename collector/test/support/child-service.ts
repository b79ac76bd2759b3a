// Runs `flowloft serve` as a child process (for tests that signal or kill it): its own
// data dir, ports chosen by the kernel and read back from its JSON log lines; ready once
// serve logs `ready:`.
import { execFile, spawn, type ChildProcess } from 'node:child_process'

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname

export type LogLine = Record<string, unknown> & { msg: string }

export interface ChildExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ChildService {
  readonly process: ChildProcess
  readonly dataDir: string
  readonly netflowPort: number
  readonly httpBase: string
  /** Every log line so far, parsed. */
  readonly logs: LogLine[]
  readonly exited: Promise<ChildExit>
  metrics(): Promise<string>
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>
  /** SIGKILL it if it still runs; resolves once it has gone. */
  kill(): Promise<void>
}

/** Start a collector on `dataDir` with these flags (names without dashes, as in --help). */
export async function startChildService(
  dataDir: string,
  flags: Record<string, string | number> = {},
  timeoutMs = 30_000,
): Promise<ChildService> {
  const all: Record<string, string | number> = {
    'data-dir': dataDir,
    'listen-netflow': '127.0.0.1:0',
    'listen-ipfix': '',
    'listen-sflow': '',
    http: '127.0.0.1:0',
    'decode-workers': 1,
    'log-level': 'info',
    ...flags,
  }
  const args = [MAIN, 'serve', ...Object.entries(all).map(([k, v]) => `--${k}=${v}`)]
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const logs: LogLine[] = []
  let stderr = ''
  const exited = new Promise<ChildExit>((resolve) =>
    p.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const ready = new Promise<{ netflowPort: number; httpPort: number }>((resolve, reject) => {
    let netflowPort = 0
    let httpPort = 0
    let rest = ''
    p.stderr?.setEncoding('utf8')
    p.stderr?.on('data', (chunk: string) => {
      stderr += chunk
      rest += chunk
      const lines = rest.split('\n')
      rest = lines.pop() ?? ''
      for (const text of lines) {
        let line: LogLine
        try {
          line = JSON.parse(text) as LogLine
        } catch {
          continue
        }
        logs.push(line)
        if (line.msg === 'listening' && line['listener'] === 'netflow') {
          netflowPort = Number(String(line['address']).split(':').pop())
        }
        if (line.msg === 'http listening') httpPort = Number(line['port'])
        // serve's last start-up line; http.listen may be off (httpPort 0).
        if (line.msg.startsWith('ready:')) resolve({ netflowPort, httpPort })
      }
    })
    void exited.then((e) =>
      reject(new Error(`collector exited (${e.code ?? e.signal}) before it was ready: ${stderr}`)),
    )
    const timer = setTimeout(
      () => reject(new Error(`collector not ready within ${timeoutMs} ms`)),
      timeoutMs,
    )
    timer.unref()
  })
  let ports: { netflowPort: number; httpPort: number }
  try {
    ports = await ready
  } catch (err) {
    p.kill('SIGKILL')
    await exited
    throw err
  }
  const httpBase = `http://127.0.0.1:${ports.httpPort}`
  // With http.auth on, the helpers log in with the token the flags gave.
  const token = String(all['api-bearer-token'] ?? '')
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  return {
    process: p,
    dataDir,
    netflowPort: ports.netflowPort,
    httpBase,
    logs,
    exited,
    async metrics() {
      return (await fetch(`${httpBase}/metrics`, { headers })).text()
    },
    async query<T>(sql: string): Promise<T[]> {
      const res = await fetch(`${httpBase}/api/query`, { method: 'POST', body: sql, headers })
      const body = (await res.json()) as { data: T[] }
      if (res.status !== 200)
        throw new Error(`query failed (${res.status}): ${JSON.stringify(body)}`)
      return body.data
    },
    async kill() {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
      await exited
    },
  }
}

/**
 * Query a data dir no collector holds (the embedded engine locks it): `flowloft query`
 * in its own process, one JSON object per row.
 */
export function queryDataDir<T = Record<string, unknown>>(
  dataDir: string,
  sql: string,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MAIN, 'query', sql, `--data-dir=${dataDir}`, '--http=127.0.0.1:1', '--log-level=warn'],
      { maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`flowloft query failed: ${stderr}`, { cause: err }))
        else
          resolve(
            stdout
              .split('\n')
              .filter((l) => l !== '')
              .map((l) => JSON.parse(l) as T),
          )
      },
    )
  })
}
