// IPFIX flow times (RFC 7011, IANA elements 150-162 and 322-325), encoded the way
// exporters encode them, come out as exact milliseconds: absolute seconds, ms, and
// NTP-format micro/nanoseconds; deltas before the export time; durations from either
// end; observation times alone (ipt-netflow NAT events) as start = end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FlowHarness, rowsOf, type FlowRow } from './harness/flow-harness.js'
import { DatagramBatch } from '../../dist/datagram-batch.js'
import { parseAddress } from '../../dist/ip.js'
import { buildIpfix } from './builders/ipfix.js'
import type { FieldValue, TemplateDef } from './builders/flow-fields.js'
import { RowOutput } from '../../dist/row-output.js'
import { INSERT_COLUMNS, type FlowColumn } from '../../dist/generated/contract.js'

const exportTime = 1_700_000_000
const exportMs = exportTime * 1000
const header = { exportTime, sequence: 1, domain: 7 }
const START = 1_699_999_990_123 // ms: a plain truncation of the NTP fraction gives ...122
const END = 1_699_999_995_456
const NTP_OFFSET = 2_208_988_800n

/** dateTimeMicroseconds as sent: NTP seconds . fraction, the low 11 bits zero. */
function ntpMicro(us: bigint): bigint {
  const frac = ((us % 1_000_000n) << 32n) / 1_000_000n
  return ((us / 1_000_000n + NTP_OFFSET) << 32n) | (frac & ~0x7ffn)
}

/** dateTimeNanoseconds as sent: NTP seconds . fraction (truncated). */
function ntpNano(ns: bigint): bigint {
  return ((ns / 1_000_000_000n + NTP_OFFSET) << 32n) | (((ns % 1_000_000_000n) << 32n) / 10n ** 9n)
}

const us = (ms: number, extra = 0): bigint => BigInt(ms) * 1000n + BigInt(extra)
const ns = (ms: number, extra = 0): bigint => BigInt(ms) * 1_000_000n + BigInt(extra)

/** flow start and end of one record with these time fields (plus a source address). */
function times(fields: [id: number, length: number][], values: FieldValue[]): [number, number] {
  const t: TemplateDef = {
    id: 256,
    fields: [{ id: 8, length: 4 }, ...fields.map(([id, length]) => ({ id, length }))],
  }
  const { rows, statuses } = new FlowHarness().decode([
    buildIpfix(header, [{ templates: [t] }, { template: t, records: [['10.0.0.1', ...values]] }]),
  ])
  assert.deepEqual(statuses, ['ok'])
  assert.equal(rows.length, 1)
  return [rows[0]?.start ?? -1, rows[0]?.end ?? -1]
}

void test('an observation time alone is the start and the end (322, 323, 324, 325)', () => {
  assert.deepEqual(times([[323, 8]], [BigInt(START)]), [START, START])
  assert.deepEqual(
    times([[322, 4]], [Math.floor(START / 1000)]),
    [1_699_999_990_000, 1_699_999_990_000],
  )
  assert.deepEqual(times([[324, 8]], [ntpMicro(us(START, 999))]), [START, START])
  assert.deepEqual(times([[325, 8]], [ntpNano(ns(START, 999_999))]), [START, START])
})

void test('absolute start and end: seconds, ms, and NTP micro/nanoseconds (150-157)', () => {
  const s = Math.floor(START / 1000)
  const e = Math.floor(END / 1000)
  assert.deepEqual(
    times(
      [
        [150, 4],
        [151, 4],
      ],
      [s, e],
    ),
    [s * 1000, e * 1000],
  )
  assert.deepEqual(
    times(
      [
        [152, 8],
        [153, 8],
      ],
      [BigInt(START), BigInt(END)],
    ),
    [START, END],
  )
  assert.deepEqual(
    times(
      [
        [154, 8],
        [155, 8],
      ],
      [ntpMicro(us(START, 250)), ntpMicro(us(END))],
    ),
    [START, END],
  )
  assert.deepEqual(
    times(
      [
        [156, 8],
        [157, 8],
      ],
      [ntpNano(ns(START, 1)), ntpNano(ns(END))],
    ),
    [START, END],
  )
})

void test('delta microseconds count back from the export time (158, 159)', () => {
  assert.deepEqual(
    times(
      [
        [158, 4],
        [159, 4],
      ],
      [9_876_500, 1_500],
    ),
    [exportMs - 9_877, exportMs - 2], // 9876.5 and 1.5 ms before export, truncated
  )
})

void test('a duration gives the missing end (161 ms, 162 us)', () => {
  const ms161: [number, number] = [161, 4]
  const us162: [number, number] = [162, 4]
  assert.deepEqual(times([[152, 8], ms161], [BigInt(START), 5_333]), [START, START + 5_333])
  assert.deepEqual(times([[153, 8], ms161], [BigInt(END), 5_333]), [END - 5_333, END])
  assert.deepEqual(times([[152, 8], us162], [BigInt(START), 1_234_567]), [START, START + 1_234])
  assert.deepEqual(times([[153, 8], us162], [BigInt(END), 1_234_567]), [END - 1_235, END])
  // With both ends the duration adds nothing; an observation time is a start like others.
  assert.deepEqual(times([[152, 8], [153, 8], ms161], [BigInt(START), BigInt(END), 1]), [
    START,
    END,
  ])
  assert.deepEqual(times([[323, 8], ms161], [BigInt(START), 5_333]), [START, START + 5_333])
  // A hostile end gives no start (0: stored as the receive time), and no trap.
  assert.equal(times([[153, 8], us162], [2n ** 64n - 1n, 1])[0], 0)
})

void test('flow times beat an observation time; observedFlowTotalCount (163) is no time', () => {
  assert.deepEqual(
    times(
      [
        [323, 8],
        [152, 8],
        [153, 8],
      ],
      [BigInt(START - 60_000), BigInt(START), BigInt(END)],
    ),
    [START, END],
  )
  assert.deepEqual(
    times(
      [
        [163, 8],
        [323, 8],
      ],
      [123_456n, BigInt(START)],
    ),
    [START, START],
  )
})

// ipt-netflow's NAT event template (natevents=1): template_nat4 in ipt_NETFLOW.c.
const natEvent: TemplateDef = {
  id: 260,
  fields: [
    { id: 323, length: 8 }, // observationTimeMilliseconds
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 225, length: 4 }, // postNATSourceIPv4Address
    { id: 226, length: 4 },
    { id: 7, length: 2 },
    { id: 11, length: 2 },
    { id: 227, length: 2 }, // postNAPTSourceTransportPort
    { id: 228, length: 2 },
    { id: 4, length: 1 },
    { id: 230, length: 1 }, // natEvent: 1 create, 2 delete
  ],
}

void test('an ipt-netflow NAT event is stored at its own time, not the receive time', () => {
  const record = (at: number, event: number): FieldValue[] => [
    BigInt(at),
    '192.168.1.20',
    '203.0.113.5',
    '198.51.100.1',
    '203.0.113.5',
    51000,
    443,
    61000,
    443,
    6,
    event,
  ]
  const dg = buildIpfix(header, [
    { templates: [natEvent] },
    { template: natEvent, records: [record(START, 1), record(END, 2)] },
  ])
  const d = new FlowHarness().decoder
  const batch = new DatagramBatch(d.inputBytes, d.datagrams)
  batch.add(dg, parseAddress('192.0.2.1'), 2055, exportMs + 2_000)
  const packed = batch.take()
  const rows: FlowRow[] = []
  const out = new RowOutput()
  d.decode(new Uint8Array(packed.buffer), packed.count, (v, n) => {
    rows.push(...rowsOf(v, n))
    d.formatRows('TabSeparated', n, out)
  })
  assert.deepEqual(
    rows.map((r) => [r.start, r.end, r.natEvent, r.src, r.postNatSrc, r.postNatSrcPort]),
    [
      [START, START, 1, '192.168.1.20', '198.51.100.1', 61000],
      [END, END, 2, '192.168.1.20', '198.51.100.1', 61000],
    ],
  )
  // What is stored: flow_start and flow_end, not time_received.
  const at = (col: string): number => INSERT_COLUMNS.indexOf(col as FlowColumn)
  const lines = Buffer.concat(d.takeRows('TabSeparated', out).chunks)
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
  assert.deepEqual(
    lines.map((f) => [f[at('time_received')], f[at('flow_start')], f[at('flow_end')]]),
    [
      ['1700000002', '1699999990.123', '1699999990.123'],
      ['1700000002', '1699999995.456', '1699999995.456'],
    ],
  )
})
