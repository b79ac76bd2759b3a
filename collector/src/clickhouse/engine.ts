// Opens ClickHouse: the embedded engine (chdb, in-process, data under data_dir) when no
// URL is configured, or a server over HTTP. Both are driven through @clickhouse/client,
// so everything above this file runs the same code on either.
import type { ClickHouseClient } from '@clickhouse/client'
import type { RowFormat } from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'
import { openEmbedded } from './engine-embedded.js'
import { openServer } from './engine-server.js'
import type { QueryLimits, SessionRunner, UserFormat } from './read-sessions.js'

export { QueryRefused, type QueryLimits, type UserFormat } from './read-sessions.js'

export { DATABASE } from './engine-config.js'

export { EngineInUse, assertEngineFree } from './engine-holder.js'

/** One insert: `body` holds complete rows of `format` in `columns` order. */
export interface RowsInsert {
  table: string
  columns: readonly string[]
  format: RowFormat
  body: readonly Buffer[]
  settings: Record<string, string | number>
}

export interface Engine {
  kind: 'embedded' | 'server'
  /** Writes, migrations and the collector's own reads. */
  client: ClickHouseClient
  /**
   * Insert rows. On a server this is an INSERT with the rows as its body. Embedded, a
   * synchronous insert is written to a file that chdb reads with `FROM INFILE` (see
   * file-insert.ts: half the CPU of inline data). An async TabSeparated insert goes to
   * chdb as inline data (its raw insert), as ClickHouse buffers only inline data; chdb's
   * raw insert is not binary-safe (it splits and corrupts RowBinary bodies), so RowBinary
   * always goes through the file, as a synchronous insert.
   */
  insertRows(req: RowsInsert): Promise<void>
  /**
   * The API's own reads, as JSON rows: read-only enforced by ClickHouse (`readonly=1`),
   * current database `flowloft`, time, memory and result-size limits, on sessions of
   * their own. Available after `prepareReader`.
   */
  read<T>(q: { query: string; query_params?: Record<string, unknown> }): Promise<T[]>
  /**
   * Users' SQL (the API's /api/query, `flowloft query`): judged by ClickHouse's parser
   * (sql-guard.ts), then run read-only on a session of its own, behind a fair gate of
   * `limits.concurrency` sessions, with memory, time and answer-size limits. Throws
   * QueryRefused, GateFull or the engine's error.
   */
  userQuery(sql: string, format: UserFormat): Promise<string>
  /** Scheduled jobs' work (summaries): a session of their own, memory bounded. */
  jobs: SessionRunner
  /** Call once the database exists (after migrations). */
  prepareReader(): Promise<void>
  close(): Promise<void>
}

export interface EngineOptions {
  url: string
  dataDir: string
  limits: QueryLimits
  /** The embedded engine's memory cap in bytes; 0 or absent: derived from the host. */
  maxMemoryBytes?: number
  log: Logger
}

export async function openEngine(o: EngineOptions): Promise<Engine> {
  return o.url === '' ? openEmbedded(o) : Promise.resolve(openServer(o))
}
