// One-line JSON logs on stderr, with levels, and a rate limiter for hot-path
// complaints that says how many lines it muted.
export type Level = 'debug' | 'info' | 'warn' | 'error'
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export function createLogger(
  level: Level = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const emit = (lv: Level, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lv] < RANK[level]) return
    write(JSON.stringify({ time: new Date().toISOString(), level: lv, msg, ...base, ...fields }))
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(level, { ...base, ...f }, write),
  }
}

/** Lets through one line per key per interval and reports how many it muted. */
export function rateLimited(log: Logger, intervalMs = 10_000) {
  const state = new Map<string, { last: number; muted: number }>()
  return (key: string, msg: string, fields?: Record<string, unknown>): void => {
    const now = Date.now()
    const s = state.get(key)
    if (s && now - s.last < intervalMs) {
      s.muted++
      return
    }
    log.warn(msg, s && s.muted > 0 ? { ...fields, muted: s.muted } : fields)
    state.set(key, { last: now, muted: 0 })
  }
}
