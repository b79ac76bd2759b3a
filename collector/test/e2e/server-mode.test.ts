// Server mode end to end: `flowloft serve --clickhouse-url http://collector:PASS@.../flowloft`
// in a child process stores NetFlow through ClickHouse's HTTP interface in front of the
// real engine, under the users.d collector user's grants (testing/clickhouse-http.ts).
// Start from an empty database, an outage of the server (the collector spools), catch-up
// when it returns with nothing lost (sent = stored), the API's reads through it, and
// SIGTERM flushing what the collector still holds.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Session } from 'chdb'
import { startChildService, type ChildService } from '../support/child-service.js'
import { startClickHouseHttp, type ClickHouseHttp } from '../support/clickhouse-http.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue } from '../support/service.js'
import { burst, SteadySender } from '../support/udp-load.js'

const FLOWS = 30
const PER_SECOND = 100
const OUTAGE_MS = 5000
const flows = Array.from({ length: FLOWS }, (_, k) => ({
  src: `10.1.${k}.1`,
  dst: `192.168.2.${k + 1}`,
  srcPort: 2000 + k,
  dstPort: 53,
  proto: 17,
}))
const datagram = (): Uint8Array => v5Now(flows)

const password = `pw-${randomUUID()}`
let dir = ''
let ch: ClickHouseHttp
let svc: ChildService | undefined
let sentDatagrams = 0

/** Flows stored, read on the engine itself (not through the collector). */
function stored(): number {
  const s = new Session(join(dir, 'clickhouse', 'clickhouse'))
  try {
    return Number(s.query('SELECT count() FROM flowloft.flows', 'CSV').trim())
  } finally {
    s.close()
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fl-server-mode-'))
  ch = await startClickHouseHttp({ dataDir: join(dir, 'clickhouse'), password })
})
after(async () => {
  await svc?.kill()
  await ch.close()
  rmSync(dir, { recursive: true, force: true })
})

const serve = (): Promise<ChildService> =>
  startChildService(join(dir, 'collector'), {
    'clickhouse-url': `http://collector:${password}@127.0.0.1:${ch.port}/flowloft`,
    'writer-batch-ms': 200,
  })

void test('the endpoint answers /ping and refuses a wrong password', async () => {
  assert.equal(await (await fetch(`${ch.url}/ping`)).text(), 'Ok.\n')
  const res = await fetch(`${ch.url}/?query=SELECT%201`, {
    headers: { 'X-ClickHouse-User': 'collector', 'X-ClickHouse-Key': 'wrong' },
  })
  assert.equal(res.status, 401)
  assert.equal(res.headers.get('x-clickhouse-exception-code'), '516')
  const denied = await fetch(`${ch.url}/`, {
    method: 'POST',
    body: 'CREATE TABLE default.t (a UInt8) ENGINE = Memory',
    headers: { Authorization: `Basic ${Buffer.from(`collector:${password}`).toString('base64')}` },
  })
  assert.equal(denied.status, 500)
  assert.equal(denied.headers.get('x-clickhouse-exception-code'), '497')
  assert.match(await denied.text(), /^Code: 497\. DB::Exception: .*\(ACCESS_DENIED\)/)
})

void test('serve migrates an empty database over HTTP and stores flows', async () => {
  svc = await serve()
  assert.ok(
    svc.logs.some((l) => l.msg === 'schema migrated'),
    'no "schema migrated" line',
  )
  const r = await burst(svc.netflowPort, datagram, 200, 32)
  sentDatagrams += r.sent
  const s = svc
  await eventually(async () => {
    const [row] = await s.query<{ n: number }>('SELECT count() AS n FROM flows')
    return Number(row?.n) === sentDatagrams * FLOWS
  }, 30_000)
})

void test('an outage: the collector spools, then catches up with nothing lost', async () => {
  assert.ok(svc)
  const s = svc
  const sender = new SteadySender(s.netflowPort, datagram, PER_SECOND)
  sender.start()
  await new Promise((r) => setTimeout(r, 1000))
  await ch.stop()
  const insertsBefore = ch.counts.inserts
  await new Promise((r) => setTimeout(r, OUTAGE_MS))
  const spooling = await s.metrics()
  await ch.start()
  await new Promise((r) => setTimeout(r, 1000))
  await sender.close()
  sentDatagrams += sender.sent
  assert.equal(sender.failed, 0)
  const spooledRows = metricValue(spooling, 'flowloft_writer_spooled_rows_total')
  const spoolFiles = metricValue(spooling, 'flowloft_writer_spool_files')
  assert.ok(spooledRows > 0, 'nothing was spooled during the outage')
  let n = 0
  await eventually(
    () => {
      n = stored()
      return Promise.resolve(n === sentDatagrams * FLOWS)
    },
    60_000,
    250,
  )
  const after = await s.metrics()
  const replayed = metricValue(after, 'flowloft_writer_batches_total{source="spool",result="ok"}')
  assert.ok(replayed >= 1, 'no batch replayed from the spool')
  assert.equal(metricValue(after, 'flowloft_writer_spool_files'), 0)
  assert.equal(metricValue(after, 'flowloft_writer_dropped_rows_total'), 0)
  console.log(
    `outage ${OUTAGE_MS / 1000} s: ${sentDatagrams * FLOWS} flows sent, ${n} stored; ` +
      `${spooledRows} rows in ${spoolFiles} spool files at the outage's end, ` +
      `${replayed} batches replayed; ${ch.counts.inserts - insertsBefore} inserts after it`,
  )
})

void test('the API reads through the endpoint', async () => {
  assert.ok(svc)
  const now = Math.floor(Date.now() / 1000)
  for (const path of [
    '/api/top?by=src_addr',
    `/api/top?by=dst_port&from=${now - 2 * 86400}`,
    '/api/timeseries',
    '/api/exporters',
    '/readyz',
  ]) {
    const res = await fetch(`${svc.httpBase}${path}`)
    assert.equal(res.status, 200, `${path}: ${await res.text()}`)
  }
  const [row] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
  assert.equal(Number(row?.n), sentDatagrams * FLOWS)
})

void test('SIGTERM flushes the flows the collector holds', async () => {
  assert.ok(svc)
  const r = await burst(svc.netflowPort, datagram, 300, 32)
  sentDatagrams += r.sent
  // Let the listener take them, but not the writer's batch timer write them all.
  await new Promise((res) => setTimeout(res, 50))
  svc.process.kill('SIGTERM')
  const exit = await svc.exited
  const levels = svc.logs
    .filter((l) => l['level'] !== 'info')
    .map((l) => `${String(l['level'])} ${l.msg}`)
  console.log(`collector log lines above info: ${JSON.stringify([...new Set(levels)])}`)
  svc = undefined
  assert.equal(exit.code, 0, JSON.stringify(exit))
  const n = stored()
  console.log(`SIGTERM: ${sentDatagrams * FLOWS} flows sent in all, ${n} stored`)
  assert.equal(n, sentDatagrams * FLOWS)
})
