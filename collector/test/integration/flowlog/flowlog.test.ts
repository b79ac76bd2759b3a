// The flow log on a real collector: NetFlow v5 datagrams sent over UDP come out as one
// line per decoded flow, in the same columns as flowloft.flows. With the defaults there
// is no flow log, and the summaries have caught up by the time the service answers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { INSERT_COLUMNS } from '@flowloft/decoder-wasm'
import { sendUdp } from '../../support/exporters.js'
import { v5Now, type TestFlow } from '../../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../../support/service.js'
import { lastBoundary } from '../../../dist/summaries/config.js'
import { FLOW_LOG_HEADER, flowLogPath } from '../../../dist/flowlog/index.js'

const flows = (datagram: number): TestFlow[] =>
  Array.from({ length: 10 }, (_, i) => ({
    src: `10.0.${datagram}.${i + 1}`,
    dst: '192.0.2.1',
    srcPort: 40000 + i,
    dstPort: 443,
    proto: 6,
    bytes: 1000 + i,
  }))

void test('one flow log line per flow sent through the collector', async (t) => {
  const svc = await startTestService({ 'flow_log.enabled': true })
  t.after(() => svc.stop())
  const datagrams = [0, 1, 2].map((d) => v5Now(flows(d)))
  await sendUdp(svc.netflowPort, datagrams)
  const sent = 30
  await eventually(async () => {
    const [r] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    return r?.n === sent
  })
  const path = flowLogPath(svc.dataDir)
  const read = (): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [])
  await eventually(() => Promise.resolve(read().length === sent + 2))
  const [header, ...rest] = read()
  assert.equal(header, FLOW_LOG_HEADER)
  const rows = rest.filter((l) => l !== '')
  assert.equal(rows.length, sent)
  const col = (name: (typeof INSERT_COLUMNS)[number]): number => INSERT_COLUMNS.indexOf(name)
  const cells = rows.map((l) => l.split('\t'))
  for (const c of cells) assert.equal(c.length, INSERT_COLUMNS.length)
  const sources = cells.map((c) => (c[col('src_addr')] ?? '').replace(/^::ffff:/, '')).sort()
  const expected = [0, 1, 2].flatMap((d) => flows(d).map((f) => f.src)).sort()
  assert.deepEqual(sources, expected)
  const bytes = cells.reduce((s, c) => s + Number(c[col('bytes')]), 0)
  const [db] = await svc.query<{ b: number }>('SELECT sum(bytes) AS b FROM flows')
  assert.equal(bytes, db?.b)
  assert.equal(
    metricValue(await svc.metrics(), 'flowloft_flow_log_rows_total{result="queued"}'),
    sent,
  )
})

void test('defaults: no flow log; every summary window caught up at start', async (t) => {
  const started = Date.now()
  const svc = await startTestService()
  t.after(() => svc.stop())
  await sendUdp(svc.netflowPort, [v5Now(flows(0))])
  await eventually(async () => {
    const [r] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    return r?.n === 10
  })
  assert.equal(existsSync(flowLogPath(svc.dataDir)), false)
  assert.doesNotMatch(await svc.metrics(), /flowloft_flow_log_rows_total\{/)

  // The start-up catch-up ran each window for its latest boundary.
  for (const w of svc.config.summaries.windowsMinutes) {
    let body: { window_minutes?: number; to?: number | null } = {}
    await eventually(async () => {
      body = (await (
        await fetch(`${svc.httpBase}/api/summaries?window=${w}`)
      ).json()) as typeof body
      return body.to !== null
    })
    assert.equal(body.window_minutes, w)
    // The latest boundary when the service started (or a later one, if it passed since).
    const due = [lastBoundary(w, started), lastBoundary(w, Date.now())]
    assert.ok(due.includes(body.to ?? 0), `${w}: ${body.to} in ${due.join(', ')}`)
  }
})
