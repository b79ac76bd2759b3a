// Sends alerts to the webhook, one request at a time, off the rules' path: a bounded
// queue (full: the alert is dropped and counted), a rate limit (alerts.max_per_hour in
// any hour; over it an alert is recorded but not sent, and the next one sent says how
// many were held back), and bounded retries of a failed request (network error, timeout,
// 429 or 5xx; 1 s apart, doubling, up to 60 s). Other answers fail at once. Each outcome
// is counted and reported through `settled`. A user and password in the URL are sent as
// HTTP basic authentication (fetch refuses URLs that hold them).
import type { Logger } from '../observability/log.js'
import { rateLimited } from '../observability/log.js'
import type { Alert, Delivery } from './alert.js'
import type { AlertsConfig } from './config.js'
import type { AlertMetrics } from './metrics.js'
import { webhookRequest } from './webhook-body.js'

const QUEUE = 256
const TIMEOUT_MS = 10_000
const MAX_DELAY_MS = 60_000

export interface WebhookOptions {
  webhook: AlertsConfig['webhook']
  maxPerHour: number
  /** First retry's delay (default 1 s), doubling after each failure. */
  retryDelayMs?: number
  /** Milliseconds since the epoch, for the rate limit's hour (default the clock). */
  clock?: () => number
  log: Logger
  metrics: AlertMetrics
  /** The alert's delivery once known (sent, failed, rate_limited, dropped). */
  settled(a: Alert, d: Delivery): void
}

export interface Webhook {
  /** Queue an alert; returns at once. */
  send(a: Alert): void
  /** Resolves when the queue is empty. */
  idle(): Promise<void>
  /**
   * Stop taking alerts, end retry waits and drop the alerts not tried yet (counted); the
   * request in flight finishes.
   */
  stop(): Promise<void>
}

/** The URL without its user and password, and those as a basic authorization header. */
export function splitCredentials(url: string): { url: string; basic?: string } {
  const u = new URL(url)
  if (u.username === '' && u.password === '') return { url }
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`
  u.username = ''
  u.password = ''
  return { url: u.toString(), basic: `Basic ${Buffer.from(pair).toString('base64')}` }
}

export function createWebhook(o: WebhookOptions): Webhook {
  const target = splitCredentials(o.webhook.url)
  const warn = rateLimited(o.log, 60_000)
  const queue: Alert[] = []
  const sentAt: number[] = []
  let heldBack = 0
  let working: Promise<void> | undefined
  let stopped = false
  let wake: (() => void) | undefined
  const firstDelay = o.retryDelayMs ?? 1000

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(t)
        resolve()
      }
    })

  /** One request: 'ok', or why it failed and whether to try again. */
  const attempt = async (a: Alert, note: string): Promise<'ok' | 'retry' | 'refused'> => {
    const msg = note === '' ? a : { ...a, message: `${a.message}\n${note}` }
    const req = webhookRequest(msg, o.webhook.format, o.webhook.token)
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers:
          target.basic === undefined || 'authorization' in req.headers
            ? req.headers
            : { ...req.headers, authorization: target.basic },
        body: req.body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
      await res.arrayBuffer().catch(() => undefined)
      if (res.ok) {
        o.metrics.requests.inc({ result: 'ok' })
        return 'ok'
      }
      const retry = res.status === 429 || res.status >= 500
      o.metrics.requests.inc({ result: retry ? 'failed' : 'refused' })
      warn(`webhook-${res.status}`, 'alerts: webhook answered with an error', {
        status: res.status,
        alert: a.id,
      })
      return retry ? 'retry' : 'refused'
    } catch (err) {
      o.metrics.requests.inc({ result: 'failed' })
      warn('webhook-error', 'alerts: webhook request failed', {
        error: (err as Error).message,
        alert: a.id,
      })
      return 'retry'
    }
  }

  const deliver = async (a: Alert): Promise<Delivery> => {
    const now = (o.clock ?? Date.now)()
    while (sentAt.length > 0 && (sentAt[0] ?? 0) <= now - 3_600_000) sentAt.shift()
    if (sentAt.length >= o.maxPerHour) {
      heldBack++
      return 'rate_limited'
    }
    sentAt.push(now)
    const note =
      heldBack === 0
        ? ''
        : `(${heldBack} earlier alert${heldBack === 1 ? ' was' : 's were'} not sent: over alerts.max_per_hour; see /api/alerts)`
    let delay = firstDelay
    for (let k = 0; ; k++) {
      const r = await attempt(a, note)
      if (r === 'ok') {
        heldBack = 0
        return 'sent'
      }
      if (r === 'refused' || k >= o.webhook.retries || stopped) return 'failed'
      o.metrics.retries.inc()
      await sleep(delay)
      delay = Math.min(delay * 2, MAX_DELAY_MS)
    }
  }

  const work = async (): Promise<void> => {
    for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
      // Once stopping, what has not been tried is dropped rather than held up.
      const d = stopped ? 'dropped' : await deliver(a)
      o.metrics.deliveries.inc({ result: d })
      o.settled(a, d)
    }
    working = undefined
  }

  return {
    send(a) {
      if (stopped || queue.length >= QUEUE) {
        o.metrics.deliveries.inc({ result: 'dropped' })
        warn('webhook-full', 'alerts: webhook queue full, alert not sent', { alert: a.id })
        o.settled(a, 'dropped')
        return
      }
      queue.push(a)
      working ??= work()
    },
    async idle() {
      while (working) await working
    },
    async stop() {
      stopped = true
      wake?.()
      while (working) {
        wake?.()
        await working
      }
    },
  }
}
