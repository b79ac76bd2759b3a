// The API's own reads: on the read sessions (read-only, time-limited), JSON rows out,
// ClickHouse errors turned into HTTP answers.
import { HTTPException } from 'hono/http-exception'
import type { Engine } from '../clickhouse/engine.js'
import { isClickHouseError, statusForClickHouse } from './errors.js'

export async function readRows<T>(
  engine: Engine,
  q: { query: string; query_params: Record<string, unknown> },
): Promise<T[]> {
  try {
    return await engine.read<T>(q)
  } catch (err) {
    if (isClickHouseError(err))
      throw new HTTPException(statusForClickHouse(err), { message: err.message, cause: err })
    throw err
  }
}
