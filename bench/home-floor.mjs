// `make bench`, the floor under flowloft's home-rate figures (bench/home-rate.mjs): what
// the parts the project is built on cost on this machine before flowloft does anything of
// its own. Each is measured in a process that does only that one thing:
// - Node.js alone, idle: resident memory;
// - the embedded engine (chdb in Node.js) with flowloft's schema migrated, idle 20 s:
//   resident memory and what it is made of (bench/home-threads.mjs);
// - receiving alone: a Node.js UDP socket that only counts datagrams, sent the home-rate
//   bench's softflowd NetFlow v9 export at 1,000 flows/s for FLOOR_SECONDS (default 30)
//   from one exporter: process CPU per flow received, each datagram read as it comes,
//   then read in bursts as the collector's listener reads a quiet socket
//   (listener/paced-reads.ts, listen.quiet_read_ms at its default of 1 s);
// - the engine storing the collector's own rows (that export decoded with every enricher,
//   as RowBinary, the writer's format): inserts of FLOOR_ROWS (default 30,000, what a
//   window holds at 1,000 flows/s) into `flows` with every view of the schema, and with
//   every view detached (the raw table alone), merges stopped, interleaved rounds, the
//   median; then the raw table's parts merged into one (OPTIMIZE FINAL, with any merge
//   the engine starts itself meanwhile; the other tables' merges stay stopped), per row
//   merged (system.events MergedRows).
// It then sets the floor beside issue #22's goals: the receive in bursts, the insert with
// the schema's views and one merge of the raw table, per flow, against 8 µs per flow (the
// engine's own work, before decoding, enrichment, the rollup tables' merges or any job);
// the engine's idle memory against 300 MiB idle and 350 MiB at 1,000 flows/s. CPU is the processes' own threads' clocks. Writes bench/out/home-floor.json.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { createSocket } from 'node:dgram'
import { fileURLToPath } from 'node:url'
import { DatagramBatch, INSERT_COLUMNS } from '@flowloft/decoder-wasm'
import { createLogger, migrate, openEngine } from '@flowloft/collector'
import { loadFixtures } from './fixtures.mjs'
import { createExporters, recordsPerDatagram } from './loadgen.mjs'
import { memorySplit } from './home-threads.mjs'
import { machineFacts, writeResult } from './machine.mjs'
import { MALLOC_ENV } from './e2e-collector.mjs'
import { EXPORTER, EXPORTER_PORT, fullEnricher, workerDecoder } from './worker-path.mjs'
import { pacedReads } from '../collector/dist/listener/paced-reads.js'
import { udpSocketStats } from '../collector/dist/observability/proc-net.js'

const SECONDS = Number(process.env.FLOOR_SECONDS ?? 30)
const ROWS = Number(process.env.FLOOR_ROWS ?? 30_000)
const ROUNDS = 5
const IDLE_MS = 20_000
const RATE = 1000
const GOAL_US = 8
const GOAL_IDLE_MIB = 300
const GOAL_BUSY_MIB = 350
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const mib = (b) => b / 2 ** 20

/** A child's messages are the lines of its stdout that start with this. */
const TAG = 'floor '
const say = (o) => process.stdout.write(`${TAG}${JSON.stringify(o)}\n`)

/**
 * Runs `args` (node's) as a child; `onMessage` gets each message it says and the child.
 * Resolves with its last message once it exits, rejects on a failure, a silent exit, or
 * after `timeoutMs`.
 */
function child(args, onMessage = async () => {}, timeoutMs = 600_000) {
  const p = spawn(process.execPath, args, {
    env: { ...MALLOC_ENV, ...process.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let last
  let buf = ''
  let failed
  return new Promise((resolve, reject) => {
    const fail = (err) => {
      failed ??= err
      p.kill('SIGKILL')
    }
    const timer = setTimeout(
      () => fail(new Error(`${args.at(-1)}: no end in ${timeoutMs} ms`)),
      timeoutMs,
    )
    p.stdout.on('data', (d) => {
      buf += d
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        if (!line.startsWith(TAG)) continue
        last = JSON.parse(line.slice(TAG.length))
        onMessage(last, p).catch(fail)
      }
    })
    p.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (failed) reject(failed)
      else if (code !== 0) reject(new Error(`${args.at(-1)} exited ${code ?? signal}`))
      else if (last === undefined) reject(new Error(`${args.at(-1)} said nothing`))
      else resolve(last)
    })
  })
}

const self = (mode) => [fileURLToPath(import.meta.url), mode]

/** CPU seconds of a process's threads, from their clocks (ns, /proc/PID/task/TID/schedstat). */
function cpuOf(pid) {
  let ns = 0
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ns / 1e9
}

/**
 * Child: a socket that counts datagrams, with the listener's receive buffer; `paced`, read
 * in bursts as the listener reads a quiet one. Says its port, and its count on SIGTERM.
 */
async function receiver(paced) {
  let datagrams = 0
  const s = createSocket({ type: 'udp4', recvBufferSize: 32 << 20 })
  let pace
  s.on('message', (msg) => {
    datagrams++
    pace?.saw(msg.byteLength)
  })
  await new Promise((r) => s.bind(0, '127.0.0.1', r))
  const port = s.address().port
  if (paced)
    pace = pacedReads(s, {
      quietMs: 1000,
      drops: () => udpSocketStats([port]).get(port)?.drops ?? 0,
    })
  say({ port })
  process.on('SIGTERM', () => {
    say({ datagrams, pauses: pace?.pauses ?? 0 })
    process.exit(0)
  })
}

/** Child: the engine with the schema, idle, then storing the collector's rows. */
async function engineChild() {
  const dir = mkdtempSync(join(os.tmpdir(), 'fl-bench-floor-'))
  const engine = await openEngine({
    url: '',
    dataDir: dir,
    limits: { maxExecutionSeconds: 600, maxResultRows: 1000 },
    log: createLogger('error'),
  })
  const command = (query) => engine.client.command({ query })
  const read = async (query) => (await engine.client.query({ query, format: 'JSONEachRow' })).json()
  try {
    await migrate(engine.client)
    await sleep(IDLE_MS)
    const idle = { rssBytes: process.memoryUsage().rss, ...memorySplit(process.pid) }
    // The rows, decoded before any insert is measured.
    const fixture = (await loadFixtures()).find((f) => f.protocol === 'v9')
    const decoder = workerDecoder(fixture, fullEnricher())
    let cursor = 0
    const decode = (datagrams) => {
      const b = new DatagramBatch(4 << 20, 2048)
      for (const d of datagrams) b.add(d, EXPORTER, EXPORTER_PORT, Date.now())
      const r = decoder.decode(b.take())
      return r.binary.map((c, i) => ({ body: Buffer.from(c), rows: r.binaryRows[i] }))
    }
    const batch = () => {
      const body = []
      let rows = 0
      while (rows < ROWS) {
        const ds = Array.from({ length: 30 }, () => fixture.data[cursor++ % fixture.data.length])
        for (const c of decode(ds)) {
          body.push(c.body)
          rows += c.rows
        }
      }
      return { body, rows }
    }
    const insert = async (b) => {
      const c0 = process.cpuUsage()
      await engine.insertRows({
        table: 'flowloft.flows',
        columns: INSERT_COLUMNS,
        format: 'RowBinary',
        body: b.body,
        settings: {
          optimize_on_insert: 0,
          async_insert: 0,
          insert_deduplication_token: randomUUID(),
        },
      })
      const c = process.cpuUsage(c0)
      return (c.user + c.system) / b.rows
    }
    const views = (
      await read(
        "SELECT name FROM system.tables WHERE database = 'flowloft' AND engine = 'MaterializedView'",
      )
    ).map((t) => t.name)
    await command('SYSTEM STOP MERGES')
    await insert(batch()) // warm-up
    const every = []
    const alone = []
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) every.push(await insert(batch()))
      for (const v of views) await command(`DETACH TABLE flowloft.${v}`)
      alone.push(await insert(batch()))
      for (const v of views) await command(`ATTACH TABLE flowloft.${v}`)
      if (r % 2 === 1) every.push(await insert(batch()))
    }
    // Every merge of the raw table's parts, the one asked for and any the engine starts
    // itself once allowed, per row they merged (the other tables' merges stay stopped).
    const merged = async () =>
      Number(
        (await read("SELECT value FROM system.events WHERE event = 'MergedRows'"))[0]?.value ?? 0,
      )
    const [{ parts, stored }] = await read(
      "SELECT count() AS parts, sum(rows) AS stored FROM system.parts WHERE database = 'flowloft' AND table = 'flows' AND active",
    )
    const m0 = await merged()
    const c0 = process.cpuUsage()
    await command('SYSTEM START MERGES flowloft.flows')
    await command('OPTIMIZE TABLE flowloft.flows FINAL')
    const c = process.cpuUsage(c0)
    const rows = (await merged()) - m0
    await command('SYSTEM START MERGES')
    say({
      idle,
      views: views.length,
      rounds: ROUNDS,
      insertEveryViewUsPerRow: median(every),
      insertFlowsAloneUsPerRow: median(alone),
      merge: {
        rows,
        parts: Number(parts),
        stored: Number(stored),
        usPerRow: (c.user + c.system) / rows,
      },
    })
  } finally {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A receiver child (`mode`) sent the export at RATE for SECONDS, after a warm-up of 3 s
 * (which also lets a paced one see a quiet window): its CPU per flow sent. Throws unless
 * it received every datagram.
 */
async function receiveAlone(fixture, mode, group) {
  let sent
  const got = await child(self(mode), async (msg, p) => {
    if (msg.port === undefined) return
    const ex = await createExporters({
      fixture,
      records: recordsPerDatagram(fixture),
      port: msg.port,
      group,
      count: 1,
    })
    try {
      const warm = await ex.run(RATE, 3)
      const cpu0 = cpuOf(p.pid)
      sent = await ex.run(RATE, SECONDS)
      // A paused socket's last window is read at the end of its pause.
      await sleep(1500)
      sent.cpuSeconds = cpuOf(p.pid) - cpu0
      sent.total = fixture.prime.length + warm.datagrams + sent.datagrams
    } finally {
      ex.close()
      p.kill('SIGTERM')
    }
  })
  if (got.datagrams !== sent.total)
    throw new Error(`${mode}: received ${got.datagrams} of ${sent.total} datagrams`)
  return {
    sent: sent.total,
    received: got.datagrams,
    pauses: got.pauses,
    flows: sent.flows,
    cpuSeconds: sent.cpuSeconds,
    usPerFlow: (sent.cpuSeconds / sent.flows) * 1e6,
  }
}

async function main() {
  const loadAverageAtStart = os.loadavg()[0]
  const bareNode = await child([
    '-e',
    `setTimeout(() => console.log('${TAG}' + JSON.stringify({ rssBytes: process.memoryUsage().rss })), 3000)`,
  ])
  const engine = await child(self('engine'))
  const fixture = (await loadFixtures()).find((f) => f.protocol === 'v9')
  const asComes = await receiveAlone(fixture, 'receiver', 250)
  const inBursts = await receiveAlone(fixture, 'receiver-paced', 251)
  const floorUs = inBursts.usPerFlow + engine.insertEveryViewUsPerRow + engine.merge.usPerRow
  const result = {
    machine: { ...machineFacts(loadAverageAtStart), loadAverageAtEnd: os.loadavg()[0] },
    rate: RATE,
    seconds: SECONDS,
    rows: ROWS,
    bareNodeRssBytes: bareNode.rssBytes,
    engine,
    receive: { asComes, inBursts },
    floorUsPerFlow: floorUs,
    goals: { usPerFlow: GOAL_US, idleRssMiB: GOAL_IDLE_MIB, busyRssMiB: GOAL_BUSY_MIB },
  }
  const i = engine.idle
  console.log('\nhome-rate floor: the parts flowloft is built on, each alone')
  console.log(`  Node.js alone, idle: rss ${mib(bareNode.rssBytes).toFixed(0)} MiB`)
  console.log(
    `  the embedded engine with the schema, idle: rss ${mib(i.rssBytes).toFixed(0)} MiB ` +
      `(${mib(i.anonBytes).toFixed(0)} anonymous; ${i.largestFiles.map((f) => `${f.name} ${mib(f.bytes).toFixed(0)}`).join(', ')} MiB mapped)`,
  )
  for (const [how, r] of [
    ['each datagram as it comes', asComes],
    ['in bursts (listen.quiet_read_ms)', inBursts],
  ])
    console.log(
      `  receiving alone, ${how}, ${RATE} flows/s for ${SECONDS} s: ${r.sent} datagrams sent, ` +
        `${r.received} received (${r.pauses} pauses), ${r.usPerFlow.toFixed(1)} µs of CPU per flow`,
    )
  console.log(
    `  inserts of ${ROWS.toLocaleString('en')} decoded rows into flows (median of ${ROUNDS}): ` +
      `with the schema's ${engine.views} views ${engine.insertEveryViewUsPerRow.toFixed(2)} µs per row, ` +
      `the raw table alone ${engine.insertFlowsAloneUsPerRow.toFixed(2)}; merging its ` +
      `${engine.merge.parts} parts into one ${engine.merge.usPerRow.toFixed(2)} µs per row merged ` +
      `(${(engine.merge.rows / engine.merge.stored).toFixed(1)} merges per row)`,
  )
  console.log(
    `  floor per flow (receiving in bursts + the insert with its views + one merge of a row): ` +
      `${floorUs.toFixed(1)} µs against the goal of ${GOAL_US}; the engine idle ` +
      `${mib(i.rssBytes).toFixed(0)} MiB against ${GOAL_IDLE_MIB} idle and ${GOAL_BUSY_MIB} at ${RATE} flows/s`,
  )
  writeResult('home-floor.json', result)
}

const mode = process.argv[2]
if (mode === 'receiver') await receiver(false)
else if (mode === 'receiver-paced') await receiver(true)
else if (mode === 'engine') await engineChild()
else await main()
