// A ClickHouse server over HTTP: each request is a session of its own, so settings
// travel with every request.
import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import type { Engine, EngineOptions } from './engine.js'
import {
  asRequestSettings,
  jobSettings,
  MAX_WAITING,
  readSettings,
  runUserQuery,
  type SessionRunner,
} from './read-sessions.js'
import { DATABASE } from './engine-config.js'
import { QueryGate } from './query-gate.js'

export function openServer(o: EngineOptions): Engine {
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
  const jobsClient = createClient({
    url,
    username,
    password,
    database: DATABASE,
    request_timeout: 3_600_000,
    clickhouse_settings: asRequestSettings(jobSettings(o.limits)),
  })
  const reading = asRequestSettings(readSettings(o.limits))
  const gate = (n: number): QueryGate<number> =>
    new QueryGate(
      Array.from({ length: n }, (_, i) => i),
      MAX_WAITING,
    )
  const users = gate(o.limits.concurrency ?? 2)
  const jobs = gate(1)
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
    async read<T>(q: { query: string; query_params?: Record<string, unknown> }) {
      const rs = await readerClient.query({
        ...q,
        format: 'JSONEachRow',
        clickhouse_settings: reading,
      })
      return rs.json<T>()
    },
    userQuery: (sql, format) => users.run(() => runUserQuery(readerClient, sql, format, reading)),
    jobs: ((fn: (c: ClickHouseClient) => Promise<unknown>) =>
      jobs.run(() => fn(jobsClient))) as SessionRunner,
    async prepareReader() {
      await Promise.resolve()
    },
    async close() {
      await readerClient.close()
      await jobsClient.close()
      await client.close()
    },
  }
}
