// A migrated embedded ClickHouse for one test file: opened before its tests, closed and
// removed after them (each test file runs in its own process with its own directory).
import { after, before } from 'node:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openEngine, type Engine } from '../../dist/clickhouse/engine.js'
import { migrate } from '../../dist/clickhouse/migrate.js'
import { createLogger, type Logger } from '../../dist/observability/log.js'
import { openChdbAs, type ChdbAsUser } from './chdb-as-user.js'
import { mountTmpfs, unmountTmpfs } from './tmpfs.js'

export interface TestEngine {
  readonly engine: Engine
  readonly dataDir: string
  readonly log: Logger
  rows<T>(query: string): Promise<T[]>
}

export interface TestEngineOptions {
  /** Put the whole data directory on a tmpfs of this many bytes (root only). */
  tmpfsBytes?: number
  /** Run the engine as this users.d user, with these extra grant statements (a REVOKE). */
  asUser?: { name: string; extra?: readonly string[] }
  /** Where the engine's log lines go (default: errors only, to stderr). */
  log?: Logger
  /** Apply the schema before the tests (default true). */
  migrated?: boolean
  /**
   * Open a session on the data directory before the engine, which then shares that
   * session's configuration (testing/chdb-cluster.ts: a cluster in it).
   */
  configure?: (dataDir: string) => { close(): void }
}

export function useMigratedEngine(prefix: string, o: TestEngineOptions = {}): TestEngine {
  const log = o.log ?? createLogger('error')
  let engine: Engine | undefined
  let user: ChdbAsUser | { close(): void } | undefined
  let dataDir = ''
  let mounted = false
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), `fl-${prefix}-`))
    if (o.tmpfsBytes !== undefined) {
      mountTmpfs(dataDir, o.tmpfsBytes)
      mounted = true
    }
    if (o.asUser) user = openChdbAs(dataDir, o.asUser.name, { extra: o.asUser.extra ?? [] })
    else if (o.configure) user = o.configure(dataDir)
    engine = await openEngine({
      url: '',
      dataDir,
      limits: { maxExecutionSeconds: 30, maxResultRows: 1000 },
      log,
    })
    if (o.migrated ?? true) await migrate(engine.client)
  })
  after(async () => {
    try {
      await engine?.close()
      user?.close()
    } finally {
      if (mounted) unmountTmpfs(dataDir)
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
  const t: TestEngine = {
    get engine() {
      if (!engine) throw new Error('engine used outside a test')
      return engine
    },
    get dataDir() {
      return dataDir
    },
    log,
    async rows<T>(query: string): Promise<T[]> {
      const rs = await t.engine.client.query({ query, format: 'JSONEachRow' })
      return rs.json<T>()
    },
  }
  return t
}
