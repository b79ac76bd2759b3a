// The `alerts` configuration section: whether the rules run and how often, the learning
// period, the allow-lists, the thresholds, and where alerts are delivered.
import {
  bool,
  choice,
  ConfigError,
  int,
  intList,
  schedule,
  section,
  setting,
  text,
  url,
} from '../config/index.js'

export const WEBHOOK_FORMATS = ['json', 'ntfy', 'gotify'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number]

export interface AlertsConfig {
  enabled: boolean
  /** node-cron expression of the rules' runs. */
  schedule: string
  /** A device's destinations raise no alert until it has been seen this long. */
  learningDays: number
  /** Remote countries (two letters, upper case) that never raise a new-destination alert. */
  allowCountries: string[]
  /** Remote AS numbers that never raise a new-destination alert. */
  allowAsns: number[]
  /** Bytes a device may move in an hour (in and out); 0: no threshold. */
  deviceBytesPerHour: number
  /** A device above this many times its usual level for the hour alerts; 0: off. */
  unusualFactor: number
  /** Below this many bytes in an hour a device is never unusual. */
  unusualMinBytes: number
  /** Minutes without flows after which an exporter is silent; 0: not watched. */
  exporterSilenceMinutes: number
  webhook: {
    /** Empty: alerts go to the log and /api/alerts only. */
    url: string
    format: WebhookFormat
    /** Sent as `Authorization: Bearer` (json, ntfy) or `X-Gotify-Key` (gotify). */
    token: string
    /** Attempts after a failed one, for each alert. */
    retries: number
  }
  /** Most alerts sent to the webhook in any hour; the rest are recorded only. */
  maxPerHour: number
}

const enabled = bool({
  path: 'alerts.enabled',
  default: false,
  help: 'run the alert rules (new destinations, device volume, silent exporters): alerts go to the log, /api/alerts, /metrics and the webhook',
})
const scheduleChecked = schedule({
  path: 'alerts.check_schedule',
  default: '* * * * *',
  help: 'when the alert rules run (cron expression, default every minute)',
})
const learningDays = int({
  path: 'alerts.learning_days',
  default: 7,
  min: 0,
  max: 365,
  help: 'days a device is only learned from before its new countries and ASes raise alerts (0: alert at once)',
})

/** Two-letter country codes, upper-cased; the message names the entry. */
export function parseCountries(value: unknown, path: string, src: string): string[] {
  const list =
    typeof value === 'string'
      ? value.split(',').map((x) => x.trim())
      : Array.isArray(value)
        ? value
        : undefined
  if (list === undefined)
    throw new ConfigError(`${path} must be a list of two-letter country codes${src}`)
  return list
    .filter((c) => c !== '')
    .map((c: unknown, k) => {
      if (typeof c !== 'string' || !/^[A-Za-z]{2}$/.test(c.trim()))
        throw new ConfigError(
          `${path}[${k}] must be a two-letter country code, got ${JSON.stringify(c)}${src}`,
        )
      return c.trim().toUpperCase()
    })
}
const allowCountries = setting({
  path: 'alerts.allow_countries',
  default: [],
  text: 'list',
  parse: (value, at) => parseCountries(value, at.path, at.src),
  help: 'remote countries (two letters) that never raise a new-destination alert',
})
const allowAsns = intList({
  path: 'alerts.allow_asns',
  default: [],
  min: 1,
  max: 4294967295,
  help: 'remote AS numbers that never raise a new-destination alert',
})
const deviceBytesPerHour = int({
  path: 'alerts.device_bytes_per_hour',
  default: 0,
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  help: 'alert when a device moves more bytes (in and out, to and from the internet) in the last hour (0: off)',
})
const unusualFactor = int({
  path: 'alerts.unusual_factor',
  default: 0,
  min: 0,
  max: 1000,
  help: 'alert when a device moves more than this many times its usual bytes for the hour of the day (average of the last 14 days; 0: off)',
})
const unusualMinBytes = int({
  path: 'alerts.unusual_min_bytes',
  default: 100_000_000,
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  help: 'bytes in an hour under which a device is never unusual',
})
const silenceMinutes = int({
  path: 'alerts.exporter_silence_minutes',
  default: 15,
  min: 0,
  max: 10080,
  help: 'alert when an exporter that sent flows has sent none for this many minutes (0: off)',
})
const webhookUrl = url({
  path: 'alerts.webhook_url',
  default: '',
  help: 'where alerts are POSTed (empty: log and /api/alerts only); for ntfy the topic URL, for Gotify its /message URL',
})
const webhookFormat = choice({
  path: 'alerts.webhook_format',
  default: 'json',
  choices: WEBHOOK_FORMATS,
  help: 'the webhook body: json (generic), ntfy (text with Title, Tags and Priority headers) or gotify (its message JSON)',
})
const webhookToken = text({
  path: 'alerts.webhook_token',
  default: '',
  secret: true,
  help: 'sent as Authorization: Bearer (json, ntfy) or X-Gotify-Key (gotify); empty: none',
})
const webhookRetries = int({
  path: 'alerts.webhook_retries',
  default: 3,
  min: 0,
  max: 10,
  help: 'attempts after a failed webhook request (network error, timeout, 429 or 5xx), 1 s apart doubling',
})
const maxPerHour = int({
  path: 'alerts.max_per_hour',
  default: 30,
  min: 1,
  max: 10000,
  help: 'most alerts sent to the webhook in any hour; the rest are logged, kept in /api/alerts and counted',
})

export const ALERTS = section(
  [
    enabled,
    scheduleChecked,
    learningDays,
    allowCountries,
    allowAsns,
    deviceBytesPerHour,
    unusualFactor,
    unusualMinBytes,
    silenceMinutes,
    webhookUrl,
    webhookFormat,
    webhookToken,
    webhookRetries,
    maxPerHour,
  ],
  (v): AlertsConfig => ({
    enabled: v.get(enabled),
    schedule: v.get(scheduleChecked),
    learningDays: v.get(learningDays),
    allowCountries: v.get(allowCountries),
    allowAsns: v.get(allowAsns),
    deviceBytesPerHour: v.get(deviceBytesPerHour),
    unusualFactor: v.get(unusualFactor),
    unusualMinBytes: v.get(unusualMinBytes),
    exporterSilenceMinutes: v.get(silenceMinutes),
    webhook: {
      url: v.get(webhookUrl),
      format: v.get(webhookFormat),
      token: v.get(webhookToken),
      retries: v.get(webhookRetries),
    },
    maxPerHour: v.get(maxPerHour),
  }),
)
