// Statements the collector can live without (a server's system log TTL, a partition drop
// for the disk limit): when ClickHouse refuses one, ingestion goes on. The refusal is
// logged once per statement and target, with the grant the server says it needs, and
// counted; the statement is tried again later.
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { errorCode, errorSummary } from './insert-errors.js'

export interface OptionalStatements {
  /**
   * Run `fn`; on a refusal, log it (once), count it and keep `fn` to retry every
   * retryMs. Never throws; true when it ran.
   */
  run(statement: string, target: string, fn: () => Promise<void>): Promise<boolean>
  /** A refusal its caller retries itself (a scheduled job): logged once and counted. */
  refused(statement: string, target: string, err: unknown): void
  /** Statements refused and waiting for their retry, as `statement target`. */
  waiting(): string[]
  start(): void
  stop(): void
}

export interface OptionalOptions {
  log: Logger
  metrics: Registry
  /** How often refused statements are tried again (default 1 h). */
  retryMs?: number
}

/** The grant a refusal names (`... necessary to have the grant X ON y.z`), if it does. */
export function grantNeeded(err: unknown): string | undefined {
  const msg = err instanceof Error ? err.message : String(err)
  return /necessary to have the grant (.+?)(?:\.\s*\(ACCESS_DENIED\)|\.?\s*$)/m.exec(msg)?.[1]
}

export function createOptionalStatements(o: OptionalOptions): OptionalStatements {
  const counter = o.metrics.counter(
    'flowloft_clickhouse_optional_refused_total',
    'Optional statements ClickHouse refused (ingestion went on), by statement; they are retried',
    ['statement'],
  )
  const logged = new Set<string>()
  const retries = new Map<string, () => Promise<void>>()
  let timer: NodeJS.Timeout | undefined

  const refused = (statement: string, target: string, err: unknown): void => {
    counter.inc({ statement })
    const key = `${statement} ${target}`
    if (logged.has(key)) return
    logged.add(key)
    o.log.warn('clickhouse refused an optional statement; ingestion goes on, it is retried', {
      statement,
      target,
      code: errorCode(err),
      grant: grantNeeded(err) ?? 'unknown (see error)',
      error: errorSummary(err),
    })
  }

  const run = async (
    statement: string,
    target: string,
    fn: () => Promise<void>,
  ): Promise<boolean> => {
    const key = `${statement} ${target}`
    try {
      await fn()
    } catch (err) {
      refused(statement, target, err)
      retries.set(key, fn)
      return false
    }
    if (retries.delete(key))
      o.log.info('clickhouse took an optional statement it refused before', { statement, target })
    logged.delete(key)
    return true
  }

  return {
    run,
    refused,
    waiting: () => [...retries.keys()],
    start() {
      timer = setInterval(() => {
        for (const [key, fn] of retries) {
          const [statement = '', ...rest] = key.split(' ')
          void run(statement, rest.join(' '), fn)
        }
      }, o.retryMs ?? 3_600_000)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
    },
  }
}
