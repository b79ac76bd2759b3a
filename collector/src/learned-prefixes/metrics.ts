// Metrics of prefix learning. The exporter label goes through the shared source-address
// cap (http.metrics_max_sources), like the decoder's per-exporter families.
import type { LabelCap } from '../observability/label-cap.js'
import type { Registry } from '../observability/metrics.js'
import type { LearnedSet } from './learned-set.js'

export function learnMetrics(r: Registry, set: LearnedSet, sources: LabelCap) {
  r.gauge(
    'flowloft_enrich_learned_prefixes',
    'Home prefixes learned from the flows (enrich.learn_prefixes) and in effect, per exporter',
    ['exporter'],
    (g) => {
      g.reset()
      for (const e of set.exporters()) g.inc({ exporter: sources.label(e) }, set.list(e).length)
    },
  )
  return {
    runs: r.counter(
      'flowloft_enrich_learn_runs_total',
      'Prefix-learning runs by result (ok, failed; skipped: a scheduled run with no flow stored since the last one read them)',
      ['result'],
    ),
    refused: r.counter(
      'flowloft_enrich_learned_prefixes_refused_total',
      'Candidate home prefixes not learned because a cap was reached, counted at each run, by cap (exporter: per exporter; exporters: exporters with learned prefixes)',
      ['cap'],
    ),
    errors: r.counter(
      'flowloft_enrich_learned_prefixes_file_errors_total',
      'The learned-prefixes file could not be read (whole or some entries) or saved, by operation',
      ['operation'],
    ),
  }
}
