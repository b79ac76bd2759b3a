// `node bench/anonymise-clear.mjs`: what anonymise.clear_days costs ClickHouse. With it on
// the writer inserts clear rows into flows_clear and the view flows_clear_mv maps the
// addresses in SQL (Crypto-PAn, 32 AES blocks an IPv4 address, 128 an IPv6 one) into
// flows. Measured on the embedded engine, in this process (its CPU time is ours): the same
// rows inserted into flows directly (as with clear_days 0: the workers mapped them) and
// into flows_clear with the view, modes local and both, interleaved rounds, in batches
// of a quiet home network's size. Rows: 90% IPv4, 10% IPv6, inbound and outbound, no
// post-NAT address, a next hop on half. Writes bench/out/anonymise-clear.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { join } from 'node:path'
import { createLogger, migrate, openEngine, prepareClearStorage } from '@flowloft/collector'

const BATCH = Number(process.env.CLEAR_BATCH ?? 250)
const BATCHES = Number(process.env.CLEAR_BATCHES ?? 16)
const ROUNDS = 3
const COLUMNS = [
  'time_received',
  'src_addr',
  'dst_addr',
  'next_hop',
  'direction',
  'src_host',
  'dst_host',
  'src_port',
  'dst_port',
  'proto',
  'bytes',
  'packets',
]
const log = createLogger('error')

function rows(seed) {
  const now = Math.floor(Date.now() / 1000)
  const lines = []
  for (let i = 0; i < BATCH; i++) {
    const k = seed * BATCH + i
    const v6 = k % 10 === 0
    const home = v6 ? `2001:db8:1::${(k % 40) + 1}` : `::ffff:192.168.1.${(k % 40) + 1}`
    const far = v6
      ? `2a00:1450:4001:${(k % 997).toString(16)}::${((k * 7) % 65535).toString(16)}`
      : `::ffff:${((k * 13) % 223) + 1}.${k % 251}.${(k * 3) % 256}.${(k * 11) % 256}`
    const out = k % 2 === 0
    const hop = k % 4 < 2 ? '::ffff:192.168.1.254' : '::'
    lines.push(
      [
        now,
        out ? home : far,
        out ? far : home,
        hop,
        out ? 'outbound' : 'inbound',
        out ? 'laptop' : 'example.org',
        out ? 'example.org' : 'laptop',
        40000 + (k % 1000),
        443,
        6,
        1500,
        3,
      ].join('\t'),
    )
  }
  return Buffer.from(lines.join('\n') + '\n')
}

const dir = mkdtempSync(join(os.tmpdir(), 'fl-bench-clear-'))
const engine = await openEngine({
  url: '',
  dataDir: dir,
  limits: { maxExecutionSeconds: 120, maxResultRows: 1000 },
  log,
})
await migrate(engine.client)
const bodies = Array.from({ length: BATCHES }, (_, i) => rows(i))

async function run(table) {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const body of bodies)
    await engine.insertRows({
      table,
      columns: COLUMNS,
      format: 'TabSeparated',
      body: [body],
      settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
    })
  const cpu = process.cpuUsage(cpu0)
  return { cpuUs: (cpu.user + cpu.system) / (BATCH * BATCHES), wallMs: performance.now() - t0 }
}

const key = 'ab'.repeat(32)
const variants = {
  off: { table: 'flowloft.flows', clear: null },
  local: { table: 'flowloft.flows_clear', clear: { mode: 'local', key, days: 3 } },
  both: { table: 'flowloft.flows_clear', clear: { mode: 'both', key, days: 3 } },
}
const got = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
await run('flowloft.flows') // warm-up
for (let r = 0; r < ROUNDS; r++)
  for (const [name, v] of Object.entries(variants)) {
    await prepareClearStorage(engine.client, v.clear, log)
    got[name].push((await run(v.table)).cpuUs)
  }
await engine.close()
rmSync(dir, { recursive: true, force: true })

const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1]
const off = median(got.off)
const result = Object.fromEntries(Object.entries(got).map(([k, xs]) => [k, median(xs)]))
console.log(
  `\nanonymise.clear_days: ClickHouse CPU per 1,000 rows, inserts of ${BATCH} rows (median of ${ROUNDS})`,
)
const ms = (us) => `${us.toFixed(0).padStart(6)} ms`
console.log(`  into flows directly (clear_days 0)     ${ms(off)}`)
for (const m of ['local', 'both'])
  console.log(
    `  into flows_clear, view mode ${m.padEnd(6)}    ${ms(result[m])}   (+${ms(result[m] - off).trim()})`,
  )
console.log(
  `  loadavg ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
)
mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('./out/anonymise-clear.json', import.meta.url),
  JSON.stringify(
    {
      batchRows: BATCH,
      batches: BATCHES,
      rounds: ROUNDS,
      cpuUsPerRow: result,
      samples: got,
      loadavg: os.loadavg(),
      nproc: os.availableParallelism(),
    },
    null,
    2,
  ),
)
