// The embedded engine: chdb in this process, data under data_dir/clickhouse, configured
// by the files engine-config.ts writes (grants, memory cap).
import { mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import type { Engine, EngineOptions } from './engine.js'
import { DATABASE, defaultEngineMemory, writeEngineFiles } from './engine-config.js'
import { embeddedEngineBlocker } from './cpu-check.js'
import { assertEngineFree } from './engine-holder.js'
import { fileInsert } from './file-insert.js'
import {
  jobSettings,
  readSettings,
  runUserQuery,
  sessionPool,
  type Setting,
} from './read-sessions.js'

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

/** API reads that run at once; more wait in order. */
const API_SESSIONS = 2

export async function openEmbedded(o: EngineOptions): Promise<Engine> {
  const path = resolve(o.dataDir, 'clickhouse')
  // Before anything is written under data_dir (engine files, directories).
  assertEngineFree(o.dataDir)
  mkdirSync(path, { recursive: true })
  const blocker = embeddedEngineBlocker()
  if (blocker) throw new Error(blocker)
  let mod: typeof import('chdb/connection')
  try {
    mod = await import('chdb/connection')
  } catch (err) {
    throw new Error(
      'the embedded ClickHouse engine (npm package chdb) is not installed: install it or set clickhouse.url',
      { cause: err },
    )
  }
  // The first session on the data directory decides the engine's configuration: the
  // users file whose grants every later session gets, and the memory cap. It is held
  // open for the engine's life.
  const files = writeEngineFiles(
    resolve(o.dataDir, 'engine'),
    o.maxMemoryBytes ? o.maxMemoryBytes : defaultEngineMemory(),
  )
  const chdb = await import('chdb')
  const holder = new chdb.Session(path, { connectionArgs: [`--config-file=${files.configFile}`] })
  // chdb types the connection against its own copy of @clickhouse/client-common. A
  // session's settings persist on it: each pool's sessions are set up once, when made.
  const session = async (settings: Setting[]): Promise<ClickHouseClient> => {
    const c = createClient({
      connection: mod.createChdbConnection({ path }) as unknown as ClientConnection,
    })
    await c.command({ query: `USE ${DATABASE}` })
    for (const [k, v] of settings)
      await c.command({ query: `SET ${k} = ${typeof v === 'number' ? v : `'${v}'`}` })
    return c
  }
  const writerConnection = mod.createChdbConnection({ path })
  const client = createClient({ connection: writerConnection as unknown as ClientConnection })
  // The API's reads, users' queries and jobs each get sessions of their own, made once
  // the database exists (prepareReader).
  let pools:
    | {
        api: Awaited<ReturnType<typeof sessionPool>>
        users: Awaited<ReturnType<typeof sessionPool>>
        jobs: Awaited<ReturnType<typeof sessionPool>>
      }
    | undefined
  const ready = (): NonNullable<typeof pools> => {
    if (!pools) throw new Error('read sessions used before prepareReader()')
    return pools
  }
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
    read: (q) =>
      ready().api.run(async (c) => {
        const rs = await c.query({ ...q, format: 'JSONEachRow' })
        return rs.json()
      }),
    userQuery: (sql, format) => ready().users.run((c) => runUserQuery(c, sql, format, {})),
    jobs: (fn) => ready().jobs.run(fn),
    async prepareReader() {
      if (pools) return
      const reading = readSettings(o.limits)
      pools = {
        api: await sessionPool(() => session(reading), API_SESSIONS, true),
        users: await sessionPool(() => session(reading), o.limits.concurrency ?? 2, true),
        jobs: await sessionPool(() => session(jobSettings(o.limits)), 1, true),
      }
    },
    async close() {
      if (pools) for (const p of Object.values(pools)) await p.close()
      await client.close()
      holder.close()
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
