// `make bench`, home rates: what a flow costs at the rates a home router sends. The same
// softflowd NetFlow v9 export (bench/fixtures.mjs) is replayed over UDP loopback from one
// exporter to `flowloft serve` (embedded engine, every enricher on, as bench/e2e.mjs
// starts it), nfcapd (nfdump, binary files) and nfacctd with the sqlite3 plugin (pmacct,
// per-flow keys, 1-min history), one after the other, at 1,000 flows/s for 60 s and at
// 20,000 flows/s for 10 s.
//
// The figure is process CPU (user + system from /proc of the collector's process tree,
// reaped children included), not wall time: other work on the machine does not count
// against it. A case's CPU runs from the start of sending to SETTLE_SECONDS after
// everything sent is stored (flowloft: counted in `flows`; the peers: stopped, which
// writes their files, then counted), so the inserts, merges and flushes a case causes are
// in it. Divided by the flows stored: CPU µs per stored flow. flowloft first gets
// HOME_WARMUP seconds of the same traffic from the same exporter, stored and settled
// before the case starts: its decode worker starts with the first batch and V8 compiles
// the hot code then, once in the life of a collector, which a run of a minute would
// otherwise count as part of every flow's cost (the peers are C programs with neither). RSS is the largest
// sampled while sending and settling. flowloft's start-up CPU is measured over its first
// STARTUP_SECONDS after it is ready, which hold the jobs' first runs (the prefix learner's
// at 60 s) and V8's settling; then its idle CPU (% of one core) and RSS over IDLE_SECONDS
// with no traffic, a whole period of the jobs that run every 5 minutes (the prefix
// learner, the usage and disk checks): the figure of a collector that runs for days.
//
// HOME_SCALE (default 1) scales every duration, for a quicker look. HOME_ONLY (a comma
// list of flowloft, nfcapd, nfacctd) runs only those collectors, HOME_RATES (a comma list
// of 1000, 20000) only those cases, HOME_WARMUP (seconds, default 10; 0: none) sets flowloft's
// warm-up, HOME_IDLE=0 skips flowloft's idle measurement, HOME_REPEAT (default 1) runs
// each of flowloft's cases that many times in the same collector (from the same
// exporter, each after its own warm-up) and keeps the run of the median CPU per flow, as runs of a minute
// differ by a fifth from one to the next on a shared machine, and
// HOME_FLOWLOFT_ENV (JSON) adds to flowloft's environment and HOME_NODE_ARGS to its node
// command line (say `--cpu-prof --cpu-prof-dir=/tmp/prof`). For flowloft it also prints CPU by thread
// name, what the engine did, and what its resident memory is made of at the end of each
// measurement: anonymous pages and pages of mapped files (bench/home-threads.mjs).
// Writes bench/out/home-rate.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { loadFixtures } from './fixtures.mjs'
import { flowloftStored, startCollector } from './e2e-collector.mjs'
import { createExporters, recordsPerDatagram } from './loadgen.mjs'
import { startNfacctd, startNfcapd, treeSample } from './home-peers.mjs'
import {
  engineEvents,
  engineParts,
  eventDelta,
  memorySplit,
  threadDelta,
  threadSample,
} from './home-threads.mjs'

const SCALE = Number(process.env.HOME_SCALE ?? 1)
const RATES = process.env.HOME_RATES?.split(',').map(Number)
const ONLY = process.env.HOME_ONLY?.split(',') ?? ['flowloft', 'nfcapd', 'nfacctd']
const IDLE = process.env.HOME_IDLE !== '0'
const REPEAT = Math.max(1, Math.floor(Number(process.env.HOME_REPEAT ?? 1)) || 1)
const WARMUP_SECONDS = Number(process.env.HOME_WARMUP ?? 10)
const FLOWLOFT_ENV = JSON.parse(process.env.HOME_FLOWLOFT_ENV ?? '{}')
const NODE_ARGS = process.env.HOME_NODE_ARGS?.split(' ').filter(Boolean) ?? []
const CASES = [
  { rate: 1000, seconds: 60 * SCALE },
  { rate: 20_000, seconds: 10 * SCALE },
].filter((k) => !RATES || RATES.includes(k.rate))
const SETTLE_SECONDS = 5
const STARTUP_SECONDS = 90 * SCALE
const IDLE_SECONDS = 300 * SCALE
const OUT = new URL('./out/home-rate.json', import.meta.url)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let group = 100

/** Largest RSS of the tree, sampled every 0.5 s until stopped. */
function rssWatch(pid) {
  let max = treeSample(pid).rss
  const t = setInterval(() => (max = Math.max(max, treeSample(pid).rss)), 500)
  return () => {
    clearInterval(t)
    return Math.max(max, treeSample(pid).rss)
  }
}

/**
 * One case: send, settle, count; CPU and RSS of the collector's tree over it. With
 * `warmup` seconds, the same exporter sends at the same rate first, and the case starts
 * once those flows are stored.
 */
async function runCase(
  collector,
  fx,
  { rate, seconds },
  stored,
  warmup = 0,
  start = async () => {},
  source = undefined,
) {
  // A source shared by several runs (HOME_REPEAT) is the caller's to close; one made here
  // is closed at the end. `stored`: its flows stored so far.
  const src = source ?? { ex: undefined, stored: 0 }
  const fresh = !src.ex
  if (fresh) {
    group++
    src.ex = await createExporters({
      fixture: fx.v9,
      records: fx.v9Records,
      port: collector.port,
      group,
      count: 1,
    })
  }
  const ex = src.ex
  let before = src.stored
  if (warmup > 0)
    before = await stored(
      ex.addresses[0],
      before + (await ex.run(rate, warmup)).flows + (fresh ? ex.primed : 0),
    )
  await start()
  const p0 = treeSample(collector.pid)
  const rss = rssWatch(collector.pid)
  const t0 = performance.now()
  const r = await ex.run(rate, seconds)
  const sent = r.flows + (warmup > 0 || !fresh ? 0 : ex.primed)
  src.stored = await stored(ex.addresses[0], before + sent)
  const n = src.stored - before
  const p1 = treeSample(collector.pid)
  const rssMax = rss()
  if (!source) ex.close()
  const cpu = p1.cpu - p0.cpu
  return {
    rate,
    seconds: r.seconds,
    warmupSeconds: warmup,
    wallSeconds: (performance.now() - t0) / 1000,
    sent,
    stored: n,
    cpuSeconds: cpu,
    usPerFlow: n > 0 ? (cpu / n) * 1e6 : null,
    rssMaxBytes: rssMax,
  }
}

/** What flowloft's threads and engine did over `fn`, from when it calls its `start`. */
async function inside(c, fn) {
  let t0
  let e0
  const start = async () => {
    e0 = await engineEvents(c.query)
    t0 = threadSample(c.pid)
  }
  await start()
  const out = await fn(start)
  const threads = threadDelta(t0, threadSample(c.pid))
  const memory = memorySplit(c.pid)
  const engine = eventDelta(e0, await engineEvents(c.query))
  const parts = await engineParts(c.query)
  const top = Object.entries(threads)
    .slice(0, 8)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ')
  console.log(`    threads (cpu s): ${top}`)
  console.log(
    `    engine: ${engine.InsertQuery ?? 0} inserts, ${engine.MergeTreeDataWriterBlocks ?? 0} parts written, ` +
      `${engine.Merge ?? 0} merges of ${engine.MergedRows ?? 0} rows, ${engine.SelectQuery ?? 0} selects`,
  )
  console.log(
    `    memory at the end: ${mib(memory.anonBytes)} anonymous, ${mib(memory.fileBytes)} of mapped files (` +
      `${memory.largestFiles.map((f) => `${f.name} ${mib(f.bytes)}`).join(', ')})`,
  )
  return { ...out, threads, memory, engine, parts }
}

async function flowloft(fx) {
  const c = await startCollector(true, { FLOWLOFT_LISTEN_SFLOW: '', ...FLOWLOFT_ENV }, NODE_ARGS)
  try {
    const target = { pid: c.pid, port: c.ports.netflow }
    let idle = null
    let startup = null
    if (IDLE) {
      const s0 = treeSample(c.pid)
      await sleep(STARTUP_SECONDS * 1000)
      startup = {
        seconds: STARTUP_SECONDS,
        cpuPercent: ((treeSample(c.pid).cpu - s0.cpu) / STARTUP_SECONDS) * 100,
      }
      console.log(
        `  flowloft start-up: ${startup.cpuPercent.toFixed(2)}% of a core over the first ${STARTUP_SECONDS} s`,
      )
      idle = await inside(c, async () => {
        const i0 = treeSample(c.pid)
        const rss = rssWatch(c.pid)
        await sleep(IDLE_SECONDS * 1000)
        const i1 = treeSample(c.pid)
        return {
          seconds: IDLE_SECONDS,
          cpuPercent: ((i1.cpu - i0.cpu) / IDLE_SECONDS) * 100,
          rssBytes: i1.rss,
          rssMaxBytes: rss(),
        }
      })
      console.log(
        `  flowloft idle: ${idle.cpuPercent.toFixed(2)}% of a core over ${IDLE_SECONDS} s, rss ${mib(idle.rssBytes)}`,
      )
    }
    const cases = []
    for (const k of CASES) {
      const runs = []
      // Every run from the same exporter, as a home's one router: a new one would start
      // another decode lane, and so another worker.
      const source = { ex: undefined, stored: 0 }
      try {
        for (let i = 0; i < REPEAT; i++) {
          const s = await inside(c, (start) =>
            runCase(
              target,
              fx,
              k,
              async (address, sent) => {
                const n = await flowloftStored(c, address, sent)
                await sleep(SETTLE_SECONDS * 1000)
                return n
              },
              WARMUP_SECONDS,
              start,
              source,
            ),
          )
          runs.push(s)
          console.log(`  ${line('flowloft', s)}`)
        }
      } finally {
        source.ex?.close()
      }
      const byCost = [...runs].sort((a, b) => (a.usPerFlow ?? Infinity) - (b.usPerFlow ?? Infinity))
      const median = byCost[(byCost.length - 1) >> 1]
      if (REPEAT > 1) {
        const us = byCost.map((r) => r.usPerFlow?.toFixed(1) ?? '-').join(', ')
        console.log(
          `  flowloft ${k.rate}/s, the median of ${REPEAT} runs: ${median.usPerFlow?.toFixed(1)} µs per stored flow (runs: ${us})`,
        )
        median.repeats = runs.map((r) => ({
          usPerFlow: r.usPerFlow,
          cpuSeconds: r.cpuSeconds,
          stored: r.stored,
          sent: r.sent,
          rssMaxBytes: r.rssMaxBytes,
        }))
      }
      cases.push(median)
    }
    return { name: 'flowloft', startup, idle, cases }
  } finally {
    await c.stop()
  }
}

async function peer(start, fx) {
  const cases = []
  for (const k of CASES) {
    const p = await start()
    try {
      const s = await runCase(p, fx, k, async () => {
        await sleep(SETTLE_SECONDS * 1000)
        return p.stored()
      })
      cases.push(s)
      console.log(`  ${line(p.name, s)}`)
    } finally {
      p.close()
    }
  }
  return cases
}

const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`
const line = (name, s) =>
  `${name.padEnd(8)} ${s.rate}/s for ${s.seconds.toFixed(0)} s: sent ${s.sent}, stored ${s.stored}; ` +
  `cpu ${s.cpuSeconds.toFixed(2)} s, ${s.usPerFlow?.toFixed(1) ?? '-'} µs per stored flow; rss max ${mib(s.rssMaxBytes)}`

async function main() {
  const all = await loadFixtures()
  const v9 = all.find((f) => f.protocol === 'v9')
  const fx = { v9, v9Records: recordsPerDatagram(v9) }
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    nproc: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: os.loadavg()[0],
  }
  console.log(
    `home rates: ${machine.cpu}, nproc ${machine.nproc}, node ${machine.node}; load average ${machine.loadAverageAtStart.toFixed(2)}; ` +
      `softflowd v9 from one exporter; process CPU per stored flow, settle ${SETTLE_SECONDS} s, ` +
      `flowloft warm-up ${WARMUP_SECONDS} s`,
  )
  const none = { startup: null, idle: null, cases: [] }
  const f = ONLY.includes('flowloft') ? await flowloft(fx) : none
  const nfcapd = ONLY.includes('nfcapd') ? await peer(startNfcapd, fx) : []
  const nfacctd = ONLY.includes('nfacctd') ? await peer(startNfacctd, fx) : []
  machine.loadAverageAtEnd = os.loadavg()[0]
  const result = {
    machine,
    settleSeconds: SETTLE_SECONDS,
    startup: f.startup,
    idle: f.idle,
    collectors: { flowloft: f.cases, nfcapd, nfacctd },
  }
  console.log('\nCPU µs per stored flow (flowloft / peer):')
  for (const [i, k] of CASES.entries()) {
    const us = (name) => result.collectors[name][i]?.usPerFlow
    if (!us('flowloft')) continue
    const ratio = (name) => (us(name) ? `${(us('flowloft') / us(name)).toFixed(1)}x` : '-')
    console.log(
      `  ${k.rate}/s: flowloft ${us('flowloft')?.toFixed(1)}, nfcapd ${us('nfcapd')?.toFixed(1)} (${ratio('nfcapd')}), nfacctd ${us('nfacctd')?.toFixed(1)} (${ratio('nfacctd')})`,
    )
  }
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`)
  console.log(
    `load average at end ${machine.loadAverageAtEnd.toFixed(2)}; written to ${OUT.pathname}`,
  )
}

await main()
