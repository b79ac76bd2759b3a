// http.metrics_max_sources through a running collector: 20,000 source addresses on
// loopback (127.x.y.z) send one NetFlow v5 datagram each. /metrics stays small (at most
// the bound of exporters keep their own series, the rest add up under exporter="other"),
// the sum over the series still equals the datagrams sent, and a registered sender that
// speaks last still gets its own series.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { v5Now } from '../support/netflow5.js'
import { eventually, startTestService } from '../support/service.js'

const SOURCES = 20_000
const MAX = 256
const SENDER = '127.200.0.1'

/**
 * Send one datagram from each address, a few sockets at a time, waiting for the listener
 * to have read each 256 (`received`): the kernel's receive buffer is not the subject here.
 */
async function fromEach(
  port: number,
  addresses: string[],
  dg: Uint8Array,
  received: () => number,
): Promise<void> {
  const base = received()
  const one = (address: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createSocket('udp4')
      s.once('error', reject)
      s.bind(0, address, () =>
        s.send(dg, port, '127.0.0.1', (e) => s.close(() => (e ? reject(e) : resolve()))),
      )
    })
  for (let i = 0; i < addresses.length; i += 32) {
    await Promise.all(addresses.slice(i, i + 32).map(one))
    if ((i + 32) % 256 === 0 || i + 32 >= addresses.length) {
      const want = base + Math.min(i + 32, addresses.length)
      await eventually(() => Promise.resolve(received() >= want), 10_000, 2)
    }
  }
}

function series(text: string, family: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = []
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`)) continue
    const at = line.lastIndexOf(' ')
    out.push({ labels: line.slice(family.length, at), value: Number(line.slice(at + 1)) })
  }
  return out
}

void test(`${SOURCES} source addresses: /metrics bounded, sums intact, a registered sender kept`, async (t) => {
  const svc = await startTestService({
    'http.metrics_max_sources': MAX,
    'senders.seed': { [SENDER]: { name: 'router', prefixes: [], enabled: true } },
  })
  t.after(() => svc.stop())
  const addresses = Array.from(
    { length: SOURCES },
    (_, i) => `127.${10 + (i >> 16)}.${(i >> 8) & 0xff}.${(i & 0xff) + 0}`,
  ).filter((a) => !a.endsWith('.0') && !a.endsWith('.255'))
  while (addresses.length < SOURCES) addresses.push(`127.99.${addresses.length & 0xff}.1`)
  const dg = v5Now([{ src: '10.0.0.1', dst: '10.0.0.2' }])
  const received = (): number =>
    svc.service.metrics.read('flowloft_listener_datagrams_total').reduce((s, x) => s + x.value, 0)
  const t0 = Date.now()
  await fromEach(svc.netflowPort, [...new Set(addresses)], dg, received)
  await fromEach(svc.netflowPort, [SENDER], dg, received)
  const sent = new Set(addresses).size + 1
  const sendMs = Date.now() - t0

  const family = 'flowloft_decoder_datagrams_total'
  let text = ''
  await eventually(async () => {
    text = await svc.metrics()
    return series(text, family).reduce((s, x) => s + x.value, 0) >= sent
  }, 60_000).catch((err: unknown) => {
    const show = /^flowloft_(listener|decode_dropped|senders|kernel)/
    console.log(
      text
        .split('\n')
        .filter((l) => show.test(l))
        .join('\n'),
    )
    throw err
  })
  const dgs = series(text, family)
  const total = dgs.reduce((s, x) => s + x.value, 0)
  const heard = received()
  const lines = text.split('\n').length
  const other = dgs.find((x) => x.labels.includes('exporter="other"'))?.value ?? 0
  console.log(
    `${sent} sources sent in ${sendMs} ms; /metrics ${lines} lines, ${text.length} bytes; ` +
      `${family}: ${dgs.length} series, sum ${total}, other ${other}; listener received ${heard}`,
  )
  assert.equal(total, sent, 'every datagram counted once')
  assert.equal(heard, sent)
  assert.ok(dgs.length <= MAX + 2, `${dgs.length} series`)
  assert.equal(other, sent - MAX - 1, 'all but the first MAX and the sender are "other"')
  assert.ok(
    dgs.some((x) => x.labels.includes(`exporter="${SENDER}"`)),
    'the sender keeps its own',
  )
  assert.ok(lines < 1500, `${lines} lines`)
  const kept = series(text, 'flowloft_metrics_source_labels')
  assert.deepEqual(
    kept.map((k) => [k.labels, k.value]),
    [
      ['{state="kept"}', MAX + 1],
      ['{state="folded"}', sent - MAX - 1],
    ],
  )
  // The flows themselves are all stored: only the labels were folded.
  await eventually(
    async () => (await svc.query<{ n: number }>('SELECT count() AS n FROM flows'))[0]?.n === sent,
    60_000,
  )
})
