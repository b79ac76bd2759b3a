// Why an insert failed, named for logs and metric labels: ClickHouse's error name, the
// errno name of a failed file operation (IoError), or UNKNOWN.
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

/** What to call an error in a log line or a label: ClickHouse's name, an errno name, UNKNOWN. */
export function errorCode(err: unknown): string {
  if (err instanceof IoError) return err.code
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
  const name = names.at(-1)?.[1] ?? `CODE_${code}`
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
