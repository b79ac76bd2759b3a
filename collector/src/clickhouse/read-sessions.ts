// Sessions that read: the API's own reads, users' SQL and scheduled jobs each run on a
// small pool of sessions behind a fair gate (query-gate.ts). An embedded session that
// failed is replaced before it is used again: chdb hands the rows a failed query had
// produced so far to that session's next query, which would give one request another's
// answer (measured with chdb 3.4: an over-limit result's first rows came back as the
// answer to the next SELECT on the session).
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import { defaultQueryMemory } from './engine-config.js'
import { QueryGate } from './query-gate.js'
import { checkStatement } from './sql-guard.js'

export interface QueryLimits {
  maxExecutionSeconds: number
  maxResultRows: number
  /** Largest answer of one user query, in bytes (default 64 MiB). */
  maxResultBytes?: number
  /** Memory of one user query or job; 0 or absent: derived from the host (defaultQueryMemory). */
  maxMemoryBytes?: number
  /** Users' queries running at once (default 2); more wait in order. */
  concurrency?: number
}

/** Formats users' queries are answered in. */
export type UserFormat = 'JSON' | 'JSONEachRow' | 'CSVWithNames' | 'TabSeparatedWithNames'

/** Requests may wait for a session up to this many at a time (then: GateFull, 503). */
export const MAX_WAITING = 32

/** A statement users may not run, with the reason (sql-guard.ts). */
export class QueryRefused extends Error {
  readonly reason: 'syntax' | 'refused'
  constructor(message: string, reason: 'syntax' | 'refused', options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
  }
}

export type Setting = [name: string, value: string | number]

export function queryMemory(l: QueryLimits): number {
  return l.maxMemoryBytes ? l.maxMemoryBytes : defaultQueryMemory()
}

/** Settings of every read session: read-only last, so nothing can change them after. */
export function readSettings(l: QueryLimits): Setting[] {
  return [
    ['max_execution_time', l.maxExecutionSeconds],
    ['timeout_overflow_mode', 'throw'],
    ['max_result_rows', l.maxResultRows],
    ['max_result_bytes', l.maxResultBytes ?? 64 << 20],
    ['result_overflow_mode', 'throw'],
    ['max_memory_usage', queryMemory(l)],
    ['output_format_json_quote_64bit_integers', 0],
    ['readonly', 1],
  ]
}

/** The longest a scheduled job's query may run, seconds. */
export const JOB_SECONDS = 600

/**
 * Settings of the jobs' session: bounded memory and time, not read-only. A large
 * GROUP BY or ORDER BY (the summaries over millions of conversations) spills to disk
 * (data_dir/engine/tmp) past a quarter of the memory limit instead of failing.
 */
export function jobSettings(l: QueryLimits): Setting[] {
  const memory = queryMemory(l)
  return [
    ['max_memory_usage', memory],
    // The byte thresholds count only with the ratios off (checked with chdb 3.4).
    ['max_bytes_ratio_before_external_group_by', 0],
    ['max_bytes_before_external_group_by', Math.floor(memory / 4)],
    ['max_bytes_ratio_before_external_sort', 0],
    ['max_bytes_before_external_sort', Math.floor(memory / 4)],
    ['max_execution_time', JOB_SECONDS],
    ['timeout_overflow_mode', 'throw'],
    ['output_format_json_quote_64bit_integers', 0],
  ]
}

/** The same settings as sent with each request to a server. */
export function asRequestSettings(settings: Setting[]): ClickHouseSettings {
  return Object.fromEntries(settings.map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]))
}

/** Judge, then run, one user statement on `client`. */
export async function runUserQuery(
  client: ClickHouseClient,
  sql: string,
  format: UserFormat,
  settings: ClickHouseSettings,
): Promise<string> {
  const verdict = await checkStatement(client, sql, settings)
  if (!verdict.ok) throw new QueryRefused(verdict.message, verdict.reason, { cause: verdict.cause })
  const rs = await client.query({ query: sql, format, clickhouse_settings: settings })
  return rs.text()
}

/** Run work on one of a few sessions, in arrival order. */
export type SessionRunner = <T>(fn: (client: ClickHouseClient) => Promise<T>) => Promise<T>

/**
 * A pool of `size` sessions made by `open`. With `renew`, a session whose work failed is
 * closed and replaced by a new one before the next request gets it.
 */
export async function sessionPool(
  open: () => Promise<ClickHouseClient>,
  size: number,
  renew: boolean,
): Promise<{ run: SessionRunner; close(): Promise<void> }> {
  const clients: ClickHouseClient[] = []
  for (let i = 0; i < size; i++) clients.push(await open())
  const gate = new QueryGate(
    clients.map((_, i) => i),
    MAX_WAITING,
  )
  return {
    run: (fn) =>
      gate.run(async (i) => {
        const c = clients[i]
        if (!c) throw new Error(`no session ${i}`)
        try {
          return await fn(c)
        } catch (err) {
          if (renew) {
            clients[i] = await open()
            await c.close()
          }
          throw err
        }
      }),
    async close() {
      for (const c of clients) await c.close()
    },
  }
}
