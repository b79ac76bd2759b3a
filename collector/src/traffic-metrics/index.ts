// Traffic metrics, main-thread side: merges the workers' per-batch sums into counter
// series on the Registry, removes series not updated for `expire_seconds`, and refuses
// new series past `max_series` (counted per metric).
import type { Labels, Registry } from '../observability/metrics.js'
import { KEY_SEP, type TrafficBatch } from './aggregate.js'
import type { TrafficMetricConfig } from './config.js'

export { TrafficAggregator, type TrafficBatch } from './aggregate.js'
export { parseTrafficMetrics, type TrafficMetricConfig } from './config.js'

interface Series {
  labels: Labels
  value: number
  seen: number
}

export interface TrafficMetrics {
  /** Add one worker batch's sums. */
  merge(batch: TrafficBatch): void
  /** Series of a metric now (after expiry), for tests and status pages. */
  series(name: string): Array<{ labels: Readonly<Labels>; value: number }>
}

export function createTrafficMetrics(
  configs: readonly TrafficMetricConfig[],
  registry: Registry,
  now: () => number = Date.now,
): TrafficMetrics {
  const dropped = registry.counter(
    'flowloft_traffic_metric_series_dropped_total',
    'Traffic-metric updates of new series refused because the metric had max_series series, by metric',
    ['metric'],
  )
  const families = configs.map((c) => {
    const series = new Map<string, Series>()
    const expire = (): void => {
      if (c.expireSeconds === 0) return
      const before = now() - c.expireSeconds * 1000
      for (const [k, s] of series) if (s.seen < before) series.delete(k)
    }
    registry.external('counter', c.name, c.description, () => {
      expire()
      return series.values()
    })
    dropped.inc({ metric: c.name }, 0)
    return { c, series, expire, lastSweep: 0 }
  })
  return {
    merge(batch) {
      const t = now()
      batch.forEach((sums, m) => {
        const fam = families[m]
        if (!fam) return
        for (const [key, amount] of Object.entries(sums)) {
          let s = fam.series.get(key)
          if (!s) {
            if (fam.series.size >= fam.c.maxSeries && t - fam.lastSweep >= 1000) {
              fam.lastSweep = t
              fam.expire()
            }
            if (fam.series.size >= fam.c.maxSeries) {
              dropped.inc({ metric: fam.c.name })
              continue
            }
            const vals = key.split(KEY_SEP)
            const labels: Labels = {}
            fam.c.labels.forEach((l, k) => (labels[l.name] = vals[k] ?? ''))
            s = { labels, value: 0, seen: t }
            fam.series.set(key, s)
          }
          s.value += amount
          s.seen = t
        }
      })
    },
    series(name) {
      const fam = families.find((f) => f.c.name === name)
      if (!fam) return []
      fam.expire()
      return [...fam.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }))
    },
  }
}
