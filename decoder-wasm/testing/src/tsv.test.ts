// The WASM TSV formatter against an independent reference built from RecordView reads:
// every column of every record of the recorded exporter captures, plus text columns
// from the string table (escaping included).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Decoder } from '../../dist/decoder.js'
import { DatagramBatch } from '../../dist/datagram-batch.js'
import {
  DIRECTIONS,
  F,
  INSERT_COLUMNS,
  S,
  STRING_MAX_CHARS,
} from '../../dist/generated/contract.js'
import { flowTypeName } from '../../dist/flow-type.js'
import { parseAddress, formatAddress } from '../../dist/ip.js'
import { readCaptureFile } from '../../dist/capture-file.js'
import { protocolName } from '../../dist/protocols.js'
import type { FieldOffset, RecordView } from '../../dist/record-view.js'
import { buildV5, fullWidthV5 } from './builders/netflow5.js'
import { capturePath } from './fixtures/flow-fixtures.js'
import { RowOutput } from '../../dist/row-output.js'

const FIXTURES = [
  'softflowd-v9.pcap',
  'softflowd-v9-sampled.pcap',
  'softflowd-ipfix.pcap',
  'softflowd-ipfix-biflow.pcap',
  'sflow-pmacct.pcap',
]
const ADDRESS = new Map<string, FieldOffset>([
  ['exporter', F.exporter],
  ['src_addr', F.srcAddr],
  ['dst_addr', F.dstAddr],
  ['next_hop', F.nextHop],
  ['post_nat_src_addr', F.postNatSrcAddr],
  ['post_nat_dst_addr', F.postNatDstAddr],
])

/** Flow times before 2001-09-09 or past 2299 are written as the receive time. */
const flowMs = (ms: number, received: number): number =>
  ms < 1e12 || ms > 10413791999999 ? received : ms
const seconds = (ms: number): string =>
  `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`

function reference(v: RecordView, i: number, names: Map<number, string>): Record<string, string> {
  const t = (slot: (typeof S)[keyof typeof S]): string => names.get(v.sid(i, slot)) ?? ''
  return {
    time_received: String(Math.floor(v.u64(i, F.timeReceived) / 1000)),
    flow_start: seconds(flowMs(v.u64(i, F.flowStart), v.u64(i, F.timeReceived))),
    flow_end: seconds(flowMs(v.u64(i, F.flowEnd), v.u64(i, F.timeReceived))),
    exporter_name: t(S.exporterName),
    observation_domain: String(v.u32(i, F.observationDomain)),
    flow_type: flowTypeName(v.u8(i, F.flowType)),
    sequence: String(v.u32(i, F.sequence)),
    sampling_rate: String(v.u32(i, F.samplingRate)),
    src_port: String(v.u16(i, F.srcPort)),
    dst_port: String(v.u16(i, F.dstPort)),
    proto: String(v.u8(i, F.proto)),
    proto_name: protocolName(v.u8(i, F.proto)),
    tcp_flags: String(v.u16(i, F.tcpFlags)),
    tos: String(v.u8(i, F.tos)),
    in_if: String(v.u32(i, F.inIf)),
    out_if: String(v.u32(i, F.outIf)),
    in_if_name: t(S.inIfName),
    out_if_name: t(S.outIfName),
    src_as: String(v.u32(i, F.srcAs)),
    dst_as: String(v.u32(i, F.dstAs)),
    src_as_name: t(S.srcAsName),
    dst_as_name: t(S.dstAsName),
    src_country: t(S.srcCountry),
    dst_country: t(S.dstCountry),
    direction: DIRECTIONS[v.u8(i, F.direction)] ?? '',
    src_mask: String(v.u8(i, F.srcMask)),
    dst_mask: String(v.u8(i, F.dstMask)),
    flow_direction: String(v.u8(i, F.flowDirection)),
    vlan: String(v.u16(i, F.vlan)),
    src_mac: String(v.u64(i, F.srcMac)),
    dst_mac: String(v.u64(i, F.dstMac)),
    icmp_type: String(v.u8(i, F.icmpType)),
    icmp_code: String(v.u8(i, F.icmpCode)),
    flow_end_reason: String(v.u8(i, F.flowEndReason)),
    forwarding_status: String(v.u8(i, F.forwardingStatus)),
    post_nat_src_port: String(v.u16(i, F.postNatSrcPort)),
    post_nat_dst_port: String(v.u16(i, F.postNatDstPort)),
    nat_event: String(v.u8(i, F.natEvent)),
    bytes: String(v.u64(i, F.bytes)),
    packets: String(v.u64(i, F.packets)),
    src_host: t(S.srcHost),
    dst_host: t(S.dstHost),
  }
}

function check(
  d: Decoder,
  batch: DatagramBatch,
  label: (i: number) => Record<string, string>,
  vary = false,
): number {
  const packed = batch.take()
  const names = new Map<number, string>()
  let rows = 0
  d.decode(new Uint8Array(packed.buffer), packed.count, (v, n) => {
    const expected: Record<string, string>[] = []
    for (let i = 0; i < n; i++) {
      for (const [slot, text] of Object.entries(label(i))) {
        const id = d.strings.id(text)
        // Text is stored cut to STRING_MAX_CHARS.
        const kept = text.slice(0, STRING_MAX_CHARS)
        names.set(id, kept.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'))
        v.setSid(i, S[slot as keyof typeof S], id)
      }
      v.setU8(i, F.direction, i % 5)
      if (vary) {
        // Fields the formatter caches from row to row, changed within a datagram, and
        // NAT fields on some rows (the formatter has a shortcut for rows without).
        if (i % 3 === 1) v.setU32(i, F.samplingRate, 1000 + i)
        if (i % 5 === 2) {
          v.setU8(i, F.natEvent, 1)
          v.setU32(i, F.postNatSrcPort, (443 << 16) | 40000)
        }
        if (i % 7 === 3) v.setU8(i, F.natEvent, 2)
        // Times no DateTime64 holds (garbage from a broken exporter).
        if (i % 6 === 4) v.setU64(i, F.flowEnd, 0xffffffffffffffffn)
        if (i % 6 === 5) v.setU64(i, F.flowStart, 10413792000000n)
        if (i % 6 === 0) v.setU64(i, F.flowEnd, 999_999_999_999n)
      }
      expected.push(reference(v, i, names))
    }
    const out = new RowOutput()
    d.formatRows('TabSeparated', n, out)
    const taken = d.takeRows('TabSeparated', out)
    assert.equal(
      taken.rows.reduce((a, b) => a + b, 0),
      n,
    )
    taken.chunks.forEach((c, k) => {
      assert.equal(c[c.byteLength - 1], 10, 'a chunk ends at the end of a row')
      assert.equal(c.toString('latin1').split('\n').length - 1, taken.rows[k])
    })
    const lines = Buffer.concat(taken.chunks).toString('utf8').split('\n')
    assert.equal(lines.pop(), '', 'rows end with a newline')
    assert.equal(lines.length, n)
    lines.forEach((line, i) => {
      const fields = line.split('\t')
      assert.equal(fields.length, INSERT_COLUMNS.length, line)
      INSERT_COLUMNS.forEach((col, c) => {
        const got = fields[c] ?? ''
        const at = ADDRESS.get(col)
        if (at !== undefined) {
          assert.deepEqual(parseAddress(got), parseAddress(v.addr(i, at)), `${col}: ${got}`)
          if (formatAddress(parseAddress(got), 0).includes('.')) assert.match(got, /^::ffff:\d/)
        } else {
          assert.equal(got, expected[i]?.[col], `row ${i} column ${col}`)
        }
      })
    })
    rows += n
  })
  return rows
}

void test('WASM TSV rows equal the reference for every record of the recorded captures', () => {
  const d = new Decoder()
  let rows = 0
  for (const f of FIXTURES) {
    const batch = new DatagramBatch(4 << 20, 4096)
    for (const dg of readCaptureFile(capturePath(f))) {
      batch.add(dg.payload, parseAddress(dg.srcAddr), dg.srcPort, dg.timeMs)
    }
    rows += check(d, batch, (i) => ({
      srcCountry: i % 3 === 0 ? 'DE' : '',
      // Every length from 0 to 40: the formatter copies up to 16 and up to 32 bytes as
      // words, longer strings in bulk.
      srcAsName: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDE'.slice(0, i % 41),
      dstAsName: i % 2 ? 'Example\tNet\\work' : 'Другой AS',
      srcHost: `host-${i % 7}.lan`,
      exporterName: 'router',
    }))
  }
  assert.ok(rows > 150, `checked ${rows} rows`)
})

void test('rows equal the reference when cached columns change from row to row, in small chunks', () => {
  // A TSV region of 32 KiB holds one or two rows of the longest kind: the rows leave in
  // many chunks, and each chunk ends at a row's end (check() joins them).
  const d = new Decoder({ rowBytes: 32 << 10 })
  let rows = 0
  for (const f of FIXTURES) {
    const batch = new DatagramBatch(4 << 20, 4096)
    for (const dg of readCaptureFile(capturePath(f))) {
      batch.add(dg.payload, parseAddress(dg.srcAddr), dg.srcPort, dg.timeMs)
    }
    rows += check(
      d,
      batch,
      (i) => ({
        exporterName: i % 4 === 0 ? 'router' : i % 4 === 1 ? 'switch-ü' : '',
        dstHost: 'x'.repeat(300 + (i % 3)),
      }),
      true,
    )
  }
  assert.ok(rows > 150, `checked ${rows} rows`)
})

void test('large counters, zero and full-width values format exactly', () => {
  const d = new Decoder()
  const batch = new DatagramBatch(1 << 16, 16)
  batch.add(fullWidthV5(), parseAddress('2001:db8::1'), 2055, 0)
  assert.equal(
    check(d, batch, () => ({})),
    1,
  )
})

void test('IPv6 groups of every width format without leading zeros', () => {
  const d = new Decoder()
  const batch = new DatagramBatch(1 << 16, 16)
  const v5 = buildV5({ sysUptime: 1000, unixSecs: 1_700_000_000 }, [
    {
      src: '10.0.0.1',
      dst: '10.0.0.2',
      srcPort: 1,
      dstPort: 2,
      proto: 17,
      packets: 1,
      bytes: 64,
      first: 0,
      last: 0,
    },
  ])
  // The exporter column goes through the same IPv6 writer as src/dst/next hop/NAT.
  for (const a of [
    'ab:cde:f:1000:100:10:ffff:0',
    'fe80::1',
    '1:2:3:4:5:6:7:8',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '::1',
  ]) {
    batch.add(v5, parseAddress(a), 2055, 1_700_000_000_000)
  }
  assert.equal(
    check(d, batch, () => ({})),
    5,
  )
})

void test('the string table escapes text and survives compaction', () => {
  const d = new Decoder({ strings: { ids: 400, bytes: 4096 } })
  const a = d.strings.id('a')
  assert.equal(d.strings.id('a'), a)
  assert.equal(d.strings.id(''), 0)
  for (let i = 0; i < 200; i++) d.strings.id(`name-${i}`)
  assert.ok(d.strings.overflows > 0, 'a full table hands out 0 and counts it')
  d.strings.compact()
  assert.equal(d.strings.resets, 1)
  assert.notEqual(d.strings.id('fresh'), 0)
})
