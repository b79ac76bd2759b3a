// The `summaries` configuration section: which windows, how many conversations, how the
// log rotates. A window must end on the same wall-clock minutes every day, so it is a
// divisor of 60 minutes or a whole number of hours dividing 24.
import { bool, ConfigError, int, intList, section } from '../config/index.js'

export interface SummariesConfig {
  enabled: boolean
  windowsMinutes: number[]
  top: number
  maxBytes: number
  files: number
}

/** Checked windows, sorted and without repeats; the message names the entry. */
export function parseSummaryWindows(list: readonly number[], path: string): number[] {
  list.forEach((w, k) => {
    const ok = w < 60 ? 60 % w === 0 : w % 60 === 0 && 24 % (w / 60) === 0
    if (!ok)
      throw new ConfigError(
        `${path}[${k}] must divide 60 or be whole hours dividing 24 (5, 20, 60, 480, 1440...), got ${w}`,
      )
  })
  return [...new Set(list)].sort((a, b) => a - b)
}

const enabled = bool({
  path: 'summaries.enabled',
  default: true,
  help: 'top conversations per exporter for each window, written to data_dir/summaries/summaries.log and served at /api/summaries',
})
const windowsMinutes = intList({
  path: 'summaries.windows_minutes',
  default: [5, 20, 60, 480, 1440],
  min: 1,
  max: 1440,
  check: parseSummaryWindows,
  help: 'summary windows in minutes, each run at its boundary: a divisor of 60, or whole hours dividing 24',
})
const top = int({
  path: 'summaries.top',
  default: 100,
  min: 1,
  max: 10000,
  help: 'conversations kept per exporter and window',
})
const maxBytes = int({
  path: 'summaries.max_bytes',
  default: 16 << 20,
  min: 4096,
  max: 2 ** 40,
  help: 'size at which summaries.log is rotated',
})
const files = int({
  path: 'summaries.files',
  default: 5,
  min: 1,
  max: 1000,
  help: 'summaries log files kept, the current one included',
})

export const SUMMARIES = section(
  [enabled, windowsMinutes, top, maxBytes, files],
  (v): SummariesConfig => ({
    enabled: v.get(enabled),
    windowsMinutes: v.get(windowsMinutes),
    top: v.get(top),
    maxBytes: v.get(maxBytes),
    files: v.get(files),
  }),
)

/**
 * node-cron schedule (with seconds) of a window: at each boundary plus `delaySeconds`,
 * so flows received just before the boundary have been inserted.
 */
export function windowSchedule(minutes: number, delaySeconds: number): string {
  const s = String(delaySeconds)
  if (minutes < 60) return minutes === 1 ? `${s} * * * * *` : `${s} */${minutes} * * * *`
  const hours = minutes / 60
  if (hours === 1) return `${s} 0 * * * *`
  if (hours === 24) return `${s} 0 0 * * *`
  return `${s} 0 */${hours} * * *`
}

/** The latest boundary of a window at or before `nowMs` (local wall clock), unix seconds. */
export function lastBoundary(minutes: number, nowMs: number): number {
  const minuteStart = Math.floor(nowMs / 60_000) * 60
  const d = new Date(minuteStart * 1000)
  // Within the hour the wall clock's minutes are real ones.
  if (minutes <= 60) return minuteStart - (d.getMinutes() % minutes) * 60
  // Across hours a clock change (summer time) makes the wall clock's hours since the
  // boundary differ from the real ones: the boundary is found on the wall clock.
  const intoDay = d.getHours() * 60 + d.getMinutes()
  const at = new Date(d.getFullYear(), d.getMonth(), d.getDate(), 0, intoDay - (intoDay % minutes))
  return at.getTime() / 1000
}

/**
 * The start of the window ending at `to`: the boundary before it, so that the windows
 * of a day with a clock change (23 or 25 hours) neither overlap nor leave a gap; `to`
 * less `minutes` when `to` is no boundary (a run asked for another end).
 */
export function windowStart(minutes: number, to: number): number {
  if (lastBoundary(minutes, to * 1000) !== to) return to - minutes * 60
  return lastBoundary(minutes, (to - 1) * 1000)
}
