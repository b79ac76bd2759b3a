// `make bench`, what each rollup view adds to an insert: the same rows inserted into
// flows on the embedded engine (in this process: its CPU time is ours), first with every
// materialized view of the schema, then with the views detached one step at a time
// (each step keeps the previous ones detached; a chain's later links go first), so each
// step's difference is one view's CPU per inserted row. The merges are stopped, so only
// the inserts count; inserts of INSERT_VIEWS_ROWS (default 30,000) rows, the size of a
// window at 1,000 flows/s, three per step, rounds interleaved, the median of three.
// Rows: a home network's shape (30 devices, many remote addresses, four services), all
// distinct within the minute, as most flows of one minute are. Writes
// bench/out/insert-views.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { join } from 'node:path'
import { createLogger, migrate, openEngine } from '@flowloft/collector'

const ROWS = Number(process.env.INSERT_VIEWS_ROWS ?? 30_000)
const INSERTS = 3
const ROUNDS = 3
const COLUMNS = [
  'time_received',
  'src_addr',
  'dst_addr',
  'direction',
  'src_host',
  'dst_host',
  'src_port',
  'dst_port',
  'proto',
  'bytes',
  'packets',
  'src_country',
  'dst_country',
  'src_as',
  'dst_as',
]
/** Cumulative steps: the views each one detaches (the schema's, schema/0002-0010). */
const STEPS = [
  ['every view', []],
  ['flows_pairs_1d_mv', ['flows_pairs_1d_mv']],
  ['flows_hosts_1d_mv', ['flows_hosts_1d_mv']],
  ['flows_hosts_1h_mv', ['flows_hosts_1h_mv']],
  ['flows_hosts_1m_mv', ['flows_hosts_1m_mv']],
  ['device_traffic_1h_mv', ['device_traffic_1h_mv']],
  ['flows_1d_mv', ['flows_1d_mv']],
  ['device_seen_mv', ['device_seen_mv']],
  ['flows_1h_mv', ['flows_1h_mv']],
  ['flows_1m_mv', ['flows_1m_mv']],
  ['exporters, interfaces, as_names', ['exporters_mv', 'interfaces_mv', 'as_names_mv']],
]

function rows(seed) {
  const now = Math.floor(Date.now() / 1000)
  const lines = []
  for (let i = 0; i < ROWS; i++) {
    const k = seed * ROWS + i
    const out = k % 2 === 0
    const home = `::ffff:192.168.1.${(k % 30) + 1}`
    const far = `::ffff:${((k * 13) % 223) + 1}.${(k >> 3) % 251}.${(k * 3) % 256}.${(k * 11) % 16}`
    lines.push(
      [
        now - (k % 30),
        out ? home : far,
        out ? far : home,
        out ? 'outbound' : 'inbound',
        out ? 'laptop.lan' : 'example.org',
        out ? 'example.org' : 'laptop.lan',
        40000 + (k % 1000),
        [443, 53, 80, 123][k % 4],
        6,
        1500,
        3,
        'US',
        'DE',
        64500 + (k % 600),
        64501,
      ].join('\t'),
    )
  }
  return Buffer.from(`${lines.join('\n')}\n`)
}

const loadAverageAtStart = os.loadavg()[0]
const dir = mkdtempSync(join(os.tmpdir(), 'fl-bench-views-'))
const engine = await openEngine({
  url: '',
  dataDir: dir,
  limits: { maxExecutionSeconds: 120, maxResultRows: 1000 },
  log: createLogger('error'),
})
const command = (query) => engine.client.command({ query })
let seed = 0
async function insertAll() {
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < INSERTS; i++)
    await engine.insertRows({
      table: 'flowloft.flows',
      columns: COLUMNS,
      format: 'TabSeparated',
      body: [rows(seed++)],
      settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
    })
  const cpu = process.cpuUsage(cpu0)
  return (cpu.user + cpu.system) / (INSERTS * ROWS)
}

let got
try {
  await migrate(engine.client)
  await command('SYSTEM STOP MERGES')
  await insertAll() // warm-up
  got = Object.fromEntries(STEPS.map(([name]) => [name, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const detached = []
    for (const [name, views] of STEPS) {
      for (const v of views) {
        await command(`DETACH TABLE flowloft.${v}`)
        detached.push(v)
      }
      got[name].push(await insertAll())
    }
    for (const v of detached) await command(`ATTACH TABLE flowloft.${v}`)
  }
} finally {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const steps = STEPS.map(([name], i) => {
  const us = median(got[name])
  const before = i === 0 ? undefined : median(got[STEPS[i - 1][0]])
  return { name, usPerRow: us, viewUsPerRow: before === undefined ? undefined : before - us }
})
console.log(
  `\ninsert views: µs of CPU per row, inserts of ${ROWS.toLocaleString('en')} rows into flows, merges stopped (median of ${ROUNDS})`,
)
for (const s of steps)
  console.log(
    `  ${(s.viewUsPerRow === undefined ? s.name : `without ${s.name}`).padEnd(44)}${s.usPerRow.toFixed(2).padStart(7)}` +
      (s.viewUsPerRow === undefined ? '' : `   (the view: ${s.viewUsPerRow.toFixed(2)})`),
  )
console.log(
  `  load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
)
const machine = {
  cpu: os.cpus()[0]?.model,
  nproc: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  loadAverageAtStart,
}
mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('./out/insert-views.json', import.meta.url),
  `${JSON.stringify({ machine, rows: ROWS, inserts: INSERTS, rounds: ROUNDS, steps, samples: got }, null, 2)}\n`,
)
