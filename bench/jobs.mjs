// `make bench`, the scheduled jobs that read raw flows, as a collector at 1,000 flows/s
// pays them all day (the home-rate bench's minute holds no run of them): JOBS_HOURS
// (default 2) of bench/history-fill.mjs's home network at 1,000 flows/s on the embedded
// engine (in this process: its CPU time is ours), then each job's CPU, the median of
// three runs: the conversation summary of each default window up to the data's length
// (summaries/conversations.ts), as the collector runs it (from candidates past 5
// minutes) and with every conversation ranked at once (as before the candidates; the
// same answers, compared), and
// the prefix learner's read of its 15 minutes. A day's cost per stored flow: each
// window's runs read the day once (the 480 and 1,440 minute windows at the longest
// window's rate per flow read); the learner reads the last 15 minutes every 5.
// Writes bench/out/jobs.json.
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { createLogger, migrate, openEngine } from '@flowloft/collector'
import { rawInsert } from './history-fill.mjs'
import { machineFacts, writeResult } from './machine.mjs'
import { summarizeWindow } from '../collector/dist/summaries/conversations.js'
import { readEvidence } from '../collector/dist/learned-prefixes/evidence-sql.js'

const HOURS = Math.max(1, Math.floor(Number(process.env.JOBS_HOURS ?? 2)))
const RATE = 1000
const DAY_FLOWS = 86_400 * RATE
const TOP = 10
const LEARN_SECONDS = 900
const LEARN_EVERY = 300
const WINDOWS = [5, 20, 60, 120].filter((m) => m <= HOURS * 60)

const loadAverageAtStart = os.loadavg()[0]
const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
/** CPU seconds of `f`, the median of three runs, and its last result. */
async function median(f) {
  const xs = []
  let last
  for (let i = 0; i < 3; i++) {
    const a = cpu()
    last = await f()
    xs.push(cpu() - a)
  }
  xs.sort((a, b) => a - b)
  return { seconds: xs[1], last }
}

const dir = mkdtempSync(join(os.tmpdir(), 'fl-bench-jobs-'))
const engine = await openEngine({
  url: '',
  dataDir: dir,
  limits: { maxExecutionSeconds: 3600, maxResultRows: 100_000 },
  log: createLogger('warn'),
})
const c = engine.client
const windows = []
let learner
try {
  await migrate(c)
  const end = Math.floor(Date.now() / 1000 / 300) * 300
  for (let t = end - HOURS * 3600; t < end; t += 3600)
    await c.command({
      query: rawInsert(t, 3600 * RATE),
      clickhouse_settings: { max_insert_threads: 2, optimize_on_insert: 0 },
    })
  await c.command({ query: 'OPTIMIZE TABLE flowloft.flows FINAL' })
  console.log(`jobs: ${HOURS} h of a home network at ${RATE} flows/s`)
  for (const minutes of WINDOWS) {
    const flows = minutes * 60 * RATE
    let full = 0
    const count = () => full++
    const run = (candidates) => () =>
      summarizeWindow(c, minutes, end, TOP, { candidates, onFullRanking: count })
    const cheap = await median(run(undefined))
    const fullRuns = full
    const all = await median(run(0)) // every conversation ranked at once, as before
    if (!isDeepStrictEqual(cheap.last, all.last))
      throw new Error(`summary of ${minutes} min: the two rankings differ`)
    const w = {
      minutes,
      flows,
      candidates: { seconds: cheap.seconds, fullRankings: fullRuns },
      everyConversation: { seconds: all.seconds },
    }
    windows.push(w)
    const us = (s) => ((s / flows) * 1e6).toFixed(3)
    console.log(
      `  summary of ${minutes} min: ${cheap.seconds.toFixed(3)} s CPU (${us(cheap.seconds)} µs per flow read; full rankings ${fullRuns} of 3), every conversation ranked ${all.seconds.toFixed(3)} s (${us(all.seconds)}), ratio ${(all.seconds / cheap.seconds).toFixed(2)}x`,
    )
  }
  const l = await median(() => readEvidence(c, end - LEARN_SECONDS, 64))
  learner = { seconds: l.seconds, flows: LEARN_SECONDS * RATE }
  console.log(`  prefix learner's read of ${LEARN_SECONDS / 60} min: ${l.seconds.toFixed(3)} s CPU`)
} finally {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
}

// A day: each default window (5, 20, 60, 480, 1,440 min) reads every flow once.
const perFlow = (w, k) => w[k].seconds / w.flows
const longest = windows[windows.length - 1]
const dayOf = (k) => {
  const at = (m) => windows.find((w) => w.minutes === m) ?? longest
  return [5, 20, 60, 480, 1440].reduce((s, m) => s + perFlow(at(m), k) * DAY_FLOWS, 0)
}
const day = {
  summariesSeconds: dayOf('candidates'),
  summariesEveryConversationSeconds: dayOf('everyConversation'),
  learnerSeconds: (learner.seconds * 86_400) / LEARN_EVERY,
}
const perStored = (s) => ((s / DAY_FLOWS) * 1e6).toFixed(2)
console.log(
  `  a day at ${RATE} flows/s: summaries ${day.summariesSeconds.toFixed(0)} s CPU, ${perStored(day.summariesSeconds)} µs per stored flow (every conversation ranked: ${day.summariesEveryConversationSeconds.toFixed(0)} s, ${perStored(day.summariesEveryConversationSeconds)} µs); prefix learner ${day.learnerSeconds.toFixed(0)} s, ${perStored(day.learnerSeconds)} µs`,
)
writeResult('jobs.json', {
  machine: machineFacts(loadAverageAtStart),
  hours: HOURS,
  rate: RATE,
  top: TOP,
  windows,
  learner,
  day,
})
