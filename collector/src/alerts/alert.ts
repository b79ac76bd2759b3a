// One alert: what the rules raise, the store keeps, the webhook sends and /api/alerts
// serves.
export const ALERT_KINDS = [
  'new_destination',
  'device_volume',
  'device_unusual',
  'exporter_silent',
  'usage_cap',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

/** How an alert left (or did not leave) through the webhook. */
export type Delivery = 'pending' | 'sent' | 'failed' | 'rate_limited' | 'dropped' | 'none'

export interface Alert {
  /** `kind:event_key:raised_at`, unique. */
  id: string
  /** Unix seconds. */
  raised_at: number
  kind: AlertKind
  /** The condition: one alert per key while it lasts. */
  event_key: string
  /** The device or the exporter, an address. */
  subject: string
  /** Its name from the flows, or ''. */
  subject_name: string
  title: string
  message: string
  details: Record<string, unknown>
  /** Unix seconds the condition ended; 0 while it lasts (or for one-off alerts). */
  resolved_at: number
  delivery: Delivery
}

/** An alert as a rule raises it; the rest is filled in when it is recorded. */
export type Raised = Pick<
  Alert,
  'kind' | 'event_key' | 'subject' | 'subject_name' | 'title' | 'message' | 'details'
>

export function newAlert(r: Raised, now: number): Alert {
  return {
    ...r,
    id: `${r.kind}:${r.event_key}:${now}`,
    raised_at: now,
    resolved_at: 0,
    delivery: 'pending',
  }
}

/** `name (address)`, or the address alone. */
export function named(addr: string, name: string): string {
  return name === '' || name === addr ? addr : `${name} (${addr})`
}
