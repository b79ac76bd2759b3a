// How the source-address label cap (label-cap.ts) stands, on /metrics.
import type { LabelCap } from './label-cap.js'
import type { Registry } from './metrics.js'

export function sourceLabelMetrics(r: Registry, cap: LabelCap): void {
  r.gauge(
    'flowloft_metrics_source_labels',
    'Source addresses in per-address metric families: kept (own series) or folded (added up under exporter="other"; counted up to 65,536); bound: http.metrics_max_sources',
    ['state'],
    (g) => {
      g.set({ state: 'kept' }, cap.kept)
      g.set({ state: 'folded' }, cap.folded)
    },
  )
}
