// `node bench/household.mjs` (make bench): what issue 23's household features cost, on
// against off, on this machine, in the same run.
//
// Worker path (one core, this thread, as bench/anonymise.mjs): records per second of the
// decode worker's whole per-batch work with every enricher on (off), and with the
// household features that reach the worker on: device names published as the DHCP and
// Pi-hole followers publish them (HOUSEHOLD_NAMES of them) and anonymise.addresses both.
//
// End to end: `flowloft serve` (embedded engine, every enricher on, as bench/e2e.mjs and
// bench/home-rate.mjs start it) fed softflowd NetFlow v9 from one exporter at a fixed
// rate (HOUSEHOLD_RATE flows/s for HOUSEHOLD_SECONDS), three times, each in a new
// collector: `off` (the household features off), `on` (a dnsmasq DHCP leases file naming
// the local addresses the off run stored, a Pi-hole / dnsmasq query log naming the remote
// ones after apps of the bundled list, alerts on, a usage cap and device caps, the rules
// every 10 s, anonymise.addresses both) and `on+clear` (`on` with anonymise.clear_days 3:
// the clear table and the mapping view in ClickHouse). The figure is the process CPU of
// the collector's tree from the start of sending until everything sent is stored and 5 s
// more (bench/home-rate.mjs), per stored flow; flows/s held is what was stored divided by
// the sending time, with stored/sent. Writes bench/out/household.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { loadFixtures } from './fixtures.mjs'
import { flowloftStored, startCollector } from './e2e-collector.mjs'
import { createExporters, recordsPerDatagram } from './loadgen.mjs'
import { treeSample } from './home-peers.mjs'
import { fullEnricher, offAndOn, workerDecoder } from './worker-path.mjs'

const RATE = Number(process.env.HOUSEHOLD_RATE ?? 2000)
const SECONDS = Number(process.env.HOUSEHOLD_SECONDS ?? 30)
const NAMES = Number(process.env.HOUSEHOLD_NAMES ?? 2000)
const SETTLE_SECONDS = 5
const ROUNDS = 5
const KEY = 'cd'.repeat(32)
const OUT = new URL('./out/household.json', import.meta.url)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const APPS = [
  'r3---sn-4g5e6nzz.googlevideo.com',
  'ipv4-c001.oca.nflxvideo.net',
  'us04web.zoom.us',
  'mmg.whatsapp.net',
  'steamcdn-a.akamaihd.net',
  'www.icloud.com',
  'example.org',
]

/** Worker path: the same batches with the household features off and on, interleaved. */
function workerPath(fixtures) {
  const names = new Map()
  for (let i = 0; i < NAMES; i++)
    names.set(`${i % 2 ? '10.0' : '192.168'}.${(i >> 9) & 255}.${(i >> 1) & 255}`, `device-${i}`)
  const out = []
  for (const f of fixtures) {
    const off = workerDecoder(f, fullEnricher())
    const on = workerDecoder(
      f,
      fullEnricher({ anonymise: { key: KEY, local: true, remote: true } }, names),
    )
    const { off: o, on: n } = offAndOn(f, off, on, ROUNDS)
    out.push({ protocol: f.protocol, off: o, on: n, usOff: 1e6 / o, usOn: 1e6 / n, ratio: o / n })
  }
  return out
}

/** The household files for the `on` runs, from the addresses the off run stored. */
async function householdFiles(dir, addresses) {
  const local = addresses.filter((a) => /^(10\.|192\.168\.)/.test(a))
  const remote = addresses.filter((a) => !/^(10\.|192\.168\.|fd|fe80)/.test(a) && !a.includes(':'))
  const expiry = Math.floor(Date.now() / 1000) + 86400
  const hex = (n) => (n & 255).toString(16).padStart(2, '0')
  const leases = local.map(
    (a, i) => `${expiry} 02:00:00:${hex(i >> 16)}:${hex(i >> 8)}:${hex(i)} ${a} device-${i} *`,
  )
  const now = new Date()
  const month = now.toLocaleString('en-US', { month: 'short' })
  const time = now.toTimeString().slice(0, 8)
  const stamp = `${month} ${String(now.getDate()).padStart(2, ' ')} ${time}`
  const client = local[0] ?? '192.168.1.10'
  const log = remote.flatMap((a, i) => {
    const name = APPS[i % APPS.length]
    return [
      `${stamp} dnsmasq[4242]: ${i + 1} ${client}/5353 query[A] ${name} from ${client}`,
      `${stamp} dnsmasq[4242]: ${i + 1} ${client}/5353 reply ${name} is ${a}`,
    ]
  })
  const files = { leases: join(dir, 'dnsmasq.leases'), log: join(dir, 'pihole.log') }
  writeFileSync(files.leases, `${leases.join('\n')}\n`)
  writeFileSync(files.log, `${log.join('\n')}\n`)
  return { ...files, local: local.length, remote: remote.length, device: local[0] ?? '' }
}

function householdEnv(files, clearDays) {
  return {
    FLOWLOFT_ENRICH_DHCP_LEASES: files.leases,
    FLOWLOFT_ENRICH_PIHOLE_LOG: files.log,
    FLOWLOFT_ALERTS_ENABLED: 'true',
    FLOWLOFT_ALERTS_CHECK_SCHEDULE: '*/10 * * * * *',
    FLOWLOFT_USAGE_CAP: '500 GB',
    FLOWLOFT_USAGE_DEVICE_CAPS: JSON.stringify({ 'device-0': '10 GB', 'device-1': '1 MB' }),
    FLOWLOFT_USAGE_CHECK_SCHEDULE: '*/10 * * * * *',
    FLOWLOFT_ANONYMISE_ADDRESSES: 'both',
    FLOWLOFT_ANONYMISE_KEY: KEY,
    FLOWLOFT_ANONYMISE_CLEAR_DAYS: String(clearDays),
  }
}

let group = 150
/** One end-to-end run in a new collector; `after(c)` reads what it needs before it stops. */
async function endToEnd(name, fx, env, after) {
  const c = await startCollector(true, { FLOWLOFT_LISTEN_SFLOW: '', ...env })
  try {
    await sleep(3000)
    group++
    const ex = await createExporters({
      fixture: fx.v9,
      records: fx.v9Records,
      port: c.ports.netflow,
      group,
      count: 1,
    })
    const p0 = treeSample(c.pid)
    const r = await ex.run(RATE, SECONDS)
    const sent = r.flows + ex.primed
    const n = await flowloftStored(c, ex.addresses[0], sent)
    await sleep(SETTLE_SECONDS * 1000)
    const cpu = treeSample(c.pid).cpu - p0.cpu
    ex.close()
    const s = {
      name,
      rate: RATE,
      seconds: r.seconds,
      sent,
      stored: n,
      cpuSeconds: cpu,
      usPerFlow: n > 0 ? (cpu / n) * 1e6 : null,
      held: n / r.seconds,
      extra: after ? await after(c) : undefined,
    }
    console.log(
      `  ${name.padEnd(9)} sent ${s.sent}, stored ${s.stored} (${((s.stored / s.sent) * 100).toFixed(2)}%), held ${s.held.toFixed(0)} flows/s; cpu ${cpu.toFixed(2)} s, ${s.usPerFlow?.toFixed(1) ?? '-'} µs per stored flow`,
    )
    return s
  } finally {
    await c.stop()
  }
}

async function main() {
  const all = await loadFixtures()
  const v9 = all.find((f) => f.protocol === 'v9')
  const load0 = os.loadavg()
  console.log(
    `household features on against off: ${os.cpus()[0]?.model}, nproc ${os.availableParallelism()}, load average ${load0.map((x) => x.toFixed(2)).join(' ')}`,
  )

  const worker = workerPath(all.filter((f) => f.protocol === 'v9' || f.protocol === 'ipfix'))
  console.log(
    '\nworker path, one core, every enricher on: M records/s (µs per record), off / on (names + anonymise both)',
  )
  for (const w of worker)
    console.log(
      `  ${w.protocol.padEnd(6)} ${(w.off / 1e6).toFixed(2)} (${w.usOff.toFixed(3)}) / ${(w.on / 1e6).toFixed(2)} (${w.usOn.toFixed(3)}): on costs ${w.ratio.toFixed(2)}x`,
    )

  console.log(
    `\nend to end, softflowd v9 at ${RATE} flows/s for ${SECONDS} s, each in a new collector:`,
  )
  const fx = { v9, v9Records: recordsPerDatagram(v9) }
  let addresses = []
  const off = await endToEnd('off', fx, {}, async (c) => {
    const rows = await c.query(
      `SELECT DISTINCT replaceOne(toString(a), '::ffff:', '') AS a FROM (SELECT arrayJoin([src_addr, dst_addr]) AS a FROM flows) LIMIT 20000`,
    )
    addresses = rows.map((r) => r.a)
  })
  const dir = mkdtempSync(join(os.tmpdir(), 'fl-household-'))
  const files = await householdFiles(dir, addresses)
  console.log(`  (household files: ${files.local} leases, ${files.remote} names in the query log)`)
  const named = async (c) => {
    const [r] = await c.query(
      `SELECT countIf(src_host != '' OR dst_host != '') AS named, countIf(app != '') AS apps, count() AS n, countIf(src_host LIKE '%.%' OR dst_host LIKE '%.%') AS remoteNamed FROM flows_clear`,
    )
    return r
  }
  let runs
  try {
    const on = await endToEnd('on', fx, householdEnv(files, 0))
    const clear = await endToEnd('on+clear', fx, householdEnv(files, 3), named)
    runs = [off, on, clear]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log('\nCPU µs per stored flow, on / off:')
  for (const r of runs.slice(1))
    console.log(
      `  ${r.name.padEnd(9)} ${r.usPerFlow.toFixed(1)} / ${off.usPerFlow.toFixed(1)} = ${(r.usPerFlow / off.usPerFlow).toFixed(2)}x; held ${r.held.toFixed(0)} / ${off.held.toFixed(0)} flows/s`,
    )
  const c = runs[2].extra
  if (c)
    console.log(
      `  on+clear: of ${c.n} clear rows ${c.named} have a host name, ${c.remoteNamed} a remote one from the query log, ${c.apps} an app`,
    )
  const load1 = os.loadavg()
  console.log(`load average at end ${load1.map((x) => x.toFixed(2)).join(' ')}`)
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
  writeFileSync(
    OUT,
    `${JSON.stringify({ machine: { cpu: os.cpus()[0]?.model, nproc: os.availableParallelism(), node: process.version, loadAverageAtStart: load0, loadAverageAtEnd: load1 }, rate: RATE, seconds: SECONDS, names: NAMES, worker, endToEnd: runs }, null, 2)}\n`,
  )
  console.log(`written to ${OUT.pathname}`)
}

await main()
