// Which of the collector's drop counters account for an end-to-end step's lost flows,
// and what enrichment costs between the two held rates (bench/e2e.mjs prints them,
// bench/results.mjs writes them to RESULTS.md).

/** The step's non-zero drop counters: writer rows by reason, kernel and queue datagrams. */
export function lossSource(s) {
  const parts = []
  const byReason = s.drops.writerByReason
  if (byReason) {
    for (const [reason, rows] of Object.entries(byReason))
      parts.push(`writer ${reason} ${rows} rows`)
  } else if (s.drops.writer > 0) {
    parts.push(`writer ${s.drops.writer} rows`)
  }
  if (s.drops.kernel > 0) parts.push(`kernel ${s.drops.kernel} datagrams`)
  if (s.drops.queue > 0) parts.push(`decode queue ${s.drops.queue} datagrams`)
  return parts.length > 0 ? parts.join(', ') : 'no drop counter (not stored when the settle ended)'
}

/** The first step of a run that lost flows, with where the loss came from; null if none. */
export function firstLoss(steps) {
  const s = steps.find((x) => x.lost > 0)
  return s ? { rate: s.rate, kind: s.kind, lost: s.lost, source: lossSource(s) } : null
}

/**
 * What every enricher costs, from the held steps with enrichers on and off: the share of
 * sustained throughput lost, and the extra collector CPU per flow (fractions).
 */
export function enrichmentCost(on, off) {
  return {
    rate: 1 - on.achievedRate / off.achievedRate,
    cpu: on.cpuPercent / on.achievedRate / (off.cpuPercent / off.achievedRate) - 1,
  }
}
