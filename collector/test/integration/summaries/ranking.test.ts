// A summary's top conversations come from a cheap approximate ranking of candidates
// (topKWeighted) when it proves them the exact top, else from ranking every
// conversation: both give the same answer as the full ranking, ties broken alike. A
// window of heavy conversations among many small ones is answered from candidates; one
// of thousands of equal conversations (nothing to prove) ranks them all; an exporter
// with fewer conversations than candidates is exact as it is.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { summarizeWindow } from '../../../dist/summaries/conversations.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('summaries-ranking')
const TO = Math.floor(Date.now() / 300_000) * 300
const FROM = TO - 300

/** `n` conversations of exporter `x`: client 10.x.y.z:(1024+i) -> server:443, and replies. */
async function conversations(
  x: string,
  n: number,
  bytes: string,
  server = '203.0.113.9',
): Promise<void> {
  for (const [src, dst, sport, dport] of [
    [
      'toIPv6(IPv4NumToString(toUInt32(167772160 + number)))',
      `toIPv6('::ffff:${server}')`,
      '1024 + number % 60000',
      '443',
    ],
    [
      `toIPv6('::ffff:${server}')`,
      'toIPv6(IPv4NumToString(toUInt32(167772160 + number)))',
      '443',
      '1024 + number % 60000',
    ],
  ])
    await ch.engine.client.command({
      query: `INSERT INTO flowloft.flows (time_received, exporter, src_addr, dst_addr, src_port, dst_port, proto, bytes, packets)
        SELECT toDateTime(${FROM} + number % 300), toIPv6('::ffff:${x}'), ${src}, ${dst},
          toUInt16(${sport}), toUInt16(${dport}), 6, ${bytes}, 1
        FROM numbers(${n})`,
    })
}

async function summary(k: number): Promise<{ full: boolean; tops: string[] }> {
  await ch.engine.prepareReader()
  let full = false
  const s = await ch.engine.jobs((c) =>
    summarizeWindow(c, 5, TO, 3, { candidates: k, onFullRanking: () => (full = true) }),
  )
  const tops = s.exporters.flatMap((e) =>
    e.conversations.map(
      (c) => `${e.exporter} ${c.client}:${c.client_port} ${c.request_bytes + c.reply_bytes}`,
    ),
  )
  return { full, tops }
}

void test('heavy conversations among many small ones: the candidates prove the top', async () => {
  // 192.0.2.1: three large conversations (the first 3 clients) and 20,000 small ones.
  await conversations(
    '192.0.2.1',
    20_003,
    'if(number < 3, bitShiftRight(1000000000, number), 100 + number % 1000)',
  )
  // 192.0.2.3: two conversations, fewer than the candidates.
  await conversations('192.0.2.3', 2, '500 + number')
  const cheap = await summary(1000)
  assert.equal(cheap.full, false, 'answered from the candidates')
  const reference = await summary(0) // every conversation ranked at once, as before
  assert.deepEqual(cheap.tops, reference.tops)
  assert.deepEqual(cheap.tops, [
    '192.0.2.1 10.0.0.0:1024 2000000000',
    '192.0.2.1 10.0.0.1:1025 1000000000',
    '192.0.2.1 10.0.0.2:1026 500000000',
    '192.0.2.3 10.0.0.1:1025 1002',
    '192.0.2.3 10.0.0.0:1024 1000',
  ])
})

void test('thousands of equal conversations: every one ranked, ties by hash', async () => {
  await ch.engine.client.command({ query: 'TRUNCATE TABLE flowloft.flows' })
  await conversations('192.0.2.2', 5000, '1000')
  const few = await summary(50)
  assert.equal(few.full, true, 'nothing proven: ranked in full')
  const reference = await summary(0)
  assert.deepEqual(few.tops, reference.tops)
  assert.equal(few.tops.length, 3)
  // The same conversations as the full ranking's own SQL order (bytes, then the hash).
  const many = await summary(10_000)
  assert.equal(many.full, false, 'more candidates than conversations: exact as it is')
  assert.deepEqual(many.tops, reference.tops)
})

void test('a conversation spread thin that the sketch drops is still found', async () => {
  // 100,000 one-flow conversations of 1,000-1,499 bytes; X (10.200.0.1:5000 to the
  // server) in 100 requests and 100 replies of 300 bytes, each in another interface's
  // rows, 60,000 bytes in all; two of 5 MB and one of 50,000 bytes. The sketch's
  // estimates never show X, which is the third largest: only the rest per bucket does.
  await ch.engine.client.command({ query: 'TRUNCATE TABLE flowloft.flows' })
  const server = "toIPv6('::ffff:203.0.113.9')"
  const x = "toIPv6('::ffff:10.200.0.1')"
  await ch.engine.client.command({
    query: `INSERT INTO flowloft.flows (time_received, exporter, in_if, src_addr, dst_addr,
        src_port, dst_port, proto, bytes, packets)
      SELECT toDateTime(${FROM} + number % 300), toIPv6('::ffff:192.0.2.1'), number % 100,
        multiIf(number < 100000, toIPv6(IPv4NumToString(toUInt32(167772160 + number))),
          number < 100100, ${x}, number < 100200, ${server},
          toIPv6(IPv4NumToString(toUInt32(184156160 + number - 100200)))),
        multiIf(number >= 100100 AND number < 100200, ${x}, ${server}),
        toUInt16(multiIf(number < 100000, 1024 + number % 60000, number < 100100, 5000,
          number < 100200, 443, 6000)),
        toUInt16(multiIf(number >= 100100 AND number < 100200, 5000, 443)), 6,
        multiIf(number < 100000, 1000 + cityHash64(number) % 500, number < 100200, 300,
          number < 100202, 5000000 - (number - 100200), 50000), 1
      FROM numbers(100203)`,
  })
  const got = await summary(200)
  assert.equal(got.full, true, 'the candidates could not prove their top')
  assert.deepEqual(got.tops, [
    '192.0.2.1 10.250.0.0:6000 5000000',
    '192.0.2.1 10.250.0.1:6000 4999999',
    '192.0.2.1 10.200.0.1:5000 60000',
  ])
})

void test('conversations of 0 bytes count toward the top as in the full ranking', async () => {
  await ch.engine.client.command({ query: 'TRUNCATE TABLE flowloft.flows' })
  // One conversation of 5,000 bytes (each way 2,500) and five of 0 bytes.
  await conversations('192.0.2.4', 6, 'if(number = 0, 2500, 0)')
  const reference = await summary(0)
  assert.equal(reference.tops.length, 3)
  for (const k of [1, 2, 50]) assert.deepEqual((await summary(k)).tops, reference.tops, `k=${k}`)
})
