// /api/senders on the embedded engine: every endpoint, validation naming the field,
// authentication (no signature, wrong signature, stale timestamp, replay, wrong bearer:
// 401 and nothing changes, in the API nor in the file on disk), oversized bodies (413),
// per-prefix statistics equal to a direct SQL sum over the fixture flows, and no secret
// in any log line or answer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { createSenders, PERIODS, type Sender } from '../../../dist/senders/index.js'
import { startTestService, type TestService } from '../../support/service.js'
import { SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from '../../../dist/api/auth.js'
import { fixtureFlows, insertFixtureFlows } from '../../support/fixture-flows.js'
import { createApi } from '../../../dist/api/index.js'
import type { SenderStats } from '../../../dist/api/sender-stats.js'

const HMAC_KEY = `hk-${randomBytes(16).toString('hex')}`
const BEARER = `bt-${randomBytes(16).toString('hex')}`
const MAX_BODY = 4096

interface Answer {
  status: number
  json: Record<string, unknown>
}

/** Everything the server said, to look for secrets in at the end. */
const said: string[] = []

async function call(svc: TestService, req: RequestInit & { path: string }): Promise<Answer> {
  const res = await fetch(`${svc.httpBase}${req.path}`, req)
  const text = await res.text()
  said.push(text)
  return {
    status: res.status,
    json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  }
}

function signed(
  method: string,
  path: string,
  body: string,
  o: { key?: string; ts?: number } = {},
): RequestInit & { path: string } {
  const ts = o.ts ?? Math.floor(Date.now() / 1000)
  return {
    path,
    method,
    body: method === 'DELETE' ? undefined : body,
    headers: {
      [TIMESTAMP_HEADER]: String(ts),
      [SIGNATURE_HEADER]: signRequest(o.key ?? HMAC_KEY, method, path, ts, body),
    },
  }
}

function bearer(
  method: string,
  path: string,
  body?: string,
  token = BEARER,
): RequestInit & { path: string } {
  return { path, method, body, headers: { authorization: `Bearer ${token}` } }
}

void test('sender registry API, authentication and per-prefix statistics', async (t) => {
  const lines: string[] = []
  const log = createLogger('debug', {}, (l) => lines.push(l))
  const svc = await startTestService(
    { 'api.hmac_key': HMAC_KEY, 'api.bearer_token': BEARER, 'http.max_body_bytes': MAX_BODY },
    log,
  )
  t.after(() => svc.stop())
  const file = join(svc.dataDir, 'senders.json')
  const list = async (): Promise<Sender[]> =>
    (await call(svc, { path: '/api/senders' })).json['senders'] as Sender[]
  /** The registry as the API and the disk see it. */
  const snapshot = async (): Promise<[Sender[], string]> => [
    await list(),
    existsSync(file) ? readFileSync(file, 'utf8') : '',
  ]

  await t.test('add (signed and bearer), read back in any spelling', async () => {
    assert.deepEqual(await call(svc, { path: '/api/senders' }), {
      status: 200,
      json: { authorized_only: false, senders: [] },
    })
    const body = JSON.stringify({
      address: '::ffff:192.0.2.10',
      name: 'edge',
      prefixes: ['192.168.1.0/24', '192.168.1.20/32'],
    })
    const a = await call(svc, signed('POST', '/api/senders', body))
    assert.equal(a.status, 201)
    assert.equal(a.json['address'], '192.0.2.10')
    assert.deepEqual(a.json['prefixes'], ['192.168.1.0/24', '192.168.1.20/32'])
    const b = await call(
      svc,
      bearer(
        'POST',
        '/api/senders',
        JSON.stringify({ address: '2001:DB8::1', prefixes: ['2001:db8:1::/48'] }),
      ),
    )
    assert.equal(b.status, 201)
    assert.equal(b.json['address'], '2001:db8::1')
    const c = await call(
      svc,
      bearer(
        'POST',
        '/api/senders',
        JSON.stringify({ address: '198.51.100.1', prefixes: ['192.168.1.0/25'] }),
      ),
    )
    assert.equal(c.status, 201)

    for (const spelling of ['192.0.2.10', '::ffff:192.0.2.10', '::ffff:c000:20a'])
      assert.equal((await call(svc, { path: `/api/senders/${spelling}` })).json['name'], 'edge')
    for (const spelling of ['2001:0db8:0::0001', encodeURIComponent('2001:db8::1')])
      assert.equal(
        (await call(svc, { path: `/api/senders/${spelling}` })).json['address'],
        '2001:db8::1',
      )
    const [senders, onDisk] = await snapshot()
    assert.equal(senders.length, 3)
    assert.deepEqual((JSON.parse(onDisk) as { senders: Sender[] }).senders, senders)
  })

  await t.test('refused credentials: 401 and nothing changes', async () => {
    const before = await snapshot()
    // Whole seconds at least 301 s outside the server's 300 s window, however far into
    // the current second the clock is when the server reads it (ceil for the future one;
    // a floor there fails whenever the request crosses into the next second).
    const now = Date.now() / 1000
    const add = JSON.stringify({ address: '203.0.113.9', name: 'intruder' })
    const other = JSON.stringify({ address: '203.0.113.8' })
    const wrongBody = signed('POST', '/api/senders', other)
    const attempts: [string, RequestInit & { path: string }][] = [
      ['no signature', { path: '/api/senders', method: 'POST', body: add }],
      ['wrong signature', signed('POST', '/api/senders', add, { key: 'not-the-key' })],
      ['stale timestamp', signed('POST', '/api/senders', add, { ts: Math.floor(now) - 301 })],
      ['future timestamp', signed('POST', '/api/senders', add, { ts: Math.ceil(now) + 301 })],
      ['signature of another body', { ...wrongBody, body: add }],
      [
        'signature of another path',
        { ...signed('DELETE', '/api/senders/192.0.2.10', ''), path: '/api/senders/198.51.100.1' },
      ],
      ['wrong bearer', bearer('POST', '/api/senders', add, `${BEARER}x`)],
      [
        'empty bearer',
        { path: '/api/senders', method: 'POST', body: add, headers: { authorization: 'Bearer ' } },
      ],
      ['PUT without credentials', { path: '/api/senders/192.0.2.10', method: 'PUT', body: '{}' }],
      [
        'PATCH without credentials',
        { path: '/api/senders/192.0.2.10', method: 'PATCH', body: '{"enabled":false}' },
      ],
      ['DELETE without credentials', { path: '/api/senders/192.0.2.10', method: 'DELETE' }],
    ]
    for (const [name, req] of attempts) {
      const r = await call(svc, req)
      assert.equal(r.status, 401, name)
      assert.deepEqual(r.json, { error: 'unauthorized' }, name)
      assert.deepEqual(await snapshot(), before, name)
    }

    // A replayed request is refused even though it was good the first time: the
    // sender it added and that was then removed does not come back.
    const once = signed('POST', '/api/senders', add)
    assert.equal((await call(svc, once)).status, 201)
    assert.equal((await call(svc, bearer('DELETE', '/api/senders/203.0.113.9'))).status, 200)
    const replayed = await call(svc, once)
    assert.equal(replayed.status, 401)
    assert.equal((await call(svc, { path: '/api/senders/203.0.113.9' })).status, 404)
    assert.deepEqual(await snapshot(), before)
  })

  await t.test('bad input: 400 naming the field, 404, 409, 413; nothing changes', async () => {
    const before = await snapshot()
    const cases: [RequestInit & { path: string }, number, string | undefined][] = [
      [bearer('POST', '/api/senders', '{"address": "router-1"}'), 400, 'address'],
      [bearer('POST', '/api/senders', '{"name": "no address"}'), 400, 'address'],
      [
        bearer(
          'POST',
          '/api/senders',
          '{"address": "192.0.2.50", "prefixes": ["10.0.0.0/8", "10.0.0.0/40"]}',
        ),
        400,
        'prefixes[1]',
      ],
      [
        bearer('POST', '/api/senders', '{"address": "192.0.2.50", "enabled": "yes"}'),
        400,
        'enabled',
      ],
      [bearer('POST', '/api/senders', '{"address": "192.0.2.50", "role": "admin"}'), 400, 'role'],
      [bearer('POST', '/api/senders', '{"address": '), 400, 'body'],
      [bearer('POST', '/api/senders', '{"address": "192.0.2.10"}'), 409, undefined],
      [bearer('PUT', '/api/senders/192.0.2.10', '{"address": "192.0.2.11"}'), 400, 'address'],
      [bearer('PATCH', '/api/senders/192.0.2.10', '{"name": 7}'), 400, 'name'],
      [bearer('PATCH', '/api/senders/192.0.2.99', '{"name": "x"}'), 404, undefined],
      [bearer('PUT', '/api/senders/192.0.2.99', '{}'), 404, undefined],
      [bearer('DELETE', '/api/senders/192.0.2.99'), 404, undefined],
      [bearer('DELETE', '/api/senders/not-an-address'), 400, 'addr'],
      [{ path: '/api/senders/not-an-address' }, 400, 'addr'],
      [{ path: '/api/senders/192.0.2.99' }, 404, undefined],
    ]
    for (const [req, status, field] of cases) {
      const r = await call(svc, req)
      const what = `${req.method ?? 'GET'} ${req.path} ${typeof req.body === 'string' ? req.body : ''}`
      assert.equal(r.status, status, what)
      assert.equal(typeof r.json['error'], 'string', what)
      assert.equal(r.json['field'], field, what)
    }
    // Too large a body, announced or streamed: cut off with a clear message.
    const big = JSON.stringify({ address: '192.0.2.60', name: 'x'.repeat(MAX_BODY) })
    const sized = await call(svc, bearer('POST', '/api/senders', big))
    assert.deepEqual(sized, {
      status: 413,
      json: { error: `request body larger than ${MAX_BODY} bytes` },
    })
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 8; i++)
          c.enqueue(new TextEncoder().encode(big.slice(i * 1024, (i + 1) * 1024)))
        c.close()
      },
    })
    const streamed = await call(svc, {
      ...bearer('POST', '/api/senders'),
      body: stream,
      duplex: 'half',
    })
    assert.equal(streamed.status, 413)
    assert.deepEqual(await snapshot(), before)
  })

  await t.test('replace (PUT) and change (PATCH)', async () => {
    const put = await call(
      svc,
      signed(
        'PUT',
        '/api/senders/2001:db8::1',
        JSON.stringify({ name: 'v6', prefixes: ['2001:db8:1::/48'] }),
      ),
    )
    assert.equal(put.status, 200)
    assert.deepEqual(
      [put.json['name'], put.json['prefixes'], put.json['enabled']],
      ['v6', ['2001:db8:1::/48'], true],
    )
    const off = await call(svc, bearer('PATCH', '/api/senders/2001:db8::1', '{"enabled": false}'))
    assert.deepEqual([off.json['name'], off.json['enabled']], ['v6', false])
    const on = await call(svc, signed('PATCH', '/api/senders/2001:db8::1', '{"enabled": true}'))
    assert.equal(on.json['enabled'], true)
    const disk = JSON.parse(readFileSync(file, 'utf8')) as { senders: Sender[] }
    assert.equal(disk.senders.find((s) => s.address === '2001:db8::1')?.name, 'v6')
  })

  await t.test('statistics per prefix equal a direct sum over the flows', async () => {
    const client = svc.service.engine.client
    const flows = await insertFixtureFlows(client)
    const now = Math.floor(Date.now() / 1000)
    const v6 = [
      ['2001:db8:1::10', 'inbound', 5_000, 5],
      ['2001:db8:1::20', 'outbound', 7_000, 7],
      ['2001:db8:2::1', 'inbound', 11_000, 11],
    ] as const
    await client.insert({
      table: 'flowloft.flows',
      format: 'JSONEachRow',
      clickhouse_settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
      values: v6.map(([local, direction, bytes, packets], i) => ({
        time_received: now - 60 * (i + 1),
        exporter: '2001:db8::1',
        flow_type: 'ipfix',
        src_addr: direction === 'inbound' ? '2001:db8:ff::1' : local,
        dst_addr: direction === 'inbound' ? local : '2001:db8:ff::1',
        direction,
        bytes,
        packets,
      })),
    })
    const direct = async (exporter: string, cidr: string | null, dir: 'inbound' | 'outbound') => {
      const col = dir === 'inbound' ? 'dst_addr' : 'src_addr'
      const inRange =
        cidr === null
          ? '1'
          : `isIPAddressInRange(replaceRegexpOne(toString(${col}), '^::ffff:', ''), '${cidr}')`
      const [r] = await svc.query<{ bytes: number; packets: number; flows: number }>(
        `SELECT sum(bytes) AS bytes, sum(packets) AS packets, count() AS flows FROM flowloft.flows
         WHERE exporter = toIPv6('${exporter}') AND direction = '${dir}' AND ${inRange}`,
      )
      return r
    }
    const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0)
    const senders: [string, string, string[]][] = [
      ['192.0.2.10', '::ffff:192.0.2.10', ['192.168.1.0/24', '192.168.1.20/32']],
      ['198.51.100.1', '::ffff:198.51.100.1', ['192.168.1.0/25']],
      ['2001:db8::1', '2001:db8::1', ['2001:db8:1::/48']],
    ]
    for (const period of PERIODS) {
      for (const [addr, exporter, prefixes] of senders) {
        const r = await call(svc, {
          path: `/api/senders/${addr}/stats?period=${period}&from=${now - 7200}&to=${now + 60}`,
        })
        assert.equal(r.status, 200, `${period} ${addr}`)
        const s = r.json as unknown as SenderStats
        assert.deepEqual(
          s.series.map((x) => x.prefix),
          [null, ...prefixes],
        )
        assert.ok(s.t.length >= 1 && s.t.every((v, i) => i === 0 || v > (s.t[i - 1] ?? 0)))
        for (const series of s.series) {
          for (const [side, dir] of [
            ['in', 'inbound'],
            ['out', 'outbound'],
          ] as const) {
            const want = await direct(exporter, series.prefix, dir)
            const what = `${period} ${addr} ${series.prefix} ${side}`
            assert.deepEqual(series.total[side], want, what)
            assert.equal(sum(series[side].bytes), want?.bytes, what)
            assert.equal(series[side].flows.length, s.t.length, what)
          }
        }
      }
    }
    // The direct sums are the fixture's own figures, not zeros.
    const edge = (
      await call(svc, { path: `/api/senders/192.0.2.10/stats?period=day&from=${now - 7200}` })
    ).json as unknown as SenderStats
    const fixtureIn = (f: (x: (typeof flows)[number]) => boolean): number =>
      flows
        .filter((x) => x.exporter === '192.0.2.10' && x.direction === 'inbound' && f(x))
        .reduce((s, x) => s + x.bytes, 0)
    assert.equal(
      edge.series[1]?.total.in.bytes,
      fixtureIn((x) => x.dst_addr.startsWith('192.168.1.')),
    )
    assert.equal(
      edge.series[2]?.total.in.bytes,
      fixtureIn((x) => x.dst_addr === '192.168.1.20'),
    )
    assert.ok((edge.series[2]?.total.in.bytes ?? 0) > 0)
    const v6stats = (
      await call(svc, { path: `/api/senders/2001:db8::1/stats?period=hour&from=${now - 7200}` })
    ).json as unknown as SenderStats
    assert.deepEqual(v6stats.series[1]?.total, {
      in: { bytes: 5_000, packets: 5, flows: 1 },
      out: { bytes: 7_000, packets: 7, flows: 1 },
    })
    assert.equal(
      v6stats.series[0]?.total.in.bytes,
      16_000,
      'all traffic includes the host outside the prefix',
    )
    assert.equal(fixtureFlows().length, flows.length)

    // One prefix; minute buckets of one minute each.
    const one = (
      await call(svc, {
        path: `/api/senders/192.0.2.10/stats?period=minute&from=-1h&prefix=192.168.1.20`,
      })
    ).json as unknown as SenderStats
    assert.deepEqual(
      one.series.map((x) => x.prefix),
      [null, '192.168.1.20/32'],
    )
    assert.ok(one.t.length >= 60 && one.t.length <= 61 && one.t.every((v) => v % 60 === 0))

    for (const [q, field] of [
      ['period=week', undefined],
      ['prefix=10.0.0.0/8', 'prefix'],
      ['from=now&to=-1h', 'from'],
      ['period=minute&from=-30d', 'from'],
      ['from=yesterday', undefined],
    ] as const) {
      const bad = await call(svc, { path: `/api/senders/192.0.2.10/stats?${q}` })
      assert.equal(bad.status, 400, q)
      assert.equal(bad.json['field'], field, q)
    }
    assert.equal((await call(svc, { path: '/api/senders/192.0.2.77/stats' })).status, 404)
  })

  await t.test('remove', async () => {
    const r = await call(svc, signed('DELETE', '/api/senders/198.51.100.1', ''))
    assert.equal(r.status, 200)
    assert.equal(r.json['address'], '198.51.100.1')
    const [senders, onDisk] = await snapshot()
    assert.deepEqual(senders.map((s) => s.address).sort(), ['192.0.2.10', '2001:db8::1'])
    assert.deepEqual((JSON.parse(onDisk) as { senders: Sender[] }).senders, senders)
  })

  await t.test('no secret in any log line or answer', () => {
    assert.ok(
      lines.some((l) => l.includes('API change refused')),
      'refusals are logged',
    )
    assert.ok(lines.some((l) => l.includes('sender added')))
    for (const text of [...lines, ...said]) {
      assert.ok(!text.includes(HMAC_KEY), `hmac key leaked: ${text.slice(0, 120)}`)
      assert.ok(!text.includes(BEARER), `bearer token leaked: ${text.slice(0, 120)}`)
    }
  })

  await t.test(
    'with no credentials configured, changes are refused (403), not opened',
    async () => {
      const senders = createSenders(
        { authorizedOnly: true, seed: [] },
        { dataDir: null, log, metrics: new Registry() },
      )
      senders.start()
      const app = createApi({
        engine: svc.service.engine,
        metrics: new Registry(),
        log,
        maxBodyBytes: MAX_BODY,
        senders,
      })
      const tries: Record<string, string>[] = [{}, { authorization: `Bearer ${BEARER}` }]
      for (const headers of tries) {
        const r = await app.request('/api/senders', {
          method: 'POST',
          body: '{"address": "192.0.2.1"}',
          headers,
        })
        assert.equal(r.status, 403)
        assert.match(
          ((await r.json()) as { error: string }).error,
          /configure api\.hmac_key or api\.bearer_token/,
        )
      }
      const l = await app.request('/api/senders')
      assert.deepEqual(await l.json(), { authorized_only: true, senders: [] })
    },
  )
})
