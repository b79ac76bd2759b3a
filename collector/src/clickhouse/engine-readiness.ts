// A ClickHouse server that does not answer yet (or refuses the schema) does not stop
// start-up: the schema is applied in the background, retried with capped backoff, while
// the listeners receive, the writer spools (its inserts fail as transient until then)
// and /readyz says why the collector is not ready. The embedded engine has no such
// window: its failures stop start-up.
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { errorCode, errorSummary, NotReadyError } from './insert-errors.js'
import type { Engine } from './engine.js'

export interface EngineReadiness {
  /** Why the schema is not applied yet (the last attempt's error); undefined once it is. */
  reason(): string | undefined
  /** True once the schema is applied; false when stop() came first. */
  readonly ready: Promise<boolean>
  /** The engine for the writers: inserts fail, as transient, until the schema is applied. */
  gate(engine: Pick<Engine, 'insertRows'>): Pick<Engine, 'insertRows'>
  stop(): void
}

export interface ReadinessOptions {
  /** Applies the schema (migrations, TTLs, reader set-up); throws while it cannot. */
  prepare: () => Promise<void>
  /** Where the server is, for the log (no credentials). */
  where: string
  log: Logger
  metrics: Registry
  /** Longest wait between two attempts (default 30 s; the first retry waits 1 s). */
  maxBackoffMs?: number
  /** How long start-up waits for the first attempt before going on (default 5 s). */
  firstWaitMs?: number
}

const readyMetric = (metrics: Registry) =>
  metrics.gauge(
    'flowloft_clickhouse_ready',
    '1 once ClickHouse answered and the schema is applied; until then flows are spooled',
  )

/** An engine whose schema is applied already (the embedded engine, one-shot commands). */
export function alwaysReady(metrics: Registry): EngineReadiness {
  readyMetric(metrics).set({}, 1)
  return {
    reason: () => undefined,
    ready: Promise.resolve(true),
    gate: (engine) => engine,
    stop: () => undefined,
  }
}

/**
 * Try `prepare` now and keep trying in the background until it succeeds. Resolves when
 * the first attempt has succeeded or failed, or after `firstWaitMs`, whichever is first.
 */
export async function prepareWhenReachable(o: ReadinessOptions): Promise<EngineReadiness> {
  const readyGauge = readyMetric(o.metrics)
  const failures = o.metrics.counter(
    'flowloft_clickhouse_prepare_failures_total',
    'Attempts to reach ClickHouse and apply the schema that failed, by error',
    ['code'],
  )
  const maxBackoff = o.maxBackoffMs ?? 30_000
  let reason: string | undefined = `clickhouse at ${o.where}: no answer yet`
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let settle: (ok: boolean) => void = () => undefined
  const ready = new Promise<boolean>((r) => (settle = r))
  let backoff = 1000
  let attempts = 0
  let firstDone: () => void = () => undefined
  const first = new Promise<void>((r) => (firstDone = r))

  const attempt = async (): Promise<void> => {
    attempts++
    try {
      await o.prepare()
    } catch (err) {
      failures.inc({ code: errorCode(err) })
      reason = `clickhouse at ${o.where}: ${errorSummary(err)}`
      if (attempts === 1)
        o.log.warn('clickhouse: not ready; receiving and spooling flows until it answers', {
          reason,
          retry: `every ${maxBackoff / 1000} s at most`,
        })
      firstDone()
      if (stopped) return
      timer = setTimeout(() => void attempt(), backoff)
      timer.unref()
      backoff = Math.min(backoff * 2, maxBackoff)
      return
    }
    reason = undefined
    readyGauge.set({}, 1)
    if (attempts > 1) o.log.info('clickhouse: ready; spooled flows follow', { where: o.where })
    firstDone()
    settle(true)
  }

  readyGauge.set({}, 0)
  void attempt()
  await Promise.race([first, new Promise((r) => setTimeout(r, o.firstWaitMs ?? 5000).unref())])

  return {
    reason: () => reason,
    ready,
    gate: (engine) => ({
      insertRows: (req) =>
        reason === undefined ? engine.insertRows(req) : Promise.reject(new NotReadyError(reason)),
    }),
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      settle(false)
    },
  }
}
