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
  const reference = await summary(1) // one candidate proves nothing: every conversation ranked
  assert.equal(reference.full, true)
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
  const reference = await summary(1)
  assert.deepEqual(few.tops, reference.tops)
  assert.equal(few.tops.length, 3)
  // The same conversations as the full ranking's own SQL order (bytes, then the hash).
  const many = await summary(10_000)
  assert.equal(many.full, false, 'more candidates than conversations: exact as it is')
  assert.deepEqual(many.tops, reference.tops)
})
