// The decoder's RowBinary rows (what the writer inserts) against its TSV rows (checked
// column by column against RecordView reads in decoder-wasm's tsv.test.ts), with the
// real engine as the judge: the same records formatted both ways store the same rows,
// over recorded captures and values at the edges (long, escaped and non-ASCII text,
// IPv6, NAT fields, times no DateTime64 holds, every direction).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  DatagramBatch,
  Decoder,
  F,
  INSERT_COLUMNS,
  parseAddress,
  readCaptureFile,
  RowOutput,
  S,
} from '@flowloft/decoder-wasm'
import { capturePath, CAPTURES, fullWidthV5 } from '@flowloft/decoder-wasm/testing'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('rowbinary')

/** Every recorded capture, then a v5 datagram of full-width values. */
function datagrams(): DatagramBatch[] {
  const now = Date.now()
  const out: DatagramBatch[] = []
  for (const name of [...CAPTURES, 'sflow-pmacct.pcap']) {
    const b = new DatagramBatch(4 << 20, 4096)
    for (const dg of readCaptureFile(capturePath(name))) {
      b.add(dg.payload, parseAddress(dg.srcAddr), dg.srcPort, now)
    }
    out.push(b)
  }
  const v5 = new DatagramBatch(1 << 16, 4)
  v5.add(fullWidthV5(), parseAddress('2001:db8::1'), 2055, now)
  out.push(v5)
  return out
}

// Fields given a distinct value per field and row on every third row (the v5 row of
// full-width values aside), so that two columns swapped or misplaced by a byte cannot
// store the same.
const BYTES = [
  F.srcMask,
  F.dstMask,
  F.tos,
  F.icmpType,
  F.icmpCode,
  F.flowEndReason,
  F.forwardingStatus,
  F.flowDirection,
  F.proto,
  F.srcPort,
  F.dstPort,
  F.postNatDstPort,
  F.vlan,
  F.tcpFlags,
] as const
const WORDS = [
  F.inIf,
  F.outIf,
  F.srcAs,
  F.dstAs,
  F.observationDomain,
  F.sequence,
  F.samplingRate,
] as const
const LONGS = [F.bytes, F.packets, F.srcMac, F.dstMac, F.nextHop, F.exporter] as const

const LABELS = [
  '',
  'DE',
  'Example\tNet\\work',
  'line\nbreak',
  'Другой AS',
  'switch-ü',
  'x'.repeat(127),
  'y'.repeat(128),
  'z'.repeat(300),
]

void test('RowBinary rows store exactly what the same records as TSV rows store', async () => {
  // A small row region: rows leave in many chunks of each format.
  const d = new Decoder({ rowBytes: 32 << 10 })
  const binary = new RowOutput()
  const tsv = new RowOutput()
  let rows = 0
  for (const batch of datagrams()) {
    const packed = batch.take()
    d.decode(new Uint8Array(packed.buffer), packed.count, (v, n) => {
      for (let i = 0; i < n; i++) {
        const k = rows + i
        const label = (j: number): number => d.strings.id(LABELS[(k + j) % LABELS.length] ?? '')
        v.setSid(i, S.exporterName, label(0))
        v.setSid(i, S.inIfName, label(1))
        v.setSid(i, S.outIfName, label(2))
        v.setSid(i, S.srcAsName, label(3))
        v.setSid(i, S.dstAsName, label(4))
        v.setSid(i, S.srcCountry, label(5))
        v.setSid(i, S.dstCountry, label(6))
        v.setSid(i, S.srcHost, label(7))
        v.setSid(i, S.dstHost, label(8))
        v.setU8(i, F.direction, k % 5)
        if (k % 4 === 1) v.setU64(i, F.srcAddr, 0xb80d0120n) // 2001:db8:...: not mapped IPv4
        if (k % 5 === 2) {
          v.setU8(i, F.natEvent, 1)
          v.setU32(i, F.postNatSrcPort, (443 << 16) | 40000)
          v.setU64(i, F.postNatDstAddr, 0xffffffffffffffffn)
        }
        if (k % 6 === 4) v.setU64(i, F.flowEnd, 0xffffffffffffffffn)
        if (k % 6 === 5) v.setU64(i, F.flowStart, 10413792000000n)
        if (k % 7 === 3) v.setU64(i, F.srcMac, 0xffffffffffffn)
        if (k % 3 === 0 && v.u8(i, F.flowType) !== 5) {
          BYTES.forEach((f, j) => v.setU8(i, f, (k * 31 + j * 17) & 255))
          WORDS.forEach((f, j) => v.setU32(i, f, (Math.imul(k, 2654435761) + j * 97) >>> 0))
          LONGS.forEach((f, j) => v.setU64(i, f, BigInt(k) * 1000003n + BigInt(j)))
        }
      }
      d.formatRows('RowBinary', n, binary)
      d.formatRows('TabSeparated', n, tsv)
      rows += n
    })
  }
  const b = d.takeRows('RowBinary', binary)
  const t = d.takeRows('TabSeparated', tsv)
  assert.ok(rows > 150, `formatted ${rows} rows`)
  assert.ok(b.chunks.length > 1, 'RowBinary rows left in several chunks')
  const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0)
  assert.equal(sum(b.rows), rows)
  assert.equal(sum(t.rows), rows)

  const copy = 'flowloft.flows_tsv_copy'
  await ch.engine.client.command({ query: `CREATE TABLE ${copy} AS flowloft.flows` })
  // Settings of a small (async) batch: RowBinary must still reach the table whole.
  await ch.engine.insertRows({
    table: 'flowloft.flows',
    columns: INSERT_COLUMNS,
    format: 'RowBinary',
    body: b.chunks.map((c) => Buffer.from(c)),
    settings: {
      async_insert: 1,
      wait_for_async_insert: 1,
      async_insert_deduplicate: 1,
      insert_deduplication_token: randomUUID(),
    },
  })
  await ch.engine.insertRows({
    table: copy,
    columns: INSERT_COLUMNS,
    format: 'TabSeparated',
    body: t.chunks.map((c) => Buffer.from(c)),
    settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
  })
  const cols = INSERT_COLUMNS.join(', ')
  const digest = async (table: string): Promise<{ n: string; sum: string; xor: string }> => {
    const [r] = await ch.rows<{ n: string; sum: string; xor: string }>(
      `SELECT count() AS n, toString(sum(h)) AS sum, toString(groupBitXor(h)) AS xor
       FROM (SELECT cityHash64(${cols}) AS h FROM ${table})`,
    )
    assert.ok(r)
    return r
  }
  const fromBinary = await digest('flowloft.flows')
  assert.equal(Number(fromBinary.n), rows)
  assert.deepEqual(fromBinary, await digest(copy))
  const numbers = (r: Record<string, unknown> | undefined): Record<string, number> =>
    Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, Number(v)]))
  const [diff] = await ch.rows<Record<string, unknown>>(
    `SELECT (SELECT count() FROM (SELECT ${cols} FROM flowloft.flows EXCEPT SELECT ${cols} FROM ${copy})) AS a,
            (SELECT count() FROM (SELECT ${cols} FROM ${copy} EXCEPT SELECT ${cols} FROM flowloft.flows)) AS b`,
  )
  assert.deepEqual(numbers(diff), { a: 0, b: 0 })
  // The edges arrived as values, not as what a misplaced byte would make of them.
  const [edges] = await ch.rows<Record<string, unknown>>(
    `SELECT countIf(dst_as_name = 'Example\\tNet\\\\work') > 0 AS escaped,
            countIf(dst_host = repeat('z', 256)) > 0 AS capped,
            countIf(in_if_name = 'Другой AS') > 0 AS utf8,
            countIf(src_addr = toIPv6('2001:db8::ffff:0:0') OR startsWith(IPv6NumToString(src_addr), '2001:db8:')) > 0 AS v6,
            uniqExact(direction) AS directions,
            countIf(flow_type = 'sflow5') > 0 AS sflow,
            countIf(flow_type = 'netflow5' AND bytes = 4294967295 * 16383) AS v5full
     FROM flowloft.flows`,
  )
  assert.deepEqual(numbers(edges), {
    escaped: 1,
    capped: 1,
    utf8: 1,
    v6: 1,
    directions: 5,
    sflow: 1,
    v5full: 1,
  })
  assert.deepEqual(readdirSync(join(ch.dataDir, 'inserting')), [])
})
