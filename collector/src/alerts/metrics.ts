// The alerts' counters on /metrics.
import type { Registry } from '../observability/metrics.js'

export function alertMetrics(m: Registry) {
  return {
    raised: m.counter(
      'flowloft_alerts_raised_total',
      'Alerts raised, by kind (new_destination, device_volume, device_unusual, exporter_silent, usage_cap)',
      ['kind'],
    ),
    resolved: m.counter(
      'flowloft_alerts_resolved_total',
      'Lasting conditions that ended (a device back under its threshold, an exporter sending again, a billing cycle over), by kind',
      ['kind'],
    ),
    quieted: m.counter(
      'flowloft_alerts_quieted_total',
      "New destinations learned without an alert, by reason (learning: in the device's learning period; allowed: on an allow-list)",
      ['reason'],
    ),
    runs: m.counter(
      'flowloft_alerts_runs_total',
      'Runs of the alert rules, by result (ok, failed, skipped: the previous run was still going)',
      ['result'],
    ),
    deliveries: m.counter(
      'flowloft_alerts_webhook_deliveries_total',
      'Alerts handed to the webhook, by outcome (sent, failed: after its retries, rate_limited: over alerts.max_per_hour, dropped: queue full)',
      ['result'],
    ),
    requests: m.counter(
      'flowloft_alerts_webhook_requests_total',
      'Webhook requests, by result (ok, failed: network error, timeout, 429 or 5xx, refused: any other answer)',
      ['result'],
    ),
    retries: m.counter(
      'flowloft_alerts_webhook_retries_total',
      'Webhook requests tried again after a failure',
    ),
  }
}

export type AlertMetrics = ReturnType<typeof alertMetrics>
