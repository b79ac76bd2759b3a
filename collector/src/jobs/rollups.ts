// The rollup job (clickhouse/rollup-schedule.ts): rolls what is due at start and every
// ten minutes after (an hour is rolled within ten minutes of its end plus the settle
// time). A failed roll is logged and counted, and tried again at the next run; until
// then the API reads the newer times from the level below, so nothing shows missing.
// A cluster runs no job: its views feed every row (schema/0011_scheduled_rollups.sql).
// With clickhouse.scheduled_rollups false (several collectors on one server, whose
// inserts one collector's hold cannot stop) the job rolls what is left, the current hour
// and day too, then moves every mark to NOT_ROLLED, so the views feed every row there
// too (tried again at each run until done), and rolls no more.
import cron, { type ScheduledTask } from 'node-cron'
import { rollDue, stopRolling, type Rolled } from '../clickhouse/rollup-schedule.js'
import type { SessionRunner } from '../clickhouse/read-sessions.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'

const SCHEDULE = '*/10 * * * *'

/** Rows of an hour still held by the writer (its quiet window) are in by then. */
export const SETTLE_SECONDS = 120

export interface RollupJobOptions {
  run: SessionRunner
  /** The flows writer's hold (Writer.exclusive). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T | undefined>
  /** A cluster's name: no job there. */
  cluster: string
  /** clickhouse.scheduled_rollups. */
  scheduled: boolean
  log: Logger
  metrics: Registry
  now?: () => number
}

export interface RollupJob {
  start(): void
  /** One run now (what the schedule runs); the ranges inserted. */
  runOnce(): Promise<Rolled[]>
  stop(): Promise<void>
}

export function createRollupJob(o: RollupJobOptions): RollupJob {
  const runs = o.metrics.counter(
    'flowloft_rollup_runs_total',
    'Runs of the rollup job (hours and days rolled from the level below), by result',
    ['result'],
  )
  const ranges = o.metrics.counter(
    'flowloft_rollup_ranges_total',
    'Ranges (up to a day each) the rollup job inserted, by target table',
    ['target'],
  )
  const now = o.now ?? ((): number => Math.floor(Date.now() / 1000))
  let task: ScheduledTask | undefined
  let running: Promise<Rolled[]> | undefined

  /** Rolling turned off in the database (clickhouse.scheduled_rollups false). */
  let off = false
  const turnOff = async (): Promise<void> => {
    off = await o.run((c) => stopRolling(c, { now: now(), exclusive: o.exclusive }))
    if (off) o.log.info('rollups: scheduled rollups off, the views feed every row')
  }
  const once = async (): Promise<Rolled[]> => {
    try {
      if (!o.scheduled) {
        if (!off) await turnOff()
        runs.inc({ result: 'ok' })
        return []
      }
      const done = await o.run((c) =>
        rollDue(c, { now: now(), settleSeconds: SETTLE_SECONDS, exclusive: o.exclusive }),
      )
      for (const r of done) ranges.inc({ target: r.target })
      runs.inc({ result: 'ok' })
      return done
    } catch (err) {
      runs.inc({ result: 'error' })
      o.log.error('rollups: roll failed, will retry', { error: (err as Error).message })
      return []
    }
  }
  const runOnce = (): Promise<Rolled[]> => {
    running ??= once().finally(() => {
      running = undefined
    })
    return running
  }

  return {
    runOnce,
    start() {
      if (o.cluster !== '') return
      void runOnce()
      task = cron.schedule(SCHEDULE, () => runOnce(), { name: 'rollups', noOverlap: true })
    },
    async stop() {
      await task?.destroy()
      await running
    },
  }
}
