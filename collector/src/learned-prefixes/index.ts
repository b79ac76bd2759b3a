// Learns the public prefixes delegated to a home from what its exporters show
// (enrich.learn_prefixes): a job on the main thread reads the evidence in the recent
// flows (evidence-sql.ts) on the jobs' session, keeps what it learned per exporter
// (learned-set.ts, data_dir/learned-prefixes.json) and hands it to enrichment, where
// the operator's own prefixes for an exporter take precedence (enrich/prefix-precedence.ts).
// Later flows of that exporter then get inbound/outbound instead of transit.
import { join } from 'node:path'
import type { SessionRunner } from '../clickhouse/read-sessions.js'
import { LocalPrefixes } from '../addresses/local-prefixes.js'
import type { ExporterPrefixLayers } from '../enrich/index.js'
import { parseAddr } from '../addresses/ip.js'
import { specialLabel } from '../addresses/special-ranges.js'
import type { LabelCap } from '../observability/label-cap.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { canonicalPrefix, canonicalSender } from '../senders/index.js'
import { readEvidence, type EvidenceRow } from './evidence-sql.js'
import { LearnedSet, type Candidate, type LearnedPrefix, type Limits } from './learned-set.js'
import { learnMetrics } from './metrics.js'

export type { LearnedPrefix } from './learned-set.js'

export const LIMITS: Limits = { perExporter: 64, exporters: 1024, forgetSeconds: 14 * 86400 }
/** The recent flows each run reads, seconds. */
export const WINDOW_SECONDS = 900
export const FIRST_RUN_MS = 60_000
export const EVERY_MS = 300_000

/** Special-purpose ranges that are never a delegated prefix (documentation ones may be). */
const NEVER = new Set([
  'reserved',
  'private',
  'cgnat',
  'loopback',
  'link-local',
  'multicast',
  'broadcast',
  'unspecified',
])

export interface PrefixLearnerDeps {
  /** Runs the evidence query on the jobs' session (engine.jobs). */
  run: SessionRunner
  dataDir: string
  /** enrich.learn_prefixes */
  enabled: boolean
  /** enrich.local_prefixes: never learned again. */
  localPrefixes: readonly string[]
  layers: ExporterPrefixLayers
  sources: LabelCap
  log: Logger
  metrics: Registry
  limits?: Limits
  /**
   * Rows the flow writer has stored since start (writer.storedRows), given when this
   * collector is the table's only writer (the embedded engine). A scheduled run then
   * reads the flows only when it moved since the last run that read them, and an idle
   * collector skips the query. With no new flow the window's evidence only shrinks, with
   * one exception left to the next run after new flows: an interface whose inbound
   * flows leave the window before its local ones can come to qualify as inside.
   */
  stored?: () => number
}

export interface RunResult {
  added: Array<LearnedPrefix & { exporter: string }>
  refused: number
}

export interface PrefixLearner {
  /** Read the saved set, hand it to enrichment, schedule the runs. */
  start(): void
  stop(): Promise<void>
  /** One run now (after any in progress); undefined when off, stopped or failed. */
  runNow(): Promise<RunResult | undefined>
  /**
   * A scheduled run (every EVERY_MS): 'skipped', and counted, when no flow was stored
   * since the last run read the flows; forgetting what was not seen still happens.
   */
  scheduledRun(): Promise<RunResult | 'skipped' | undefined>
  /** What is learned for an exporter (any spelling). */
  learned(exporter: string): LearnedPrefix[]
}

function candidatePrefix(r: EvidenceRow, local: LocalPrefixes): string | null {
  const a = parseAddr(r.net)
  if (a === null || local.contains(a)) return null
  const label = specialLabel(a)
  if (label !== null && NEVER.has(label)) return null
  const len = r.v6net ? 64 : 'v4' in a ? 32 : 128
  return canonicalPrefix(`${r.net}/${len}`)
}

export function createPrefixLearner(d: PrefixLearnerDeps): PrefixLearner {
  const log = d.log.child({ component: 'learned-prefixes' })
  const limits = d.limits ?? LIMITS
  const file = join(d.dataDir, 'learned-prefixes.json')
  const set = new LearnedSet(limits)
  const m = learnMetrics(d.metrics, set, d.sources)
  const local = new LocalPrefixes(d.localPrefixes)
  const capWarned = new Set<string>()
  let timers: NodeJS.Timeout[] = []
  let chain: Promise<unknown> = Promise.resolve()
  let stopped = true
  // The writer's stored rows when the last successful run started reading.
  let storedAtRun: number | undefined

  const publish = (exporter: string): void => d.layers.setLearned(exporter, set.prefixes(exporter))

  const save = (): void => {
    try {
      set.save(file)
    } catch (err) {
      m.errors.inc({ operation: 'save' })
      log.error('learned prefixes could not be saved', { file, error: (err as Error).message })
    }
  }

  /**
   * The end of every run: forget what was not seen for limits.forgetSeconds, hand the
   * exporters that changed to enrichment, and save when any did or `read` found rows.
   */
  const finish = (now: number, changed: Set<string>, read: boolean): void => {
    for (const [e, gone] of set.expire(now)) {
      changed.add(e)
      for (const p of gone) log.info('learned prefix forgotten: not seen', { exporter: e, ...p })
    }
    for (const e of changed) publish(e)
    if (read || changed.size > 0) save()
  }

  const learn = async (): Promise<RunResult> => {
    const now = Math.floor(Date.now() / 1000)
    const mark = d.stored?.()
    const rows = await d.run((c) => readEvidence(c, now - WINDOW_SECONDS, limits.perExporter * 4))
    const byExporter = new Map<string, EvidenceRow[]>()
    for (const r of rows) {
      const e = canonicalSender(r.exporter)
      if (e !== null) byExporter.set(e, [...(byExporter.get(e) ?? []), r])
    }
    const result: RunResult = { added: [], refused: 0 }
    const changed = new Set<string>()
    for (const [e, list] of byExporter) {
      if (d.layers.hasExplicit(e)) {
        // The operator's prefixes take precedence: nothing is learned for this exporter.
        for (const p of set.forget(e))
          log.info('learned prefix forgotten: the exporter has prefixes of its own', {
            exporter: e,
            prefix: p.prefix,
          })
        continue
      }
      const candidates: Candidate[] = []
      for (const r of list) {
        const prefix = candidatePrefix(r, local)
        if (prefix !== null) candidates.push({ prefix, evidence: r.evidence })
      }
      const o = set.observe(e, candidates, now)
      for (const p of o.added) {
        changed.add(e)
        result.added.push({ ...p, exporter: e })
        log.info('home prefix learned', { exporter: e, prefix: p.prefix, evidence: p.evidence })
      }
      // Candidates past the query's limit were not read: refused too once the cap is full.
      const unread = Math.max(0, (list[0]?.candidates ?? 0) - list.length)
      const full = set.list(e).length >= limits.perExporter
      const exporterCap = o.refused.exporter_cap + (full ? unread : 0)
      const exportersCap = o.refused.exporters_cap + (o.refused.exporters_cap > 0 ? unread : 0)
      if (exporterCap > 0) m.refused.inc({ cap: 'exporter' }, exporterCap)
      if (exportersCap > 0) m.refused.inc({ cap: 'exporters' }, exportersCap)
      result.refused += exporterCap + exportersCap
      // One warning per exporter at its cap, one for the cap on exporters.
      const warnKey = exportersCap > 0 ? '' : e
      if (exporterCap + exportersCap > 0 && !capWarned.has(warnKey)) {
        capWarned.add(warnKey)
        log.warn('learned prefixes: cap reached, later candidates are counted, not learned', {
          exporter: e,
          cap: exportersCap > 0 ? `${limits.exporters} exporters` : `${limits.perExporter}`,
          refused: exporterCap + exportersCap,
        })
      }
    }
    finish(now, changed, rows.length > 0)
    storedAtRun = mark
    return result
  }

  /** No flow stored since the last run read them: only forget what was not seen. */
  const skip = (): 'skipped' => {
    finish(Math.floor(Date.now() / 1000), new Set(), false)
    m.runs.inc({ result: 'skipped' })
    return 'skipped'
  }

  const run = (scheduled: boolean): Promise<RunResult | 'skipped' | undefined> => {
    if (!d.enabled || stopped) return Promise.resolve(undefined)
    const next = chain.then(async () => {
      if (stopped) return undefined
      try {
        if (scheduled && storedAtRun !== undefined && d.stored?.() === storedAtRun) return skip()
        const r = await learn()
        m.runs.inc({ result: 'ok' })
        return r
      } catch (err) {
        m.runs.inc({ result: 'failed' })
        log.error('prefix learning run failed', { error: (err as Error).message })
        return undefined
      }
    })
    chain = next
    return next
  }
  const runNow = async (): Promise<RunResult | undefined> => {
    const r = await run(false)
    return r === 'skipped' ? undefined : r
  }
  const scheduledRun = (): Promise<RunResult | 'skipped' | undefined> => run(true)

  return {
    start() {
      if (!d.enabled || !stopped) return
      stopped = false
      try {
        const { skipped } = set.load(file)
        if (skipped > 0) {
          m.errors.inc({ operation: 'read' })
          log.warn('learned prefixes: entries that are not valid were skipped', { file, skipped })
        }
      } catch (err) {
        m.errors.inc({ operation: 'read' })
        log.error('learned prefixes file unreadable: starting empty', {
          file,
          error: (err as Error).message,
        })
      }
      for (const e of set.exporters()) {
        if (d.layers.hasExplicit(e)) continue
        publish(e)
      }
      if (set.exporterCount > 0)
        log.info('learned prefixes restored', {
          exporters: set.exporterCount,
          prefixes: set.exporters().reduce((n, e) => n + set.list(e).length, 0),
        })
      const first = setTimeout(() => {
        void scheduledRun()
        const every = setInterval(() => void scheduledRun(), EVERY_MS)
        every.unref()
        timers.push(every)
      }, FIRST_RUN_MS)
      first.unref()
      timers = [first]
    },
    async stop() {
      stopped = true
      for (const t of timers) clearTimeout(t)
      timers = []
      await chain
    },
    runNow,
    scheduledRun,
    learned: (exporter) => {
      const e = canonicalSender(exporter)
      return e === null ? [] : set.list(e)
    },
  }
}
