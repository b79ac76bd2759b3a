// Alerts on what is new or unusual (alerts.*): on a node-cron schedule, on the jobs'
// session of the main thread, three rules read the rollups:
//   new_destination  a device talked to a country or AS it never used (destinations.ts)
//   device_volume    a device moved more than alerts.device_bytes_per_hour in an hour
//   device_unusual   a device moved far more than usual for the hour (unusual.ts)
//   exporter_silent  an exporter sent nothing for alerts.exporter_silence_minutes
//   usage_cap        the devices of a data cap used 80%, then 100% of it in the billing
//                    cycle (usage-cap.ts; the caps are usage.*)
// An alert is logged, recorded in flowloft.alerts (served by /api/alerts), counted on
// /metrics and queued for the webhook (webhook.ts), which never holds up a run. A lasting
// condition (volume, silence) raises one alert until it ends; a new destination is
// learned, so it alerts once.
import cron, { type ScheduledTask } from 'node-cron'
import type { SessionRunner } from '../clickhouse/read-sessions.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import type { UsageReport } from '../usage/index.js'
import { newAlert, type Alert, type AlertKind, type Delivery, type Raised } from './alert.js'
import type { AlertsConfig } from './config.js'
import { lastLearned } from './destinations-sql.js'
import { newDestinations } from './destinations.js'
import { alertMetrics } from './metrics.js'
import { silentExporters } from './silence.js'
import { createAlertStore } from './store.js'
import { capsNotKnown, capsOverLevels } from './usage-cap.js'
import { devicesOverUsual } from './unusual.js'
import { devicesOverVolume } from './volume.js'
import { createWebhook, type Webhook } from './webhook.js'

export type { AlertsConfig } from './config.js'
export type { Alert, AlertKind } from './alert.js'
export { ALERT_KINDS } from './alert.js'
export { listAlerts, type AlertQuery } from './store.js'

/** Each run re-reads this much before the previous run's end (rows stored late). */
const OVERLAP_SECONDS = 600
/** The per-minute rollup keeps 7 days; a longer gap is read from its last 6. */
const MAX_WINDOW_SECONDS = 6 * 86_400

export interface AlertsDeps {
  /** The jobs' session (engine.jobs). */
  run: SessionRunner
  log: Logger
  metrics: Registry
  /** The webhook's first retry delay (default 1 s). */
  retryDelayMs?: number
  /** Usage as of a time, with its caps (usage/): the usage_cap rule runs when given. */
  usage?: (now: number) => Promise<UsageReport>
}

export interface Alerts {
  readonly config: AlertsConfig
  /** Schedule the rules (nothing when alerts.enabled is false). */
  start(): void
  /** Unschedule, finish the run in progress, end the webhook's retries. */
  stop(): Promise<void>
  /**
   * Run every rule now (what the schedule runs), as of `now` (unix seconds, default the
   * clock): the alerts raised, or undefined when a run was already going.
   */
  runNow(now?: number): Promise<Alert[] | undefined>
  /** Resolves once every queued webhook delivery and its record are done. */
  idle(): Promise<void>
}

const minute = (t: number): number => Math.floor(t / 60) * 60

export function createAlerts(config: AlertsConfig, d: AlertsDeps): Alerts {
  const m = alertMetrics(d.metrics)
  const log = d.log.child({ component: 'alerts' })
  const store = createAlertStore(d.run)
  // A record that fails is logged; the alert is still logged, counted and sent.
  const record = (a: Alert): Promise<void> =>
    store
      .save(a)
      .catch((err: unknown) =>
        log.error('alerts: recording an alert failed', { id: a.id, error: (err as Error).message }),
      )
  const saving = new Set<Promise<void>>()
  const save = (a: Alert): void => {
    const p = record(a).finally(() => saving.delete(p))
    saving.add(p)
  }
  const webhook: Webhook | undefined =
    config.webhook.url === ''
      ? undefined
      : createWebhook({
          webhook: config.webhook,
          maxPerHour: config.maxPerHour,
          ...(d.retryDelayMs === undefined ? {} : { retryDelayMs: d.retryDelayMs }),
          log,
          metrics: m,
          settled(a: Alert, delivery: Delivery) {
            a.delivery = delivery
            save(a)
          },
        })
  let open: Map<string, Alert> | undefined
  let lastTo: number | undefined
  let task: ScheduledTask | undefined
  let running: Promise<Alert[] | undefined> | undefined

  const raise = async (r: Raised, now: number): Promise<Alert> => {
    const a = newAlert(r, now)
    a.delivery = webhook ? 'pending' : 'none'
    m.raised.inc({ kind: a.kind })
    log.warn(`alert: ${a.title}`, { kind: a.kind, subject: a.subject, message: a.message })
    await record(a)
    webhook?.send(a)
    return a
  }

  /**
   * Raise what is new among a lasting condition's current cases, resolve what ended;
   * `unknown`: event keys whose condition cannot be judged now (kept as they are).
   */
  const lasting = async (
    kind: AlertKind,
    current: Raised[],
    now: number,
    opened: Map<string, Alert>,
    unknown: readonly string[] = [],
  ): Promise<Alert[]> => {
    const out: Alert[] = []
    const keys = new Set(
      [...current.map((r) => r.event_key), ...unknown].map((k) => `${kind}:${k}`),
    )
    for (const r of current) {
      const key = `${kind}:${r.event_key}`
      if (!opened.has(key)) {
        const a = await raise(r, now)
        opened.set(key, a)
        out.push(a)
      }
    }
    for (const [key, a] of opened) {
      if (a.kind !== kind || keys.has(key)) continue
      opened.delete(key)
      a.resolved_at = now
      m.resolved.inc({ kind })
      log.info(`alert resolved: ${a.title}`, { kind, subject: a.subject, id: a.id })
      save(a)
    }
    return out
  }

  const window = async (now: number): Promise<{ from: number; to: number; firstRun: boolean }> => {
    const to = now
    if (lastTo !== undefined)
      return {
        from: minute(Math.max(lastTo - OVERLAP_SECONDS, to - MAX_WINDOW_SECONDS)),
        to,
        firstRun: false,
      }
    const last = await d.run(lastLearned)
    const from =
      last > 0
        ? minute(Math.max(last - OVERLAP_SECONDS, to - MAX_WINDOW_SECONDS))
        : Math.floor((to - OVERLAP_SECONDS) / 3600) * 3600
    return { from, to, firstRun: true }
  }

  const rules = async (now: number): Promise<Alert[]> => {
    const out: Alert[] = []
    let failed = 0
    const rule = async (name: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn()
      } catch (err) {
        failed++
        log.error(`alerts: the ${name} rule failed`, { error: (err as Error).message })
      }
    }
    await rule('new_destination', async () => {
      const w = await window(now)
      const r = await d.run((c) => newDestinations(c, config, w))
      lastTo = w.to
      m.quieted.inc({ reason: 'learning' }, r.quieted.learning)
      m.quieted.inc({ reason: 'allowed' }, r.quieted.allowed)
      for (const x of r.raised) out.push(await raise(x, now))
    })
    const opened = (open ??= await store.open().catch((err: unknown) => {
      log.error('alerts: reading open alerts failed', { error: (err as Error).message })
      return undefined
    }))
    if (opened === undefined) failed++
    else {
      await rule('device_volume', async () => {
        const current = await d.run((c) =>
          devicesOverVolume(c, config.deviceBytesPerHour, minute(now)),
        )
        out.push(...(await lasting('device_volume', current, now, opened)))
      })
      await rule('device_unusual', async () => {
        const current = await d.run((c) =>
          devicesOverUsual(
            c,
            { factor: config.unusualFactor, minBytes: config.unusualMinBytes },
            minute(now),
          ),
        )
        out.push(...(await lasting('device_unusual', current, now, opened)))
      })
      await rule('exporter_silent', async () => {
        const current = await d.run((c) => silentExporters(c, config.exporterSilenceMinutes, now))
        out.push(...(await lasting('exporter_silent', current, now, opened)))
      })
      const usage = d.usage
      if (usage)
        await rule('usage_cap', async () => {
          const report = await usage(now)
          const current = capsOverLevels(report)
          out.push(...(await lasting('usage_cap', current, now, opened, capsNotKnown(report))))
        })
    }
    m.runs.inc({ result: failed === 0 ? 'ok' : 'failed' })
    return out
  }

  const runNow = (now = Math.floor(Date.now() / 1000)): Promise<Alert[] | undefined> => {
    if (running) {
      m.runs.inc({ result: 'skipped' })
      return Promise.resolve(undefined)
    }
    const p = rules(now).finally(() => (running = undefined))
    running = p
    return p
  }

  return {
    config,
    start() {
      if (!config.enabled) return
      task = cron.schedule(config.schedule, () => void runNow(), {
        name: 'alerts',
        noOverlap: true,
      })
    },
    async stop() {
      await task?.destroy()
      await running
      await webhook?.stop()
      await Promise.all([...saving])
    },
    runNow,
    async idle() {
      await webhook?.idle()
      while (saving.size > 0) await Promise.all([...saving])
    },
  }
}
