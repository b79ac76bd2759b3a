// Maps ClickHouse errors to HTTP answers that say what went wrong.
import type { ClickHouseError } from '@clickhouse/client'

const READONLY = 164
const TIMEOUT_EXCEEDED = 159
const TOO_SLOW = 160
const TOO_MANY_ROWS_OR_BYTES = 396
const MEMORY_LIMIT_EXCEEDED = 241
const ACCESS_DENIED = 497

export function isClickHouseError(err: unknown): err is ClickHouseError {
  return err instanceof Error && 'code' in err && 'type' in err
}

export function statusForClickHouse(err: ClickHouseError): 400 | 403 | 408 | 413 {
  const code = Number(err.code)
  if (code === READONLY || code === ACCESS_DENIED) return 403
  if (code === TIMEOUT_EXCEEDED || code === TOO_SLOW) return 408
  if (code === TOO_MANY_ROWS_OR_BYTES || code === MEMORY_LIMIT_EXCEEDED) return 413
  return 400
}

/** The formats the API appends to users' queries (a user's own FORMAT clause is refused). */
const APPENDED_FORMAT = /\s+FORMAT\s+(?:JSON|JSONEachRow|CSVWithNames|TabSeparatedWithNames)\b/g

/**
 * ClickHouse's message as the user should read it: without the FORMAT clause the client
 * appended to their query (a server quotes the query it ran) and without trailing blanks.
 */
export function userMessage(message: string): string {
  return message.replace(APPENDED_FORMAT, '').trimEnd()
}
