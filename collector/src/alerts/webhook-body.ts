// The webhook request for one alert, in the configured format:
//   json    the alert as JSON (id, time, kind, subject, subject_name, title, message, details)
//   ntfy    POST to the topic URL: the message as text, the title in a Title header
//           (RFC 2047 encoded when it is not ASCII), Tags and Priority headers
//   gotify  POST to the /message URL: {title, message, priority, extras}
import type { Alert, AlertKind } from './alert.js'
import type { WebhookFormat } from './config.js'

export interface WebhookRequest {
  headers: Record<string, string>
  body: string
}

/** ntfy tags (shown as emoji) and priorities (1..5), Gotify priorities (0..10), by kind. */
const NTFY_TAGS: Record<AlertKind, string> = {
  new_destination: 'globe_with_meridians',
  device_volume: 'chart_with_upwards_trend',
  device_unusual: 'chart_with_upwards_trend',
  exporter_silent: 'warning',
  usage_cap: 'bar_chart',
}
const PRIORITY: Record<AlertKind, { ntfy: number; gotify: number }> = {
  new_destination: { ntfy: 3, gotify: 5 },
  device_volume: { ntfy: 3, gotify: 5 },
  device_unusual: { ntfy: 3, gotify: 5 },
  exporter_silent: { ntfy: 4, gotify: 8 },
  usage_cap: { ntfy: 4, gotify: 8 },
}

/** A header value: as it is when printable ASCII, else an RFC 2047 encoded word. */
export function headerText(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`
}

export function webhookRequest(a: Alert, format: WebhookFormat, token: string): WebhookRequest {
  const bearer: Record<string, string> = token === '' ? {} : { authorization: `Bearer ${token}` }
  switch (format) {
    case 'ntfy':
      return {
        headers: {
          ...bearer,
          'content-type': 'text/plain; charset=utf-8',
          title: headerText(a.title),
          tags: `${NTFY_TAGS[a.kind]},flowloft,${a.kind}`,
          priority: String(PRIORITY[a.kind].ntfy),
        },
        body: a.message,
      }
    case 'gotify':
      return {
        headers: {
          ...(token === '' ? {} : { 'x-gotify-key': token }),
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          title: a.title,
          message: a.message,
          priority: PRIORITY[a.kind].gotify,
          extras: { flowloft: { id: a.id, kind: a.kind, subject: a.subject } },
        }),
      }
    case 'json':
      return {
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: a.id,
          time: new Date(a.raised_at * 1000).toISOString(),
          kind: a.kind,
          subject: a.subject,
          subject_name: a.subject_name,
          title: a.title,
          message: a.message,
          details: a.details,
        }),
      }
  }
}
