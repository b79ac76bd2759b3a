// `make bench`, what each rollup view adds to an insert: the same rows inserted into
// flows on the embedded engine (in this process: its CPU time is ours), first with every
// materialized view of the schema, then with the views detached one step at a time
// (each step keeps the previous ones detached; a chain's later links go first), so each
// step's difference is one view's CPU per inserted row. The merges are stopped, so only
// the inserts count; inserts of INSERT_VIEWS_ROWS (default 30,000) rows, the size of a
// window at 1,000 flows/s, three per step, rounds interleaved, the median of three.
// Then an insert's fixed cost: inserts of FIXED_ROWS (default 100) rows with every view and
// with none, interleaved (FIXED_ROUNDS, default 15): CPU per insert, the kernel's share of
// it, and the parts one insert writes.
// Then the rollup job's cost (clickhouse/rollup-schedule.ts): an hour of a home network
// rolled into the hours, days and pairs, in µs of CPU per flow of the hour.
// Rows: a home network's shape (30 devices, many remote addresses, four services), all
// distinct within the minute, as most flows of one minute are. Writes
// bench/out/insert-views.json.
import { mkdtempSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { join } from 'node:path'
import { createLogger, migrate, openEngine, rollDue } from '@flowloft/collector'
import { rawInsert } from './history-fill.mjs'
import { machineFacts, writeResult } from './machine.mjs'

const ROWS = Number(process.env.INSERT_VIEWS_ROWS ?? 30_000)
const INSERTS = 3
/** An hour at 1,000 flows/s, for the rollup job's cost. */
const ROLL_FLOWS = 3_600_000
const ROUNDS = 3
const FIXED_ROWS = Number(process.env.INSERT_VIEWS_FIXED_ROWS ?? 100)
const FIXED_ROUNDS = Math.max(1, Number(process.env.INSERT_VIEWS_FIXED_ROUNDS ?? 15))
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
/**
 * Cumulative steps: the views each one detaches (the schema's, schema/0002-0011). The
 * first has the scheduled rollups' marks a day ahead, so their views pass every row, as
 * before schema/0011; the others have them at the current hour, as the rollup job keeps
 * them, so their views pass nothing. The first two insert with the tables' merge on
 * insert, as the writer did before; the others without it, as the writer does now
 * (clickhouse/writer-insert.ts).
 */
const MERGE_ON_INSERT = { optimize_on_insert: 1 }
const STEPS = [
  ['every row through every view (before 0011)', [], MERGE_ON_INSERT],
  ['every view, the rollup job rolling (0011)', [], MERGE_ON_INSERT],
  ['every view, no merge on insert (the writer now)', []],
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

function rows(seed, n = ROWS) {
  const now = Math.floor(Date.now() / 1000)
  const lines = []
  for (let i = 0; i < n; i++) {
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

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
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
const insertOne = (body, settings = { optimize_on_insert: 0 }) =>
  engine.insertRows({
    table: 'flowloft.flows',
    columns: COLUMNS,
    format: 'TabSeparated',
    body: [body],
    settings: { ...settings, async_insert: 0, insert_deduplication_token: randomUUID() },
  })
async function insertAll(settings) {
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < INSERTS; i++) await insertOne(rows(seed++), settings)
  const cpu = process.cpuUsage(cpu0)
  return (cpu.user + cpu.system) / (INSERTS * ROWS)
}

/** The scheduled rollups' marks: at the current hour (or `at`) and day, or a day ahead. */
async function setMarks(ahead, at = Math.floor(Date.now() / 3_600_000) * 3600) {
  const hour = at + (ahead ? 86400 : 0)
  const day = Math.floor(hour / 86400) * 86400
  await command('TRUNCATE TABLE flowloft.rollup_fill')
  await command(`INSERT INTO flowloft.rollup_fill VALUES ('flows_hosts_1h', ${hour}),
    ('flows_hosts_1d', ${day}), ('flows_pairs_1d', ${day})`)
}

/** One small insert's CPU in ms, and the kernel's part of it. */
async function smallInsert() {
  const body = rows(seed++, FIXED_ROWS)
  const cpu0 = process.cpuUsage()
  await insertOne(body)
  const cpu = process.cpuUsage(cpu0)
  return { ms: (cpu.user + cpu.system) / 1000, systemMs: cpu.system / 1000 }
}

const activeParts = async () => {
  const [{ n }] = await (
    await engine.client.query({
      query: "SELECT count() AS n FROM system.parts WHERE database = 'flowloft' AND active",
      format: 'JSONEachRow',
    })
  ).json()
  return Number(n)
}

let got
let fixed
let roll
try {
  await migrate(engine.client)
  await command('SYSTEM STOP MERGES')
  await setMarks(false)
  await insertAll() // warm-up
  got = Object.fromEntries(STEPS.map(([name]) => [name, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const detached = []
    for (const [name, views, settings] of STEPS) {
      await setMarks(name === STEPS[0][0])
      for (const v of views) {
        await command(`DETACH TABLE flowloft.${v}`)
        detached.push(v)
      }
      got[name].push(await insertAll(settings))
    }
    for (const v of detached) await command(`ATTACH TABLE flowloft.${v}`)
  }
  // An insert's fixed cost (the marks at the current hour, as the job keeps them).
  await setMarks(false)
  const views = (
    await (
      await engine.client.query({
        query:
          "SELECT name FROM system.tables WHERE database = 'flowloft' AND engine = 'MaterializedView'",
        format: 'JSONEachRow',
      })
    ).json()
  ).map((t) => t.name)
  const parts0 = await activeParts()
  await smallInsert()
  fixed = { rows: FIXED_ROWS, rounds: FIXED_ROUNDS, partsPerInsert: (await activeParts()) - parts0 }
  const every = []
  const none = []
  // Which comes first alternates, so neither always follows the views' ATTACH.
  for (let r = 0; r < FIXED_ROUNDS; r++) {
    if (r % 2 === 0) every.push(await smallInsert())
    for (const v of views) await command(`DETACH TABLE flowloft.${v}`)
    none.push(await smallInsert())
    for (const v of views) await command(`ATTACH TABLE flowloft.${v}`)
    if (r % 2 === 1) every.push(await smallInsert())
  }
  const med = (xs, k) => median(xs.map((x) => x[k]))
  fixed.everyView = { ms: med(every, 'ms'), systemMs: med(every, 'systemMs') }
  fixed.flowsAlone = { ms: med(none, 'ms'), systemMs: med(none, 'systemMs') }
  fixed.samples = { every, none }

  // What the rollup job costs instead: a home network's last whole hour at 1,000 flows/s
  // (bench/history-fill.mjs's rows) through the views into the hosts' minutes, merged as
  // they are by the time the hour is rolled; then its roll into the hours, and into the
  // days and pairs (CPU per flow of the hour).
  await command('SYSTEM START MERGES')
  for (const t of ['flows', 'flows_hosts_1m', 'flows_hosts_1h', 'flows_hosts_1d', 'flows_pairs_1d'])
    await command(`TRUNCATE TABLE flowloft.${t}`)
  const hour = Math.floor(Date.now() / 3_600_000) * 3600 - 3600
  await setMarks(false, hour)
  await command(rawInsert(hour, ROLL_FLOWS))
  await command('OPTIMIZE TABLE flowloft.flows_hosts_1m FINAL')
  const [{ minutes }] = await (
    await engine.client.query({
      query: 'SELECT count() AS minutes FROM flowloft.flows_hosts_1m',
      format: 'JSONEachRow',
    })
  ).json()
  const cpuOf = async (now) => {
    const cpu0 = process.cpuUsage()
    const ranges = await rollDue(engine.client, { now, settleSeconds: 0 })
    const cpu = process.cpuUsage(cpu0)
    return { ranges: ranges.length, usPerFlow: (cpu.user + cpu.system) / ROLL_FLOWS }
  }
  roll = {
    flows: ROLL_FLOWS,
    minuteRows: Number(minutes),
    hours: await cpuOf(hour + 3600),
    days: await cpuOf(hour + 3 * 86400),
  }
} finally {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
}

const steps = STEPS.map(([name], i) => {
  const us = median(got[name])
  const before = i === 0 ? undefined : median(got[STEPS[i - 1][0]])
  return {
    name,
    detaches: STEPS[i][1].length > 0,
    usPerRow: us,
    viewUsPerRow: before === undefined ? undefined : before - us,
  }
})
console.log(
  `\ninsert views: µs of CPU per row, inserts of ${ROWS.toLocaleString('en')} rows into flows, merges stopped (median of ${ROUNDS})`,
)
for (const s of steps)
  console.log(
    `  ${(s.detaches ? `without ${s.name}` : s.name).padEnd(50)}${s.usPerRow.toFixed(2).padStart(7)}` +
      (s.viewUsPerRow === undefined
        ? ''
        : `   (${s.detaches ? 'the view' : 'saved'}: ${s.viewUsPerRow.toFixed(2)})`),
  )
console.log(
  `  an insert of ${fixed.rows} rows (median of ${fixed.rounds}): every view ${fixed.everyView.ms.toFixed(1)} ms of CPU ` +
    `(kernel ${fixed.everyView.systemMs.toFixed(1)}), ${fixed.partsPerInsert} parts; flows alone ` +
    `${fixed.flowsAlone.ms.toFixed(1)} ms (kernel ${fixed.flowsAlone.systemMs.toFixed(1)})`,
)
console.log(
  `  the rollup job, an hour of ${roll.flows.toLocaleString('en')} flows in ${roll.minuteRows.toLocaleString('en')} rows of flows_hosts_1m: ` +
    `its hours ${roll.hours.usPerFlow.toFixed(2)} µs per flow, its days and pairs ${roll.days.usPerFlow.toFixed(2)}`,
)
console.log(
  `  load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
)
writeResult('insert-views.json', {
  machine: machineFacts(loadAverageAtStart),
  rows: ROWS,
  inserts: INSERTS,
  rounds: ROUNDS,
  steps,
  fixed,
  roll,
  samples: got,
})
