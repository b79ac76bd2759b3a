// `make bench-e2e`: the highest rate `flowhouse serve` sustains with nothing lost, end to
// end (flows sent over UDP = rows stored in ClickHouse), on the embedded engine of this
// machine. The load generator (bench/loadgen.mjs) replays softflowd NetFlow v9 (90% of
// the flows) and pmacct sFlow (10%) from 16 simulated exporters per step, ramping the rate
// until loss appears; the best lossless rate is then held for HOLD seconds and must stay
// lossless. Runs with every enricher on, then (unless --only-on) with them off.
// Prints the figures and writes bench/out/e2e.json; `--quick` (used by `make bench`) runs
// short steps and a short hold.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { loadFixtures } from './fixtures.mjs'
import { freeUdpPort } from '../collector/dist/testing/exporters.js'
import { createExporters, recordsPerDatagram } from './loadgen.mjs'

const args = new Set(process.argv.slice(2))
const QUICK = args.has('--quick')
const STEP_SECONDS = Number(process.env.E2E_STEP_SECONDS ?? (QUICK ? 6 : 15))
const HOLD_SECONDS = Number(process.env.E2E_HOLD_SECONDS ?? (QUICK ? 15 : 60))
const START_RATE = Number(process.env.E2E_START_RATE ?? 40_000)
const MAX_RATE = Number(process.env.E2E_MAX_RATE ?? 600_000)
const EXPORTERS = 16
const SFLOW_SHARE = 0.1
const TARGET = 150_000
const CLI = new URL('../collector/dist/cli/main.js', import.meta.url).pathname

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** CPU seconds (user + system) and resident bytes of a process, from /proc. */
function procSample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(f[11]) + Number(f[12])
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  return { cpu: ticks / 100, rss: rss * 1024 }
}

function metricSum(text, name) {
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return sum
}

async function startCollector(enrich) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'flowhouse-e2e-'))
  const ports = {
    netflow: await freeUdpPort(),
    sflow: await freeUdpPort(),
    http: await freeUdpPort(),
  }
  const env = {
    ...process.env,
    FLOWHOUSE_DATA_DIR: dataDir,
    FLOWHOUSE_LISTEN_NETFLOW: `127.0.0.1:${ports.netflow}`,
    FLOWHOUSE_LISTEN_IPFIX: '',
    FLOWHOUSE_LISTEN_SFLOW: `127.0.0.1:${ports.sflow}`,
    FLOWHOUSE_HTTP_LISTEN: `127.0.0.1:${ports.http}`,
    FLOWHOUSE_LOG_LEVEL: 'warn',
  }
  if (enrich) {
    Object.assign(env, {
      FLOWHOUSE_ENRICH_LOCAL_PREFIXES: '10.0.0.0/8,192.168.0.0/16,fd00::/8',
      FLOWHOUSE_ENRICH_HOST_ALIASES: JSON.stringify({ '10.0.0.1': 'gateway' }),
      FLOWHOUSE_ENRICH_INTERFACES: JSON.stringify({ '127.1.1.1': { 1: 'ether1', 2: 'bridge' } }),
      // Reverse DNS on, for local addresses, against a server that is not there: lookups
      // time out off the hot path, as they would with a slow resolver.
      FLOWHOUSE_ENRICH_DNS_ENABLED: 'true',
      FLOWHOUSE_ENRICH_DNS_SERVERS: `127.0.0.1:${await freeUdpPort()}`,
    })
  } else {
    Object.assign(env, {
      FLOWHOUSE_ENRICH_GEOIP_COUNTRY_DB: 'off',
      FLOWHOUSE_ENRICH_GEOIP_ASN_DB: 'off',
    })
  }
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
  const base = `http://127.0.0.1:${ports.http}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`collector exited: ${stderr}`)
    try {
      if ((await fetch(`${base}/readyz`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`collector not ready: ${stderr}`)
    await sleep(200)
  }
  const query = async (sql) => {
    const res = await fetch(`${base}/api/query`, { method: 'POST', body: sql })
    const body = await res.json()
    if (!res.ok) throw new Error(`query failed: ${JSON.stringify(body)}`)
    return body.data
  }
  return {
    pid: child.pid,
    ports,
    query,
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Rows stored for exporters whose address starts 127.<group>. */
async function stored(c, group) {
  const rows = await c.query(
    `SELECT count() AS n FROM flows WHERE startsWith(toString(exporter), '::ffff:127.${group}.')`,
  )
  return Number(rows[0]?.n ?? 0)
}

/**
 * Wait until the stored count reaches `sent`, or until it has stopped moving for 4 s
 * with nothing left in the collector (decode queue and writer empty, spool drained).
 */
async function settle(c, group, sent) {
  let last = -1
  let still = 0
  for (let i = 0; i < 240; i++) {
    const n = await stored(c, group)
    if (n >= sent) return n
    const m = await c.metrics()
    const busy =
      metricSum(m, 'flowhouse_decode_queue_batches') +
      metricSum(m, 'flowhouse_writer_pending_rows') +
      metricSum(m, 'flowhouse_writer_spool_files')
    still = n === last && busy === 0 ? still + 1 : 0
    if (still >= 8) return n
    last = n
    await sleep(500)
  }
  return last
}

let group = 0

/** One step: send at `rate` for `seconds` from fresh exporters; sent, stored and costs. */
async function step(c, fx, rate, seconds) {
  group++
  const v9 = await createExporters({
    fixture: fx.v9,
    records: fx.v9Records,
    port: c.ports.netflow,
    group,
    count: EXPORTERS - 2,
  })
  group++
  const sflow = await createExporters({
    fixture: fx.sflow,
    records: fx.sflowRecords,
    port: c.ports.sflow,
    group,
    count: 2,
  })
  const m0 = await c.metrics()
  const p0 = procSample(c.pid)
  let rssMax = p0.rss
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, procSample(c.pid).rss)
  }, 500)
  const [a, b] = await Promise.all([
    v9.run(rate * (1 - SFLOW_SHARE), seconds),
    sflow.run(rate * SFLOW_SHARE, seconds),
  ])
  const p1 = procSample(c.pid)
  const sentV9 = a.flows + v9.primed
  const sentSflow = b.flows + sflow.primed
  const sent = sentV9 + sentSflow
  const n = (await settle(c, group - 1, sentV9)) + (await settle(c, group, sentSflow))
  clearInterval(sampler)
  const m1 = await c.metrics()
  v9.close()
  sflow.close()
  const d = (name) => metricSum(m1, name) - metricSum(m0, name)
  const elapsed = Math.max(a.seconds, b.seconds)
  return {
    rate,
    seconds: elapsed,
    sent,
    stored: n,
    lost: sent - n,
    achievedRate: sent / elapsed,
    cpuPercent: ((p1.cpu - p0.cpu) / elapsed) * 100,
    rssMaxBytes: rssMax,
    drops: {
      kernel: d('flowhouse_listener_kernel_drops_total'),
      queue: d('flowhouse_decode_dropped_datagrams_total'),
      writer: d('flowhouse_writer_dropped_rows_total'),
    },
    // Where the time goes, in seconds per second of the step (one core = 1).
    time: {
      decodeWorkers: d('flowhouse_decode_task_seconds_total') / elapsed,
      insert: d('flowhouse_writer_insert_duration_seconds_sum') / elapsed,
      collectorCpu: (p1.cpu - p0.cpu) / elapsed,
    },
  }
}

const fmtRate = (r) => `${(r / 1000).toFixed(0)}k`

function report(s) {
  return (
    `${fmtRate(s.rate).padStart(6)}/s for ${s.seconds.toFixed(0)} s: sent ${s.sent}, stored ${s.stored}, ` +
    `lost ${s.lost} (kernel ${s.drops.kernel}, queue ${s.drops.queue} datagrams); ` +
    `cpu ${s.cpuPercent.toFixed(0)}%, rss ${(s.rssMaxBytes / 2 ** 20).toFixed(0)} MiB; ` +
    `decode ${s.time.decodeWorkers.toFixed(2)}, insert ${s.time.insert.toFixed(2)} s/s`
  )
}

async function run(fx, enrich) {
  const label = enrich ? 'all enrichers on' : 'enrichers off'
  console.log(`\n== ${label}`)
  const c = await startCollector(enrich)
  const steps = []
  let best = null
  try {
    // Ramp by 1.5x until a step loses flows, then try between the last good rate and it.
    let rate = START_RATE
    let bad = null
    while (rate <= MAX_RATE) {
      const s = await step(c, fx, rate, STEP_SECONDS)
      steps.push(s)
      console.log(`  ramp ${report(s)}`)
      if (s.lost > 0) {
        bad = rate
        break
      }
      best = s
      rate = Math.round(rate * 1.5)
    }
    if (bad !== null && best !== null) {
      const mid = Math.round((best.rate + bad) / 2)
      const s = await step(c, fx, mid, STEP_SECONDS)
      steps.push(s)
      console.log(`  ramp ${report(s)}`)
      if (s.lost === 0) best = s
    }
    // Hold the best rate; step down 10% at a time if it loses flows.
    let hold = null
    let holdRate = best?.rate ?? START_RATE
    for (let attempt = 0; attempt < 4 && holdRate >= 1000; attempt++) {
      const s = await step(c, fx, holdRate, HOLD_SECONDS)
      console.log(`  hold ${report(s)}`)
      steps.push(s)
      if (s.lost === 0) {
        hold = s
        break
      }
      holdRate = Math.round(holdRate * 0.9)
    }
    return { enrich, steps, hold }
  } finally {
    await c.stop()
  }
}

async function main() {
  const all = await loadFixtures()
  const v9 = all.find((f) => f.protocol === 'v9')
  const sflow = all.find((f) => f.protocol === 'sflow')
  const fx = {
    v9,
    v9Records: recordsPerDatagram(v9),
    sflow,
    sflowRecords: recordsPerDatagram(sflow),
  }
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    nproc: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: os.loadavg()[0],
  }
  console.log(
    `flowhouse end-to-end bench: ${machine.cpu}, nproc ${machine.nproc}, ${machine.memoryGiB} GiB, ` +
      `node ${machine.node}; load average ${machine.loadAverageAtStart.toFixed(2)}; ` +
      `steps of ${STEP_SECONDS} s, hold ${HOLD_SECONDS} s; v9 (softflowd) + ${SFLOW_SHARE * 100}% sFlow (pmacct) ` +
      `from ${EXPORTERS} exporters; the load generator runs on the same machine`,
  )
  const runs = [await run(fx, true)]
  if (!args.has('--only-on')) runs.push(await run(fx, false))
  const on = runs[0].hold
  const off = runs[1]?.hold
  console.log('\nSustained with zero loss:')
  for (const r of runs) {
    const h = r.hold
    console.log(
      `  ${r.enrich ? 'enrichers on ' : 'enrichers off'}  ` +
        (h
          ? `${fmtRate(h.achievedRate)} flows/s for ${h.seconds.toFixed(0)} s ` +
            `(${h.sent} sent = ${h.stored} stored), collector cpu ${h.cpuPercent.toFixed(0)}% ` +
            `(of ${machine.nproc * 100}%), rss max ${(h.rssMaxBytes / 2 ** 20).toFixed(0)} MiB, ` +
            `${((h.cpuPercent / 100 / h.achievedRate) * 1e6).toFixed(1)} cpu-s per million flows`
          : 'no lossless rate found'),
    )
  }
  if (on && off) {
    const rateCost = 1 - on.achievedRate / off.achievedRate
    const cpuOn = on.cpuPercent / on.achievedRate
    const cpuOff = off.cpuPercent / off.achievedRate
    console.log(
      `  enrichment cost: ${(rateCost * 100).toFixed(1)}% of sustained throughput, ` +
        `${((cpuOn / cpuOff - 1) * 100).toFixed(1)}% more collector cpu per flow (target <= 25%)`,
    )
  }
  if (on) {
    console.log(
      `  target ${fmtRate(TARGET)} flows/s with enrichers on: ${on.achievedRate >= TARGET ? 'MET' : 'NOT MET'}`,
    )
  }
  machine.loadAverageAtEnd = os.loadavg()[0]
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
  writeFileSync(
    new URL(QUICK ? './out/e2e-quick.json' : './out/e2e.json', import.meta.url),
    JSON.stringify(
      { machine, stepSeconds: STEP_SECONDS, holdSeconds: HOLD_SECONDS, runs },
      null,
      2,
    ),
  )
}

await main()
