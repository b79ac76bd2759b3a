// Opens ClickHouse: the embedded engine (chdb, in-process, data under data_dir) when no
// URL is configured, or a server over HTTP. Both are driven through @clickhouse/client,
// so everything above this file runs the same code on either.
import { mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client'
import type { Logger } from '../observability/log.js'
import { fileInsert } from './file-insert.js'

export const DATABASE = 'flowhouse'

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

export interface QueryLimits {
  maxExecutionSeconds: number
  maxResultRows: number
}

/** One TabSeparated insert: `body` holds complete lines in `columns` order. */
export interface TsvInsert {
  table: string
  columns: readonly string[]
  body: readonly Buffer[]
  settings: Record<string, string | number>
}

export interface Engine {
  kind: 'embedded' | 'server'
  /** Writes, migrations and the collector's own reads. */
  client: ClickHouseClient
  /**
   * Insert TabSeparated rows. On a server this is the client's insert. Embedded, a
   * synchronous insert is written to a file that chdb reads with `file()` (see
   * file-insert.ts: half the CPU of inline data), and an async insert goes to chdb as
   * inline data (its raw insert), as ClickHouse buffers only inline data.
   */
  insertTsv(req: TsvInsert): Promise<void>
  /**
   * Runs users' SQL: read-only enforced by ClickHouse (`readonly=1`), current
   * database `flowhouse`, time and result-size limits. Available after `prepareReader`.
   */
  reader(): ClickHouseClient
  /** Settings to send with each reader query (server only; embedded sets them once). */
  readerSettings: ClickHouseSettings
  /** Call once the database exists (after migrations). */
  prepareReader(): Promise<void>
  close(): Promise<void>
}

export interface EngineOptions {
  url: string
  dataDir: string
  limits: QueryLimits
  log: Logger
}

export async function openEngine(o: EngineOptions): Promise<Engine> {
  return o.url === '' ? openEmbedded(o) : Promise.resolve(openServer(o))
}

async function openEmbedded(o: EngineOptions): Promise<Engine> {
  const path = resolve(o.dataDir, 'clickhouse')
  mkdirSync(path, { recursive: true })
  let mod: typeof import('chdb/connection')
  try {
    mod = await import('chdb/connection')
  } catch (err) {
    throw new Error(
      'the embedded ClickHouse engine (npm package chdb) is not installed: install it or set clickhouse.url',
      { cause: err },
    )
  }
  // chdb types the connection against its own copy of @clickhouse/client-common.
  const writerConnection = mod.createChdbConnection({ path })
  const client = createClient({ connection: writerConnection as unknown as ClientConnection })
  // A second session on the same data: its settings (readonly above all) persist on the
  // session, so users' queries get a session of their own.
  const readerClient = createClient({
    connection: mod.createChdbConnection({ path }) as unknown as ClientConnection,
  })
  let ready = false
  // ClickHouse parses a file on several threads; on two cores those threads only compete
  // with merges and the decode workers, and the split costs CPU of its own: 500k-row
  // inserts of enriched v9 rows took 6.1-6.3 us of CPU per row on one thread against
  // 6.9-7.3 us in parallel (merges included) on the 2-core bench machine.
  const parallelParsing = availableParallelism() > 2 ? 1 : 0
  const viaFile = fileInsert({
    dir: resolve(o.dataDir, 'inserting'),
    query: async (sql) => {
      await writerConnection.chdb.queryAsync(sql)
    },
    columnTypes: async (table) => {
      const [db, name] = table.split('.')
      const rs = await client.query({
        query: `SELECT name, type FROM system.columns WHERE database = '${db ?? ''}' AND table = '${name ?? ''}'`,
        format: 'JSONEachRow',
      })
      return new Map((await rs.json<{ name: string; type: string }>()).map((c) => [c.name, c.type]))
    },
  })
  o.log.info('clickhouse: embedded engine', { path: join(o.dataDir, 'clickhouse') })
  return {
    kind: 'embedded',
    client,
    async insertTsv(req) {
      if (!req.body.some((b) => b.byteLength > 0)) return
      if (Number(req.settings['async_insert'] ?? 0) === 0) {
        await viaFile.insert({
          ...req,
          settings: { ...req.settings, input_format_parallel_parsing: parallelParsing },
        })
        return
      }
      await writerConnection.chdb.rawInsert({
        table: req.table,
        columns: req.columns,
        values: req.body.length === 1 && req.body[0] ? req.body[0] : Buffer.concat(req.body),
        format: 'TabSeparated',
        settings: req.settings,
      })
    },
    readerSettings: {},
    reader() {
      if (!ready) throw new Error('reader used before prepareReader()')
      return readerClient
    },
    async prepareReader() {
      if (ready) return
      const set = async (q: string): Promise<void> => {
        await readerClient.command({ query: q })
      }
      await set(`USE ${DATABASE}`)
      await set(`SET max_execution_time = ${o.limits.maxExecutionSeconds}`)
      await set(`SET max_result_rows = ${o.limits.maxResultRows}`)
      await set(`SET result_overflow_mode = 'throw'`)
      await set('SET output_format_json_quote_64bit_integers = 0')
      await set('SET readonly = 1')
      ready = true
    },
    async close() {
      await readerClient.close()
      await client.close()
    },
  }
}

function openServer(o: EngineOptions): Engine {
  const u = new URL(o.url)
  const username = decodeURIComponent(u.username) || 'default'
  const password = decodeURIComponent(u.password)
  u.username = ''
  u.password = ''
  u.pathname = '/'
  const url = u.toString()
  const client = createClient({ url, username, password, request_timeout: 60_000 })
  const readerClient = createClient({
    url,
    username,
    password,
    database: DATABASE,
    request_timeout: 3_600_000,
  })
  o.log.info('clickhouse: server', { url })
  return {
    kind: 'server',
    client,
    async insertTsv(req) {
      await client.insert({
        table: req.table,
        columns: [...req.columns] as [string, ...string[]],
        values: Readable.from(req.body, { objectMode: false }),
        format: 'TabSeparated',
        clickhouse_settings: req.settings,
      })
    },
    readerSettings: {
      readonly: '1',
      max_execution_time: o.limits.maxExecutionSeconds,
      max_result_rows: String(o.limits.maxResultRows),
      result_overflow_mode: 'throw',
      output_format_json_quote_64bit_integers: 0,
    },
    reader: () => readerClient,
    async prepareReader() {
      await Promise.resolve()
    },
    async close() {
      await readerClient.close()
      await client.close()
    },
  }
}
