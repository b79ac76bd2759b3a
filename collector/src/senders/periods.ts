// Calendar buckets for per-sender statistics, in UTC: where a bucket starts, where the
// next one starts, which rollup holds the data and how ClickHouse names the bucket.
export const PERIODS = ['minute', 'hour', 'day', 'month', 'year'] as const
export type Period = (typeof PERIODS)[number]

interface PeriodDef {
  /** The rollup read: per-minute for minutes, per-hour for the rest. */
  table: 'flowloft.flows_1m' | 'flowloft.flows_1h'
  /** SQL for the bucket start of the rollup's `time`, as unix seconds. */
  bucket: string
  /** Window when `from` is not given, seconds before `to`. */
  defaultSpan: number
}

const DAY = 86_400
export const PERIOD: Record<Period, PeriodDef> = {
  minute: { table: 'flowloft.flows_1m', bucket: 'toUnixTimestamp(time)', defaultSpan: 3600 },
  hour: { table: 'flowloft.flows_1h', bucket: 'toUnixTimestamp(time)', defaultSpan: DAY },
  day: {
    table: 'flowloft.flows_1h',
    bucket: "toUnixTimestamp(toStartOfDay(time, 'UTC'))",
    defaultSpan: 30 * DAY,
  },
  month: {
    table: 'flowloft.flows_1h',
    bucket: "toUnixTimestamp(toDateTime(toStartOfMonth(time, 'UTC'), 'UTC'))",
    defaultSpan: 365 * DAY,
  },
  year: {
    table: 'flowloft.flows_1h',
    bucket: "toUnixTimestamp(toDateTime(toStartOfYear(time, 'UTC'), 'UTC'))",
    defaultSpan: 5 * 365 * DAY,
  },
}

/** Start of the bucket holding unix second `t`. */
export function bucketStart(period: Period, t: number): number {
  const d = new Date(t * 1000)
  switch (period) {
    case 'minute':
      return Math.floor(t / 60) * 60
    case 'hour':
      return Math.floor(t / 3600) * 3600
    case 'day':
      return Math.floor(t / DAY) * DAY
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1) / 1000
  }
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(period: Period, start: number): number {
  const d = new Date(start * 1000)
  switch (period) {
    case 'minute':
      return start + 60
    case 'hour':
      return start + 3600
    case 'day':
      return start + DAY
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000
    case 'year':
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1) / 1000
  }
}

/** Bucket starts covering [from, to), or null when there would be more than `max`. */
export function buckets(period: Period, from: number, to: number, max: number): number[] | null {
  const out: number[] = []
  for (let t = bucketStart(period, from); t < to; t = nextBucket(period, t)) {
    if (out.length >= max) return null
    out.push(t)
  }
  return out
}
