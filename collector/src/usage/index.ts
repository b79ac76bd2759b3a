// Usage and data caps (usage.*, docs/usage.md): bytes in and out per device and in
// total over today, this week, the current and the previous billing cycle, from the
// per-hour rollup, and where each configured cap stands. Read on a node-cron schedule
// (usage.check_schedule) for /metrics, by /api/usage/cycle
// on demand, and by the alert rules (alerts/usage-cap.ts) on theirs.
import cron, { type ScheduledTask } from 'node-cron'
import type { SessionRunner } from '../clickhouse/read-sessions.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import type { UsageConfig } from './config.js'
import { usageMetrics } from './metrics.js'
import { onSession, type Reader } from './reader.js'
import { readUsage, type UsageReport } from './report.js'

export type { UsageConfig, CapSpec, CapKind } from './config.js'
export type { CapState, CapLevel } from './caps.js'
export type { UsageReport, DeviceUsage } from './report.js'
export type { Reader } from './reader.js'
export { CAP_LEVELS } from './caps.js'
export { CAP_KINDS } from './config.js'
export { PERIODS, periodsAt, type Period, type Periods, type Span } from './periods.js'
export { readUsage } from './report.js'

export interface UsageDeps {
  /** The jobs' session (engine.jobs). */
  run: SessionRunner
  log: Logger
  metrics: Registry
  /** enrich.host_aliases: names of addresses beside the flows' own. */
  aliases?: Readonly<Record<string, string>>
}

export interface Usage {
  readonly config: UsageConfig
  /** Schedule the reads for /metrics. */
  start(): void
  stop(): Promise<void>
  /**
   * Read usage as of `now` (unix seconds, default the clock) on `read` (default the jobs'
   * session, whose reads /metrics shows).
   */
  read(now?: number, read?: Reader): Promise<UsageReport>
}

export function createUsage(config: UsageConfig, d: UsageDeps): Usage {
  const log = d.log.child({ component: 'usage' })
  let latest: UsageReport | undefined
  const m = usageMetrics(d.metrics, config.metricsMaxDevices, () => latest)
  const jobs = onSession(d.run)
  let task: ScheduledTask | undefined
  let running: Promise<unknown> | undefined

  const read = async (now = Math.floor(Date.now() / 1000), on = jobs): Promise<UsageReport> => {
    try {
      const r = await readUsage(on, config, d.aliases ?? {}, now)
      m.reads.inc({ result: 'ok' })
      // /metrics shows the latest of the schedule's and the alert rules' reads (not the
      // API's, whose `at` may be any time).
      if (on === jobs && (latest === undefined || r.now >= latest.now)) latest = r
      return r
    } catch (err) {
      m.reads.inc({ result: 'failed' })
      throw err
    }
  }

  return {
    config,
    start() {
      const tick = (): void => {
        if (running) return
        running = read()
          .catch((err: unknown) =>
            log.error('usage: reading the caps failed', { error: (err as Error).message }),
          )
          .finally(() => (running = undefined))
      }
      task = cron.schedule(config.schedule, tick, { name: 'usage', noOverlap: true })
      tick()
    },
    async stop() {
      await task?.destroy()
      await running
    },
    read,
  }
}
