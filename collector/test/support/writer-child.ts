// A writer in a process of its own, for tests that take its file descriptors away:
// `node writer-child.js DATA_DIR` opens the embedded engine there and feeds synthetic
// rows (200 every 50 ms) to a writer, then obeys one command per stdin line and answers
// one JSON line on stdout each: `exhaust` opens /dev/null until the process has no file
// descriptor left (run it under a low `ulimit -n`), `release` closes those, `finish`
// stops feeding, flushes, stops the writer and reports what was handed, stored and
// measured, then exits 0. An uncaught error ends it otherwise.
import { closeSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { openEngine } from '../../dist/clickhouse/engine.js'
import { FIXTURE_COLUMNS, fixtureRows } from './fixture-rows.js'
import { migrate } from '../../dist/clickhouse/migrate.js'
import { createWriter } from '../../dist/clickhouse/writer.js'
import { createLogger } from '../../dist/observability/log.js'
import { Registry } from '../../dist/observability/metrics.js'

const dataDir = process.argv[2] ?? ''
const say = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`)
}
const log = createLogger('error')
const engine = await openEngine({
  url: '',
  dataDir,
  limits: { maxExecutionSeconds: 30, maxResultRows: 1000 },
  log,
})
await migrate(engine.client)
const metrics = new Registry()
const writer = createWriter({
  engine,
  columns: FIXTURE_COLUMNS,
  format: 'TabSeparated',
  batchRows: 2000,
  batchMs: 1000,
  maxPendingRows: 20_000,
  maxBackoffMs: 500,
  spoolDir: join(dataDir, 'spool', 'flows'),
  spoolMaxBytes: 1 << 30,
  log,
  metrics,
})
writer.start()
let sent = 0
const feeder = setInterval(() => {
  const b = fixtureRows(sent, 200, Math.floor(Date.now() / 1000))
  writer.add(b.tsv, b.rows)
  sent += b.rows
}, 50)

const held: number[] = []
/** Take every free descriptor; the code of the error that stopped it. */
const grab = (): string | undefined => {
  try {
    for (;;) held.push(openSync('/dev/null', 'r'))
  } catch (err) {
    return (err as NodeJS.ErrnoException).code
  }
}
// The engine closes files of its own all the time (merges, parts): a descriptor it
// frees is taken again at once, so the writer never gets one while exhausted.
let grabber: NodeJS.Timeout | undefined
const commands: Record<string, () => Promise<Record<string, unknown>>> = {
  exhaust: () => {
    const error = grab()
    grabber = setInterval(grab, 2)
    return Promise.resolve({ held: held.length, error })
  },
  metrics: () => Promise.resolve({ metrics: metrics.render() }),
  release: () => {
    clearInterval(grabber)
    for (const fd of held.splice(0)) closeSync(fd)
    return Promise.resolve({ released: true })
  },
  finish: async () => {
    clearInterval(feeder)
    await writer.flush()
    await writer.stop()
    const rs = await engine.client.query({
      query: 'SELECT count() AS n, uniqExact(sequence) AS u FROM flowloft.flows',
      format: 'JSONEachRow',
    })
    const [r] = await rs.json<{ n: string; u: string }>()
    await engine.close()
    return { sent, stored: Number(r?.n), unique: Number(r?.u), metrics: metrics.render() }
  },
}
say({ ready: true })
for await (const line of createInterface({ input: process.stdin })) {
  const run = commands[line.trim()]
  if (!run) continue
  say(await run())
  if (line.trim() === 'finish') break
}
process.exit(0)
