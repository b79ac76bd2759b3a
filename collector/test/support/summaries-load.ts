// Run in a child process (inside a memory cgroup) by faults/summaries-memory.test.ts:
// opens the embedded engine, fills a 5-minute window with `rows` flows of distinct
// conversations, then runs the 5-minute summary on the jobs' session while inserting
// small batches on the writer's session (of the minute before the window, so the
// summary's answer does not depend on how many landed before it read), and prints one
// JSON line of what happened.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openEngine } from '../../dist/clickhouse/engine.js'
import { migrate } from '../../dist/clickhouse/migrate.js'
import { summarizeWindow } from '../../dist/summaries/conversations.js'
import { createLogger } from '../../dist/observability/log.js'

const rows = Number(process.argv[2] ?? 4_000_000)
const dir = mkdtempSync(join(tmpdir(), 'fl-summaries-load-'))
const engine = await openEngine({
  url: '',
  dataDir: dir,
  limits: { maxExecutionSeconds: 30, maxResultRows: 1000 },
  log: createLogger('error'),
})
try {
  await migrate(engine.client)
  await engine.prepareReader()
  const to = Math.floor(Date.now() / 300_000) * 300 + 300
  const from = to - 300
  // Every row its own conversation: client 10.x.y.z:port -> server 203.0.113.n:443. In
  // inserts of the writer's largest (batches joined up to 1 M rows with the default
  // writer.batch_rows): one insert of 4 M distinct conversations builds the hosts
  // rollups' GROUP BY of 4 M keys at once, past this cgroup's engine limit.
  const CHUNK = 1_000_000
  for (let first = 0; first < rows; first += CHUNK) {
    await engine.client.command({
      query: `INSERT INTO flowloft.flows (time_received, exporter, src_addr, dst_addr, src_port, dst_port, proto, bytes, packets)
        SELECT toDateTime(${from} + number % 300), toIPv6('::ffff:192.0.2.1'),
          toIPv6(IPv4NumToString(toUInt32(167772160 + number))), toIPv6('::ffff:203.0.113.9'),
          toUInt16(1024 + number % 60000), 443, 6, 100 + number % 1000, 1
        FROM numbers(${first}, ${Math.min(CHUNK, rows - first)})`,
    })
  }
  let inserts = 0
  let insertsDuringSummary = 0
  let running = true
  let maxInsertMs = 0
  const writer = (async () => {
    while (running) {
      const t0 = performance.now()
      await engine.client.command({
        query: `INSERT INTO flowloft.flows (time_received, exporter, bytes, packets) VALUES (${from - 60}, toIPv6('::ffff:192.0.2.2'), 1, 1)`,
      })
      maxInsertMs = Math.max(maxInsertMs, performance.now() - t0)
      inserts++
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  const t0 = performance.now()
  let result: { ok: boolean; conversations: number; error?: string }
  try {
    const before = inserts
    const s = await engine.jobs((c) => summarizeWindow(c, 5, to, 100))
    insertsDuringSummary = inserts - before
    result = {
      ok: true,
      conversations: s.exporters.reduce((n, e) => n + e.conversations.length, 0),
    }
  } catch (err) {
    result = { ok: false, conversations: 0, error: (err as Error).message }
  }
  const summaryMs = performance.now() - t0
  running = false
  await writer
  process.stdout.write(
    `${JSON.stringify({ ...result, rows, summaryMs, inserts, insertsDuringSummary, maxInsertMs, rss: process.memoryUsage().rss })}\n`,
  )
} finally {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
}
