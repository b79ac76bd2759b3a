// The periods usage is counted over, in the appliance's time zone: today (from local
// midnight), this week (from Monday's midnight), the current billing cycle (from the
// cycle's start day of this month or the last, at midnight) and the previous cycle. A
// start day past a month's end is that month's last day (31 in February: the 28th or
// 29th). Each period is [from, to) in unix seconds; the current ones end at their next
// start.

export const PERIODS = ['today', 'week', 'cycle', 'previous_cycle'] as const
export type Period = (typeof PERIODS)[number]

export interface Span {
  from: number
  to: number
}

export type Periods = Record<Period, Span>

interface Ymd {
  y: number
  /** 1..12 */
  m: number
  d: number
}

const formats = new Map<string, Intl.DateTimeFormat>()

function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formats.set(tz, f)
  }
  return f
}

/** The wall-clock time in `tz` at unix second `t`, as seconds of a UTC calendar. */
function wall(tz: string, t: number): number {
  const p: Record<string, number> = {}
  for (const x of format(tz).formatToParts(new Date(t * 1000)))
    if (x.type !== 'literal') p[x.type] = Number(x.value)
  const n = (k: string): number => p[k] ?? 0
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) / 1000
}

/** The local date at unix second `t`. */
export function localDate(tz: string, t: number): Ymd {
  const w = new Date(wall(tz, t) * 1000)
  return { y: w.getUTCFullYear(), m: w.getUTCMonth() + 1, d: w.getUTCDate() }
}

const utcDay = (x: Ymd): number => Date.UTC(x.y, x.m - 1, x.d) / 1000

/** The date `days` after `x`. */
function addDays(x: Ymd, days: number): Ymd {
  const w = new Date((utcDay(x) + days * 86400) * 1000)
  return { y: w.getUTCFullYear(), m: w.getUTCMonth() + 1, d: w.getUTCDate() }
}

/**
 * The first second of local date `x` in `tz`: its midnight, or where the day begins when
 * a clock change skips midnight.
 */
export function dayStart(tz: string, x: Ymd): number {
  const midnight = utcDay(x)
  // Midnight under the offsets in force a day before and a day after: a clock change
  // near it makes them differ, and the earliest that reads as midnight is the one.
  const offsets = [midnight - 86400, midnight + 86400].map((t) => wall(tz, t) - t)
  const candidates = [...new Set(offsets.map((o) => midnight - o))].sort((a, b) => a - b)
  for (const t of candidates) if (wall(tz, t) === midnight) return t
  // Midnight does not exist that day: the first second whose local date is `x`.
  let lo = (candidates[0] ?? midnight) - 86400
  let hi = (candidates[candidates.length - 1] ?? midnight) + 86400
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (wall(tz, mid) >= midnight) hi = mid
    else lo = mid
  }
  return hi
}

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate()

/** The cycle's first date in month (y, m). */
function cycleDate(y: number, m: number, startDay: number): Ymd {
  return { y, m, d: Math.min(startDay, daysIn(y, m)) }
}

/** Month (y, m) plus `k` months. */
function monthPlus(y: number, m: number, k: number): { y: number; m: number } {
  const i = y * 12 + (m - 1) + k
  return { y: Math.floor(i / 12), m: (i % 12) + 1 }
}

/** The periods around unix second `now` in `tz`, cycles starting on `startDay`. */
export function periodsAt(now: number, tz: string, startDay: number): Periods {
  const today = localDate(tz, now)
  const start = (x: Ymd): number => dayStart(tz, x)
  // Monday is 1 in ISO; getUTCDay gives Sunday 0.
  const weekday = (new Date(utcDay(today) * 1000).getUTCDay() + 6) % 7
  const monday = addDays(today, -weekday)
  const thisMonth = cycleDate(today.y, today.m, startDay)
  const k = today.d >= thisMonth.d ? 0 : -1
  const cycle = (j: number): Ymd => {
    const mm = monthPlus(today.y, today.m, k + j)
    return cycleDate(mm.y, mm.m, startDay)
  }
  return {
    today: { from: start(today), to: start(addDays(today, 1)) },
    week: { from: start(monday), to: start(addDays(monday, 7)) },
    cycle: { from: start(cycle(0)), to: start(cycle(1)) },
    previous_cycle: { from: start(cycle(-1)), to: start(cycle(0)) },
  }
}
