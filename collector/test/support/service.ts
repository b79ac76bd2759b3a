// Starts a real collector (embedded ClickHouse in a temp dir, ephemeral ports) for tests.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, type Logger } from '../../dist/observability/log.js'
import { startCollector, type Collector } from '../../dist/main.js'
import { loadConfig, type Config } from '../../dist/settings.js'

export interface TestService {
  service: Collector
  config: Config
  dataDir: string
  netflowPort: number
  httpBase: string
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>
  post(path: string, body: string): Promise<{ status: number; json: unknown }>
  metrics(): Promise<string>
  stop(): Promise<void>
}

export async function startTestService(
  /** Settings by path, as they would be written in YAML. */
  overrides: Record<string, unknown> = {},
  log: Logger = createLogger('warn'),
): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flowloft-test-'))
  const config = loadConfig({
    flags: new Map(),
    env: {},
    set: {
      data_dir: dataDir,
      'listen.netflow': '127.0.0.1:0',
      'listen.ipfix': '',
      'listen.sflow': '',
      'http.listen': '127.0.0.1:0',
      'writer.batch_ms': 100,
      // The light-traffic stretch stays on, short enough for tests that wait on metrics.
      'writer.quiet_batch_ms': 1000,
      'decode.workers': 2,
      ...overrides,
    },
  })
  const service = await startCollector(config, log, { network: true, waitForServer: true })
  const httpBase = `http://127.0.0.1:${service.http?.port ?? 0}`
  const post = async (path: string, body: string): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${httpBase}${path}`, { method: 'POST', body })
    return { status: res.status, json: await res.json() }
  }
  return {
    service,
    config,
    dataDir,
    netflowPort: service.listeners.find((l) => l.name === 'netflow')?.port ?? 0,
    httpBase,
    post,
    async query<T>(sql: string): Promise<T[]> {
      const r = await post('/api/query', sql)
      if (r.status !== 200) throw new Error(`query failed (${r.status}): ${JSON.stringify(r.json)}`)
      return (r.json as { data: T[] }).data
    },
    async metrics() {
      return (await fetch(`${httpBase}/metrics`)).text()
    },
    async stop() {
      await service.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Poll until `check` returns true or the time is up. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
  stepMs = 100,
): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, stepMs))
  }
}

/** The value of one metric series in Prometheus text, 0 when absent. */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1))
  }
  return 0
}
