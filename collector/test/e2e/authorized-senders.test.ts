// Authorized-only mode through a real collector: NetFlow v5 from a registered source
// (127.0.0.1, seeded from the configuration) is stored, the same from an unregistered
// one (a socket bound to 127.0.0.2) is dropped before decoding and counted on /metrics;
// registering, disabling and re-enabling senders through the API takes effect at once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { createLogger } from '../../dist/observability/log.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../support/service.js'

const TOKEN = `bt-${randomBytes(12).toString('hex')}`
const REJECTED = 'flowloft_senders_rejected_datagrams_total{listener="netflow"}'
const RECEIVED = 'flowloft_listener_datagrams_total{listener="netflow"}'

/** Send datagrams from a socket bound to `from` (any 127/8 address is loopback). */
async function sendFrom(from: string, port: number, datagrams: Uint8Array[]): Promise<void> {
  const s = createSocket('udp4')
  try {
    await new Promise<void>((r) => s.bind(0, from, () => r()))
    for (const d of datagrams)
      await new Promise<void>((resolve, reject) =>
        s.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      )
  } finally {
    await new Promise<void>((r) => s.close(() => r()))
  }
}

/** One datagram of `n` flows whose bytes mark the batch. */
const datagram = (n: number, bytes: number): Uint8Array =>
  v5Now(Array.from({ length: n }, (_, i) => ({ src: `10.0.0.${i + 1}`, dst: '8.8.8.8', bytes })))

void test('authorized-only: only registered senders are stored, the others counted', async (t) => {
  const lines: string[] = []
  const svc = await startTestService(
    {
      'senders.authorized_only': true,
      'senders.seed': { '127.0.0.1': { name: 'loopback', prefixes: ['10.0.0.0/8'] } },
      'api.bearer_token': TOKEN,
    },
    createLogger('warn', {}, (l) => lines.push(l)),
  )
  t.after(() => svc.stop())
  const port = svc.netflowPort
  const flowsFrom = async (exporter: string): Promise<{ n: number; bytes: number }> => {
    const [r] = await svc.query<{ n: number; bytes: number }>(
      `SELECT count() AS n, sum(bytes) AS bytes FROM flows WHERE exporter = toIPv6('::ffff:${exporter}')`,
    )
    return r ?? { n: 0, bytes: 0 }
  }
  const directions = async (exporter: string): Promise<[string, number][]> =>
    (
      await svc.query<{ d: string; n: number }>(
        `SELECT toString(direction) AS d, count() AS n FROM flows
         WHERE exporter = toIPv6('::ffff:${exporter}') GROUP BY d ORDER BY d`,
      )
    ).map((r) => [r.d, r.n])
  const change = async (method: string, path: string, body: unknown): Promise<number> =>
    (
      await fetch(`${svc.httpBase}${path}`, {
        method,
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).status

  const listed = (await (await fetch(`${svc.httpBase}/api/senders`)).json()) as {
    authorized_only: boolean
    senders: { address: string; name: string }[]
  }
  assert.equal(listed.authorized_only, true)
  assert.deepEqual(
    listed.senders.map((s) => [s.address, s.name]),
    [['127.0.0.1', 'loopback']],
  )

  // Unregistered first, then registered: once the registered flows are stored, the
  // others have long been through the listener.
  await sendFrom('127.0.0.2', port, [datagram(3, 700), datagram(2, 700), datagram(1, 700)])
  await sendFrom('127.0.0.1', port, [datagram(4, 100), datagram(5, 100)])
  await eventually(async () => (await flowsFrom('127.0.0.1')).n === 9)
  let m = await svc.metrics()
  assert.equal(metricValue(m, REJECTED), 3)
  assert.equal(metricValue(m, RECEIVED), 5)
  assert.deepEqual(await flowsFrom('127.0.0.2'), { n: 0, bytes: 0 })
  assert.equal((await flowsFrom('127.0.0.1')).bytes, 900)
  // The seeded sender's prefix decides direction: 10.0.0.x -> 8.8.8.8 goes out.
  assert.deepEqual(await directions('127.0.0.1'), [['outbound', 9]])
  assert.match(m, /^flowloft_senders_authorized_only 1$/m)
  assert.ok(
    lines.some((l) => l.includes('not registered') && l.includes('"address":"127.0.0.2"')),
    'the rejection is logged with the address',
  )

  // Registered through the API: accepted from the next datagram on.
  assert.equal(await change('POST', '/api/senders', { address: '127.0.0.2', name: 'second' }), 201)
  await sendFrom('127.0.0.2', port, [datagram(2, 50)])
  await eventually(async () => (await flowsFrom('127.0.0.2')).n === 2)
  assert.equal((await flowsFrom('127.0.0.2')).bytes, 100)
  // No prefixes of its own: the default home prefixes hold 10.0.0.x, so 10.0.0.x ->
  // 8.8.8.8 goes out.
  assert.deepEqual(await directions('127.0.0.2'), [['outbound', 2]], 'default home prefixes')

  // Its prefixes changed through the API: 8.8.8.8 is now one of its own networks too,
  // so the next flows stay inside.
  assert.equal(await change('PATCH', '/api/senders/127.0.0.2', { prefixes: ['8.8.8.0/24'] }), 200)
  await sendFrom('127.0.0.2', port, [datagram(1, 50)])
  await eventually(async () => (await flowsFrom('127.0.0.2')).n === 3)
  assert.deepEqual(await directions('127.0.0.2'), [
    ['internal', 1],
    ['outbound', 2],
  ])

  // Disabled: refused again (and counted); the other sender is unaffected.
  assert.equal(await change('PATCH', '/api/senders/127.0.0.1', { enabled: false }), 200)
  await sendFrom('127.0.0.1', port, [datagram(6, 100)])
  await sendFrom('127.0.0.2', port, [datagram(1, 50)])
  await eventually(async () => (await flowsFrom('127.0.0.2')).n === 4)
  m = await svc.metrics()
  assert.equal(metricValue(m, REJECTED), 4)
  assert.equal((await flowsFrom('127.0.0.1')).n, 9)

  // Removed: refused; re-added: accepted.
  assert.equal(await change('DELETE', '/api/senders/127.0.0.2', {}), 200)
  assert.equal(await change('PATCH', '/api/senders/127.0.0.1', { enabled: true }), 200)
  await sendFrom('127.0.0.2', port, [datagram(1, 50)])
  await sendFrom('127.0.0.1', port, [datagram(1, 100)])
  await eventually(async () => (await flowsFrom('127.0.0.1')).n === 10)
  assert.equal(metricValue(await svc.metrics(), REJECTED), 5)
  assert.equal((await flowsFrom('127.0.0.2')).n, 4)
})
