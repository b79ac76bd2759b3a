// The UI's read endpoints on the embedded engine with fixture flows: top lists,
// time series, exporters, templates, status, readiness, query formats and the OpenAPI
// description.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestService, type TestService } from '../../support/service.js'
import { fixtureFlows, insertFixtureFlows } from '../../support/fixture-flows.js'
import { createApi } from '../../../dist/api/index.js'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { OPENAPI } from '../../../dist/api/openapi.js'
import type { TopRow } from '../../../dist/api/top.js'

interface Answer {
  error?: string
  rows: TopRow[]
  step: number
  exporters: Record<string, unknown>[]
  drops: unknown[]
  queues: Record<string, unknown>
  [k: string]: unknown
}

async function get(svc: TestService, path: string): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${svc.httpBase}${path}`)
  return { status: res.status, json: (await res.json()) as Answer }
}

void test('read endpoints answer from fixture flows', async (t) => {
  const svc = await startTestService()
  t.after(() => svc.stop())
  const flows = await insertFixtureFlows(svc.service.engine.client)
  const sum = (f: (x: (typeof flows)[number]) => boolean): number =>
    flows.filter(f).reduce((s, x) => s + x.bytes, 0)

  await t.test('top by host, country, AS, protocol, exporter', async () => {
    const hosts = await get(svc, '/api/top?by=dst_host&from=-1h&limit=5')
    assert.equal(hosts.status, 200)
    assert.deepEqual(
      hosts.json.rows.map((r) => r.key),
      ['nas.lan', 'cdn.example.net', 'laptop.lan'],
    )
    assert.equal(
      hosts.json.rows[0]?.bytes,
      sum((f) => f.dst_host === 'nas.lan'),
    )
    assert.equal(hosts.json.rows[0]?.flows, 30)

    const countries = await get(svc, '/api/top?by=src_country&direction=inbound')
    assert.deepEqual(
      countries.json.rows.map((r) => r.key),
      ['DE', 'FR'],
    )
    const ases = await get(svc, '/api/top?by=src_as&direction=inbound')
    assert.deepEqual(ases.json.rows[0], {
      key: '64500',
      label: 'EXAMPLE-CDN',
      bytes: sum((f) => f.src_as === 64500),
      packets: 60_000,
      flows: 30,
    })
    const protos = await get(svc, '/api/top?by=proto')
    assert.deepEqual(
      protos.json.rows.map((r) => r.key),
      ['TCP', 'UDP'],
    )
    const addrs = await get(svc, '/api/top?by=src_addr&limit=1')
    assert.deepEqual(
      addrs.json.rows.map((r) => r.key),
      ['203.0.113.7'],
    )
    const exporters = await get(svc, '/api/top?by=exporter')
    assert.equal(exporters.json.rows.length, 2)

    // A narrow window holds only the newest minute of flows.
    const recent = await get(svc, '/api/top?by=dst_host&from=-60s')
    assert.equal(recent.json.rows[0]?.flows, 1)
  })

  await t.test('top refuses what is not whitelisted', async () => {
    for (const q of [
      'by=bytes;DROP TABLE flows',
      'by=src_addr&direction=sideways',
      'by=src_addr&limit=0',
      'by=src_addr&limit=1e9',
      "by=src_addr&from=1' OR 1=1",
      'by=src_addr&from=now&to=-1h',
    ]) {
      const r = await get(svc, `/api/top?${q.replace(/ /g, '%20')}`)
      assert.equal(r.status, 400, q)
      assert.equal(typeof r.json.error, 'string')
    }
    const [n] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    assert.equal(n?.n, flows.length)
  })

  await t.test('time series: bytes per step by direction, gaps filled', async () => {
    const now = Math.floor(Date.now() / 1000)
    const r = await get(svc, `/api/timeseries?from=${now - 3600}&to=${now + 60}&step=60`)
    assert.equal(r.status, 200)
    const ts = r.json as unknown as {
      step: number
      t: number[]
      bytes: Record<string, number[]>
      packets: Record<string, number[]>
    }
    assert.equal(ts.step, 60)
    assert.equal(ts.t.length, ts.bytes['total']?.length)
    assert.ok(ts.t.length >= 61)
    const total = (a: number[] | undefined): number => (a ?? []).reduce((s, v) => s + v, 0)
    assert.equal(
      total(ts.bytes['total']),
      sum(() => true),
    )
    assert.equal(
      total(ts.bytes['inbound']),
      sum((f) => f.direction === 'inbound'),
    )
    assert.equal(
      total(ts.bytes['outbound']),
      sum((f) => f.direction === 'outbound'),
    )
    assert.equal(
      total(ts.packets['total']),
      flows.reduce((s, f) => s + f.packets, 0),
    )
    assert.ok(ts.bytes['total']?.includes(0), 'empty steps are zeros')

    const auto = await get(svc, '/api/timeseries?from=-24h')
    assert.equal(auto.json.step, 900)
    assert.equal((await get(svc, '/api/timeseries?from=-7d&step=1')).status, 400)
  })

  await t.test('exporters and their templates', async () => {
    const r = await get(svc, '/api/exporters?from=-1h')
    assert.equal(r.status, 200)
    const byAddr = new Map((r.json.exporters as { exporter: string }[]).map((e) => [e.exporter, e]))
    const nf = byAddr.get('192.0.2.10') as Record<string, unknown>
    assert.deepEqual(nf['flow_types'], ['netflow9'])
    assert.equal(nf['flows'], 60)
    assert.equal(
      nf['bytes'],
      sum((f) => f.exporter === '192.0.2.10'),
    )
    assert.ok(typeof nf['last_seen'] === 'number' && nf['last_seen'] > Date.now() / 1000 - 120)
    const ipfix = byAddr.get('198.51.100.1') as Record<string, unknown>
    assert.deepEqual(ipfix['flow_types'], ['ipfix'])
    assert.deepEqual(ipfix['sampling_rates'], [100])

    // From a rollup: the same sums as raw flows over the same (whole-minute) window,
    // each exporter's latest flow type and sampling rate, and the exact last seen.
    const rolled = await get(svc, '/api/exporters?from=-1h&source=flows_1m')
    assert.equal(rolled.json['source'], 'flows_1m')
    const raw = await get(
      svc,
      `/api/exporters?source=flows&from=${Number(rolled.json['from'])}&to=${Number(rolled.json['to'])}`,
    )
    assert.equal(raw.json['source'], 'flows')
    const pick = (e: Record<string, unknown>) =>
      [
        'exporter',
        'name',
        'flow_types',
        'sampling_rates',
        'flows',
        'bytes',
        'packets',
        'last_seen',
      ].map((k) => e[k])
    assert.ok(raw.json.exporters.length >= 2)
    assert.deepEqual(rolled.json.exporters.map(pick), raw.json.exporters.map(pick))

    const tpl = await get(svc, '/api/exporters/192.0.2.10/templates')
    assert.equal(tpl.status, 200)
    assert.deepEqual(tpl.json, {
      exporter: '192.0.2.10',
      templates: [],
      sampling: [],
      systemInit: [],
    })
    assert.equal((await get(svc, '/api/exporters/not-an-ip/templates')).status, 400)
  })

  await t.test('status, readiness', async () => {
    const s = await get(svc, '/api/status')
    assert.equal(s.status, 200)
    for (const k of ['datagrams_per_second', 'flows_per_second', 'last_insert_seconds'])
      assert.equal(typeof s.json[k], 'number', k)
    assert.ok(Array.isArray(s.json.drops))
    assert.equal(typeof s.json.queues['decode_batches'], 'number')
    assert.equal(typeof s.json.queues['writer_pending_rows'], 'number')
    // Alerts are off by default; the console reads this before it asks /api/alerts.
    assert.deepEqual(s.json['alerts'], { enabled: false, learning_days: 7 })

    const ready = await get(svc, '/readyz')
    assert.equal(ready.status, 200)
    assert.deepEqual(ready.json, {
      ready: true,
      clickhouse: true,
      schema: 'ok',
      listeners: true,
      writer: 'ok',
    })
  })

  await t.test('query formats: json, csv, tsv', async () => {
    const sql = 'SELECT dst_host, count() AS n FROM flows GROUP BY dst_host ORDER BY dst_host'
    const csv = await fetch(`${svc.httpBase}/api/query?format=csv`, { method: 'POST', body: sql })
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/)
    assert.equal(
      await csv.text(),
      '"dst_host","n"\n"cdn.example.net",30\n"laptop.lan",30\n"nas.lan",30\n',
    )
    const tsv = await fetch(`${svc.httpBase}/api/query?format=tsv`, { method: 'POST', body: sql })
    assert.match(tsv.headers.get('content-type') ?? '', /^text\/tab-separated-values/)
    assert.equal(
      await tsv.text(),
      'dst_host\tn\ncdn.example.net\t30\nlaptop.lan\t30\nnas.lan\t30\n',
    )
    const json = await fetch(`${svc.httpBase}/api/query?format=json`, { method: 'POST', body: sql })
    assert.equal(((await json.json()) as { rows: number }).rows, 3)
    const bad = await fetch(`${svc.httpBase}/api/query?format=xml`, { method: 'POST', body: sql })
    assert.equal(bad.status, 400)
    const ro = await fetch(`${svc.httpBase}/api/query?format=csv`, {
      method: 'POST',
      body: 'DROP TABLE flows',
    })
    assert.ok(ro.status === 403 || ro.status === 400)
  })
})

void test('OpenAPI 3.1 lists every route the app serves', () => {
  const app = createApi({
    engine: {} as never,
    metrics: new Registry(),
    log: createLogger('error'),
    maxBodyBytes: 1024,
  })
  assert.equal(OPENAPI.openapi, '3.1.0')
  const paths = OPENAPI.paths as Record<string, Record<string, unknown>>
  const routes = app.routes.filter((r) => r.method !== 'ALL')
  assert.ok(routes.length >= 10)
  for (const r of routes) {
    const p = r.path.replace(/:(\w+)/g, '{$1}')
    assert.ok(paths[p]?.[r.method.toLowerCase()], `${r.method} ${r.path} missing from openapi`)
  }
  for (const [p, ops] of Object.entries(paths))
    for (const m of Object.keys(ops))
      assert.ok(
        routes.some((r) => r.path.replace(/:(\w+)/g, '{$1}') === p && r.method.toLowerCase() === m),
        `${m} ${p} documented but not served`,
      )
})

void test('fixture flows are what the assertions above assume', () => {
  assert.equal(fixtureFlows().length, 90)
})

void test('static UI: content types, ETag revalidation, pinned assets cached', async (t) => {
  const svc = await startTestService()
  t.after(() => svc.stop())
  const index = await fetch(`${svc.httpBase}/`)
  if (index.status === 503) return t.skip('web UI not built (npm run build)')
  assert.equal(index.status, 200)
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.equal(index.headers.get('cache-control'), 'no-cache')
  const html = await index.text()
  const etag = index.headers.get('etag') ?? ''
  const again = await fetch(`${svc.httpBase}/`, { headers: { 'if-none-match': etag } })
  assert.equal(again.status, 304)

  const app = /\/assets\/app\.js\?v=[0-9a-f]{16}/.exec(html)?.[0]
  assert.ok(app, 'index.html pins app.js to its hash')
  const js = await fetch(`${svc.httpBase}${app}`)
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8')
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable')
  const unpinned = await fetch(`${svc.httpBase}/assets/uplot.js`)
  assert.equal(unpinned.status, 200)
  assert.equal(unpinned.headers.get('cache-control'), 'no-cache')
  assert.match(await unpinned.text(), /export \{ uPlot as default \}/)
  const css = await fetch(`${svc.httpBase}/assets/style.css`)
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8')
  assert.equal((await fetch(`${svc.httpBase}/assets/nope.js`)).status, 404)
  assert.equal((await fetch(`${svc.httpBase}/assets/..%2Fapi%2Findex.js`)).status, 404)
})
