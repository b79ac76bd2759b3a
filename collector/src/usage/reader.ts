// How usage reads ClickHouse: rows of one query, on whichever session the caller owns
// (the API's read sessions, the jobs' session for the schedule and the alerts).
import type { SessionRunner } from '../clickhouse/read-sessions.js'

export type Reader = <T>(q: {
  query: string
  query_params: Record<string, unknown>
}) => Promise<T[]>

/** A Reader on a session runner (engine.jobs). */
export const onSession =
  (run: SessionRunner): Reader =>
  <T>(q: { query: string; query_params: Record<string, unknown> }) =>
    run(async (c) => (await c.query({ ...q, format: 'JSONEachRow' })).json<T>())
