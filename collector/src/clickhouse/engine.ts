// Opens ClickHouse: the embedded engine (chdb, in-process, data under data_dir) when no
// URL is configured, or a server over HTTP. Both are driven through @clickhouse/client,
// so everything above this file runs the same code on either.
import { mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client'
import type { RowFormat } from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'
import { fileInsert } from './file-insert.js'

export const DATABASE = 'flowloft'

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

export interface QueryLimits {
  maxExecutionSeconds: number
  maxResultRows: number
}

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
   * synchronous insert is written to a file that chdb reads with `file()` (see
   * file-insert.ts: half the CPU of inline data). An async TabSeparated insert goes to
   * chdb as inline data (its raw insert), as ClickHouse buffers only inline data; chdb's
   * raw insert is not binary-safe (it splits and corrupts RowBinary bodies), so RowBinary
   * always goes through the file, as a synchronous insert.
   */
  insertRows(req: RowsInsert): Promise<void>
  /**
   * Runs users' SQL: read-only enforced by ClickHouse (`readonly=1`), current
   * database `flowloft`, time and result-size limits. Available after `prepareReader`.
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
    async insertRows(req) {
      if (!req.body.some((b) => b.byteLength > 0)) return
      if (req.format === 'RowBinary' || Number(req.settings['async_insert'] ?? 0) === 0) {
        await viaFile.insert({ ...req, settings: synchronous(req.settings, parallelParsing) })
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

/** An insert's settings for the file path: synchronous, with the parsing threads set. */
function synchronous(
  settings: Record<string, string | number>,
  parallelParsing: number,
): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(settings))
    if (!k.startsWith('async_insert') && k !== 'wait_for_async_insert') out[k] = v
  out['async_insert'] = 0
  out['input_format_parallel_parsing'] = parallelParsing
  return out
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
    async insertRows(req) {
      if (req.format === 'TabSeparated') {
        await client.insert({
          table: req.table,
          columns: [...req.columns] as [string, ...string[]],
          values: Readable.from(req.body, { objectMode: false }),
          format: 'TabSeparated',
          clickhouse_settings: req.settings,
        })
        return
      }
      // The client's insert() takes text formats only: a binary body goes through exec().
      const r = await client.exec({
        query: `INSERT INTO ${req.table} (${req.columns.join(', ')}) FORMAT ${req.format}`,
        values: Readable.from(req.body, { objectMode: false }),
        clickhouse_settings: req.settings,
      })
      r.stream.resume()
      await finished(r.stream)
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
