// `flowloft serve --clickhouse-url` pointing at a port where nothing listens: the
// collector starts anyway, answers /healthz, says in /readyz why it is not ready,
// receives and spools. When a ClickHouse endpoint comes up on that port (the HTTP
// interface in front of the real engine, under the users.d collector user's grants,
// testing/clickhouse-http.ts), it applies the schema to the empty database and replays
// the spool: every flow sent is stored.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Session } from 'chdb'
import { startChildService, type ChildService } from '../support/child-service.js'
import { startClickHouseHttp, type ClickHouseHttp } from '../support/clickhouse-http.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue } from '../support/service.js'
import { burst } from '../support/udp-load.js'

const FLOWS = 20
const flows = Array.from({ length: FLOWS }, (_, k) => ({
  src: `192.168.1.${k + 10}`,
  dst: `198.51.100.${k + 1}`,
  srcPort: 40000 + k,
  dstPort: 443,
  proto: 6,
}))

const password = `pw-${randomUUID()}`
let dir = ''
let port = 0
let ch: ClickHouseHttp | undefined
let svc: ChildService | undefined

/** A port nothing listens on: taken from the kernel, then let go. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const p = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return p
}

/** Flows stored, read on the engine itself; 0 until the collector made the table. */
function stored(): number {
  const s = new Session(join(dir, 'clickhouse', 'clickhouse'))
  try {
    const made = s.query(
      "SELECT count() FROM system.tables WHERE database = 'flowloft' AND name = 'flows'",
      'CSV',
    )
    if (made.trim() === '0') return 0
    return Number(s.query('SELECT count() FROM flowloft.flows', 'CSV').trim())
  } finally {
    s.close()
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-no-clickhouse-'))
  port = await closedPort()
})
after(async () => {
  await svc?.kill()
  await ch?.close()
  rmSync(dir, { recursive: true, force: true })
})

void test('serve starts, spools and reports not-ready while ClickHouse is away; nothing lost when it comes', async () => {
  const t0 = Date.now()
  svc = await startChildService(join(dir, 'collector'), {
    'clickhouse-url': `http://collector:${password}@127.0.0.1:${port}/flowloft`,
    'writer-batch-ms': 200,
    // A burst read in two parts is spooled in two windows: keep the second one's wait short.
    'writer-quiet-batch-ms': 1000,
  })
  const s = svc
  const startedMs = Date.now() - t0
  assert.equal(await (await fetch(`${s.httpBase}/healthz`)).text(), 'ok\n')
  const notReady = await fetch(`${s.httpBase}/readyz`)
  assert.equal(notReady.status, 503)
  const body = (await notReady.json()) as Record<string, unknown>
  assert.equal(body['ready'], false)
  assert.equal(body['schema'], 'not applied')
  assert.match(String(body['reason']), new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`))
  const warned = s.logs.filter((l) => l.msg.startsWith('clickhouse: not ready'))
  assert.equal(warned.length, 1, 'one warning that ClickHouse is not ready')
  // The API's reads say why they cannot answer.
  const top = await fetch(`${s.httpBase}/api/top?by=src_addr`)
  assert.equal(top.status, 503)
  assert.match(((await top.json()) as { error: string }).error, /^not ready: clickhouse at /)

  const first = await burst(s.netflowPort, () => v5Now(flows), 100, 20)
  let spooled = 0
  await eventually(async () => {
    const m = await s.metrics()
    spooled = metricValue(m, 'flowloft_writer_spooled_rows_total')
    return spooled === first.sent * FLOWS
  }, 30_000)
  const away = await s.metrics()
  assert.equal(metricValue(away, 'flowloft_clickhouse_ready'), 0)
  assert.ok(metricValue(away, 'flowloft_writer_spool_files') >= 1)
  assert.equal(metricValue(away, 'flowloft_writer_dropped_rows_total'), 0)
  const failures = metricValue(
    away,
    'flowloft_clickhouse_prepare_failures_total{code="ECONNREFUSED"}',
  )
  assert.ok(failures >= 1, 'failed attempts are counted by error')

  // ClickHouse comes up on that port with an empty database.
  const upAt = Date.now()
  ch = await startClickHouseHttp({ dataDir: join(dir, 'clickhouse'), password, port })
  const second = await burst(s.netflowPort, () => v5Now(flows), 100, 20)
  const sent = (first.sent + second.sent) * FLOWS
  let n = 0
  await eventually(
    () => {
      n = stored()
      return Promise.resolve(n === sent)
    },
    90_000,
    500,
  )
  const caughtUpMs = Date.now() - upAt
  const ready = await fetch(`${s.httpBase}/readyz`)
  assert.equal(ready.status, 200, await ready.clone().text())
  assert.deepEqual(
    { ...((await ready.json()) as Record<string, unknown>), writer: 'x' },
    { ready: true, clickhouse: true, schema: 'ok', listeners: true, writer: 'x' },
  )
  const m = await s.metrics()
  assert.equal(metricValue(m, 'flowloft_clickhouse_ready'), 1)
  assert.equal(metricValue(m, 'flowloft_writer_spool_files'), 0)
  assert.equal(metricValue(m, 'flowloft_writer_dropped_rows_total'), 0)
  assert.ok(s.logs.some((l) => l.msg === 'schema migrated'))
  const [row] = await s.query<{ n: number }>('SELECT count() AS n FROM flows')
  assert.equal(Number(row?.n), sent)
  console.log(
    `started in ${startedMs} ms with no ClickHouse; ${spooled} rows spooled while away; ` +
      `${n} of ${sent} flows stored ${(caughtUpMs / 1000).toFixed(1)} s after it came up`,
  )
})
