// Conversation summaries: for each configured window, a node-cron job at the window's
// boundary writes the top conversations of every exporter over the window just ended to
// data_dir/summaries/summaries.log (rotated by size) and keeps the latest in memory for
// GET /api/summaries. Runs go one at a time through one queue on the main thread (the
// embedded engine's rule); a window that fires while its previous run is still queued or
// running is skipped and counted. At start the latest summaries are read back from the
// log and windows whose last boundary is missing from it are run once (catch-up).
import { join } from 'node:path'
import cron, { type ScheduledTask } from 'node-cron'
import type { SessionRunner } from '../clickhouse/read-sessions.js'
import { createRotatingFile } from '../logfile/rotating-file.js'
import { rateLimited, type Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { lastBoundary, windowSchedule, windowStart, type SummariesConfig } from './config.js'
import { summarizeWindow, type WindowSummary } from './conversations.js'
import { readLatest, summaryLines } from './log-lines.js'

export type { SummariesConfig, WindowSummary }
export type { Conversation, ExporterSummary } from './conversations.js'

/** Seconds after a boundary a window runs, so flows received just before it are stored. */
export const RUN_DELAY_SECONDS = 15
const MAX_QUEUE_BYTES = 64 << 20

export function summariesPath(dataDir: string): string {
  return join(dataDir, 'summaries', 'summaries.log')
}

export interface SummariesDeps {
  /** Runs the summaries' queries on the jobs' session (engine.jobs). */
  run: SessionRunner
  dataDir: string
  log: Logger
  metrics: Registry
}

export interface Summaries {
  readonly config: SummariesConfig
  /**
   * Schedule the windows, read the log back, catch up missed boundaries (queued);
   * resolves once the log has been read back. Never rejects.
   */
  start(): Promise<void>
  /** Unschedule, finish the run in progress, drop queued ones, write the log out. */
  stop(): Promise<void>
  /**
   * Run one window now through the same queue as the schedule (also used by the
   * start-up catch-up): the window ending at `to` (unix seconds; default its latest
   * boundary). Undefined when skipped (already queued or running, or stopping) or failed.
   */
  runNow(minutes: number, to?: number): Promise<WindowSummary | undefined>
  /** The latest summary of a window, from memory. */
  latest(minutes: number): WindowSummary | undefined
}

export function createSummaries(config: SummariesConfig, d: SummariesDeps): Summaries {
  const runs = d.metrics.counter(
    'flowloft_summaries_runs_total',
    'Summary runs by window and result (ok, failed)',
    ['window_minutes', 'result'],
  )
  const skipped = d.metrics.counter(
    'flowloft_summaries_skipped_total',
    'Summary runs skipped because the previous run of the same window was still queued or running',
    ['window_minutes'],
  )
  const written = d.metrics.counter(
    'flowloft_summaries_conversations_total',
    'Conversations written to the summaries log, by outcome (written, dropped: log queue full)',
    ['result'],
  )
  const duration = d.metrics.histogram(
    'flowloft_summaries_run_duration_seconds',
    'Time to compute one window summary',
    ['window_minutes'],
  )
  const fullRankings = d.metrics.counter(
    'flowloft_summaries_full_rankings_total',
    'Summary runs that ranked every conversation of the window, because the cheap ranking of candidates could not prove its top',
    ['window_minutes'],
  )
  const warn = rateLimited(d.log, 60_000)
  const path = summariesPath(d.dataDir)
  const file = createRotatingFile({
    path,
    maxBytes: config.maxBytes,
    files: config.files,
    maxQueueBytes: MAX_QUEUE_BYTES,
    onError: (err) =>
      warn('summaries-write', 'summaries: log write failed', { error: err.message }),
  })
  const latest = new Map<number, WindowSummary>()
  const pending = new Set<number>()
  const tasks: ScheduledTask[] = []
  let chain: Promise<unknown> = Promise.resolve()
  let stopped = false

  const keep = (s: WindowSummary): void => {
    const cur = latest.get(s.window_minutes)
    if (!cur || cur.to <= s.to) latest.set(s.window_minutes, s)
  }

  const run = async (minutes: number, to: number): Promise<WindowSummary | undefined> => {
    const labels = { window_minutes: String(minutes) }
    const t0 = performance.now()
    try {
      const s = await d.run((c) =>
        summarizeWindow(c, minutes, to, config.top, {
          from: windowStart(minutes, to),
          onFullRanking: () => fullRankings.inc(labels),
        }),
      )
      duration.observe(labels, (performance.now() - t0) / 1000)
      runs.inc({ ...labels, result: 'ok' })
      keep(s)
      const n = s.exporters.reduce((k, e) => k + e.conversations.length, 0)
      if (n > 0)
        written.inc({ result: file.write(Buffer.from(summaryLines(s))) ? 'written' : 'dropped' }, n)
      return s
    } catch (err) {
      runs.inc({ ...labels, result: 'failed' })
      warn(`summaries-${minutes}`, 'summaries: run failed', {
        window_minutes: minutes,
        error: (err as Error).message,
      })
      return undefined
    }
  }

  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const next = chain.then(job)
    chain = next.catch(() => undefined)
    return next
  }

  const runNow = (minutes: number, to?: number): Promise<WindowSummary | undefined> => {
    if (stopped) return Promise.resolve(undefined)
    if (pending.has(minutes)) {
      skipped.inc({ window_minutes: String(minutes) })
      warn(`summaries-skip-${minutes}`, 'summaries: previous run still going, skipped', {
        window_minutes: minutes,
      })
      return Promise.resolve(undefined)
    }
    pending.add(minutes)
    const end = to ?? lastBoundary(minutes, Date.now())
    return enqueue(async () => (stopped ? undefined : run(minutes, end))).finally(() =>
      pending.delete(minutes),
    )
  }

  const restoreAndCatchUp = async (): Promise<void> => {
    const restored = await enqueue(() => readLatest(path, config.files, config.windowsMinutes))
    for (const s of restored.values()) keep(s)
    for (const w of config.windowsMinutes) {
      const due = lastBoundary(w, Date.now())
      if ((latest.get(w)?.to ?? 0) < due) void runNow(w, due)
    }
  }

  return {
    config,
    async start() {
      if (!config.enabled) return
      for (const w of config.windowsMinutes)
        tasks.push(
          cron.schedule(windowSchedule(w, RUN_DELAY_SECONDS), () => void runNow(w), {
            name: `summaries-${w}m`,
          }),
        )
      await restoreAndCatchUp().catch((err: unknown) =>
        warn('summaries-restore', 'summaries: reading the log back failed', {
          error: (err as Error).message,
        }),
      )
    },
    async stop() {
      stopped = true
      for (const t of tasks.splice(0)) await t.destroy()
      await chain
      await file.close()
    },
    runNow,
    latest: (minutes) => latest.get(minutes),
  }
}
