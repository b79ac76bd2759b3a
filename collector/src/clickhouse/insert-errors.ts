// Why an insert failed, and whether trying again can help. ClickHouse refuses some rows
// for what they hold (a value it cannot parse, a body cut short, a column the table
// lacks): the same bytes are refused on every attempt, so such a batch is set aside
// (spool-quarantine.ts) instead of blocking every batch behind it. Everything else (the
// network, timeouts, memory limits, too many parts, a read-only or detached table, a full
// disk, no file descriptors left) is transient: the batch waits and is tried again.
//
// Refusals an operator fixes without touching the rows are transient too, so the rows are
// kept (in the spool, within writer.spool_max_bytes) and go in once it is fixed:
// ACCESS_DENIED and AUTHENTICATION_FAILED (a grant or password to correct), READONLY,
// UNKNOWN_DATABASE, UNKNOWN_TABLE, NO_SUCH_COLUMN_IN_TABLE and UNKNOWN_IDENTIFIER (a
// schema behind the collector's: `flowloft migrate`). Meanwhile the failed inserts are
// counted, logged (rate-limited) and /readyz reports the writer stalled.
//
// ClickHouse's error codes (src/Common/ErrorCodes.cpp; each name checked against the
// engine's errorCodeToName() in writer-rejected.test.ts) that name the rows' content.
// CORRUPTED_DATA and CHECKSUM_DOESNT_MATCH are left out: ClickHouse also raises them for
// its own parts and for network compression.
export const CONTENT_ERRORS: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [7, 'INCORRECT_NUMBER_OF_COLUMNS'],
  [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [32, 'ATTEMPT_TO_READ_AFTER_EOF'],
  [33, 'CANNOT_READ_ALL_DATA'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [53, 'TYPE_MISMATCH'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [108, 'NO_DATA_TO_INSERT'],
  [117, 'INCORRECT_DATA'],
  [128, 'TOO_LARGE_ARRAY_SIZE'],
  [130, 'CANNOT_READ_ARRAY_FROM_TEXT'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [376, 'CANNOT_PARSE_UUID'],
  [441, 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING'],
  [467, 'CANNOT_PARSE_BOOL'],
  [632, 'UNEXPECTED_DATA_AFTER_PARSED_VALUE'],
  [675, 'CANNOT_PARSE_IPV4'],
  [676, 'CANNOT_PARSE_IPV6'],
  [691, 'UNKNOWN_ELEMENT_OF_ENUM'],
])

/**
 * A file operation of the writer that failed; `code` is the errno name (ENOSPC, EMFILE),
 * or LOW_SPACE for a spool write refused to keep the disk's replay reserve free.
 */
export class IoError extends Error {
  readonly op: string
  readonly code: string
  constructor(op: string, cause: unknown, code = errnoCode(cause) ?? 'EUNKNOWN') {
    super(`${op}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'IoError'
    this.op = op
    this.code = code
  }
}

/** An insert tried before the server answered and took the schema: transient. */
export class NotReadyError extends Error {
  readonly code = 'CLICKHOUSE_NOT_READY'
  constructor(reason: string) {
    super(reason)
    this.name = 'NotReadyError'
  }
}

/** The table lacks a column the rows name: its schema is behind (transient), named like ClickHouse. */
export class SchemaError extends Error {
  readonly code = 'NO_SUCH_COLUMN_IN_TABLE'
  constructor(message: string) {
    super(message)
    this.name = 'SchemaError'
  }
}

/** Rows the collector refuses itself before ClickHouse sees them, named like ClickHouse. */
export class ContentError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ContentError'
    this.code = code
  }
}

export interface InsertFault {
  /** `content`: the same rows fail every time; `transient`: trying again may succeed. */
  kind: 'content' | 'transient'
  /** ClickHouse's error name, an errno name, or UNKNOWN. */
  code: string
}

export function classifyInsertError(err: unknown): InsertFault {
  if (err instanceof ContentError) return { kind: 'content', code: err.code }
  const content = CONTENT_ERRORS.get(clickhouseCode(err)?.code ?? -1)
  return content ? { kind: 'content', code: content } : { kind: 'transient', code: errorCode(err) }
}

/** What to call an error in a log line or a label: ClickHouse's name, an errno name, UNKNOWN. */
export function errorCode(err: unknown): string {
  if (
    err instanceof IoError ||
    err instanceof ContentError ||
    err instanceof NotReadyError ||
    err instanceof SchemaError
  )
    return err.code
  return clickhouseCode(err)?.name ?? errnoCode(err) ?? 'UNKNOWN'
}

/**
 * ClickHouse's code and name in an error: `code`/`type` of @clickhouse/client's
 * ClickHouseError, or parsed from `Code: N. DB::Exception: ... (NAME)` (chdb's errors
 * carry only that text). A wrapped error names the innermost one last.
 */
export function clickhouseCode(err: unknown): { code: number; name: string } | undefined {
  if (!(err instanceof Error)) return undefined
  const e = err as Error & { code?: unknown; type?: unknown }
  if (typeof e.code === 'string' && /^\d+$/.test(e.code) && typeof e.type === 'string') {
    return { code: Number(e.code), name: e.type }
  }
  const codes = [...err.message.matchAll(/Code: (\d+)\. DB::\w*Exception/g)]
  const last = codes.at(-1)?.[1]
  if (last === undefined) return undefined
  const code = Number(last)
  const names = [...err.message.matchAll(/\(([A-Z][A-Z0-9_]{2,})\)/g)]
  const name = CONTENT_ERRORS.get(code) ?? names.at(-1)?.[1] ?? `CODE_${code}`
  return { code, name }
}

/** The errno name of a Node system error (ENOSPC, EMFILE), if it is one. */
export function errnoCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined
  const code = (err as Error & { code?: unknown }).code
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined
}

/** An error's first line, at most 300 characters (ClickHouse's messages run on). */
export function errorSummary(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  const line = msg.split('\n', 1)[0] ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}...` : line
}
