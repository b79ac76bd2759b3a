import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Decoder } from '../../dist/decoder.js'
import { DatagramBatch } from '../../dist/datagram-batch.js'
import { F } from '../../dist/generated/contract.js'
import { parseAddress } from '../../dist/ip.js'
import { statusReason } from '../../dist/status.js'
import { buildV5 } from './builders/netflow5.js'

const exporter = parseAddress('192.0.2.1')

interface Row {
  src: string
  dst: string
  bytes: number
  packets: number
  start: number
  end: number
  rate: number
  srcPort: number
  dstPort: number
  proto: number
  flags: number
  srcAs: number
  inIf: number
  exporter: string
  domain: number
  seq: number
  flowType: number
  icmpType: number
  icmpCode: number
}

function decodeAll(datagrams: Uint8Array[], samplingDefault = 0, samplingOverride = 0) {
  const d = new Decoder({ records: 64 })
  const batch = new DatagramBatch(1 << 20, 1024)
  for (const dg of datagrams) {
    assert.ok(batch.add(dg, exporter, 2055, 1_700_000_000_000, samplingDefault, samplingOverride))
  }
  const packed = batch.take()
  const rows: Row[] = []
  d.decode(new Uint8Array(packed.buffer), packed.count, (v, n) => {
    for (let i = 0; i < n; i++) {
      rows.push({
        src: v.addr(i, F.srcAddr),
        dst: v.addr(i, F.dstAddr),
        bytes: v.u64(i, F.bytes),
        packets: v.u64(i, F.packets),
        start: v.u64(i, F.flowStart),
        end: v.u64(i, F.flowEnd),
        rate: v.u32(i, F.samplingRate),
        srcPort: v.u16(i, F.srcPort),
        dstPort: v.u16(i, F.dstPort),
        proto: v.u8(i, F.proto),
        flags: v.u16(i, F.tcpFlags),
        srcAs: v.u32(i, F.srcAs),
        inIf: v.u32(i, F.inIf),
        exporter: v.addr(i, F.exporter),
        domain: v.u32(i, F.observationDomain),
        seq: v.u32(i, F.sequence),
        flowType: v.u8(i, F.flowType),
        icmpType: v.u8(i, F.icmpType),
        icmpCode: v.u8(i, F.icmpCode),
      })
    }
  })
  const statuses = datagrams.map((_, i) => statusReason(d.statusOf(i)))
  return { rows, statuses }
}

const base = { sysUptime: 100_000, unixSecs: 1_700_000_000, unixNsecs: 500_000_000 }
const tcp = {
  src: '10.0.0.1',
  dst: '93.184.216.34',
  packets: 10,
  bytes: 1500,
  first: 90_000,
  last: 99_000,
  srcPort: 50000,
  dstPort: 443,
  proto: 6,
  tcpFlags: 0x1b,
  srcAs: 64512,
  input: 3,
}

void test('decodes v5 header and record fields', () => {
  const { rows, statuses } = decodeAll([
    buildV5({ ...base, sequence: 77, engineType: 1, engineId: 2 }, [tcp]),
  ])
  assert.deepEqual(statuses, ['ok'])
  assert.equal(rows.length, 1)
  assert.deepEqual(rows[0], {
    src: '10.0.0.1',
    dst: '93.184.216.34',
    bytes: 1500,
    packets: 10,
    // export time 1_700_000_000_500 ms, uptime 100 s: first 90 s -> 10 s before export
    start: 1_700_000_000_500 - 10_000,
    end: 1_700_000_000_500 - 1_000,
    rate: 1,
    srcPort: 50000,
    dstPort: 443,
    proto: 6,
    flags: 0x1b,
    srcAs: 64512,
    inIf: 3,
    exporter: '192.0.2.1',
    domain: 0x0102,
    seq: 77,
    flowType: 5,
    icmpType: 0,
    icmpCode: 0,
  })
})

void test('multiplies counters by the header sampling interval, ignoring the mode bits', () => {
  const { rows } = decodeAll([buildV5({ ...base, sampling: 0x4000 | 100 }, [tcp])])
  assert.equal(rows[0]?.rate, 100)
  assert.equal(rows[0]?.bytes, 150_000)
  assert.equal(rows[0]?.packets, 1000)
})

void test('configured override beats the header; default applies only when the header says 0', () => {
  assert.equal(decodeAll([buildV5({ ...base, sampling: 100 }, [tcp])], 0, 7).rows[0]?.rate, 7)
  assert.equal(decodeAll([buildV5({ ...base, sampling: 0 }, [tcp])], 5, 0).rows[0]?.bytes, 7500)
  assert.equal(decodeAll([buildV5({ ...base, sampling: 50 }, [tcp])], 5, 0).rows[0]?.rate, 50)
})

void test('handles the 32-bit sysUptime wrap', () => {
  // Uptime wrapped to 5 s; the flow started 10 s earlier, before the wrap.
  const wrapped = { ...tcp, first: 0xffffffff - 4_999, last: 4_000 }
  const { rows } = decodeAll([buildV5({ ...base, sysUptime: 5_000 }, [wrapped])])
  assert.equal(rows[0]?.start, 1_700_000_000_500 - 10_000)
  assert.equal(rows[0]?.end, 1_700_000_000_500 - 1_000)
})

void test('ICMP type and code come from the destination port', () => {
  const icmp = { ...tcp, proto: 1, srcPort: 0, dstPort: 0x0303 }
  const { rows } = decodeAll([buildV5(base, [icmp])])
  assert.equal(rows[0]?.icmpType, 3)
  assert.equal(rows[0]?.icmpCode, 3)
})

void test('bad datagrams are counted by reason and decoding goes on', () => {
  const good = buildV5(base, [tcp, tcp])
  const random = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8])
  const truncatedHeader = good.slice(0, 10)
  const wrongVersion = good.slice()
  new DataView(wrongVersion.buffer).setUint16(0, 8)
  const countTooLarge = buildV5({ ...base, count: 5 }, [tcp, tcp])
  const zeroCount = buildV5({ ...base, count: 0 }, [])
  const { rows, statuses } = decodeAll([
    random,
    truncatedHeader,
    good,
    wrongVersion,
    countTooLarge,
    zeroCount,
    new Uint8Array(0),
    good,
  ])
  assert.deepEqual(statuses, [
    'unknown_version',
    'truncated_header',
    'ok',
    'unknown_version',
    'bad_count',
    'bad_count',
    'empty',
    'ok',
  ])
  assert.equal(rows.length, 4)
})

void test('a batch larger than the output region is decoded in several runs', () => {
  const d = new Decoder({ records: 64 })
  const batch = new DatagramBatch(1 << 20, 1024)
  const dg = buildV5(
    base,
    Array.from({ length: 30 }, () => tcp),
  )
  for (let i = 0; i < 10; i++) assert.ok(batch.add(dg, exporter, 2055, 0))
  const packed = batch.take()
  let runs = 0
  const total = d.decode(new Uint8Array(packed.buffer), packed.count, () => {
    runs++
  })
  assert.equal(total, 300)
  assert.ok(runs >= 5, `expected several runs, got ${runs}`)
  for (let i = 0; i < 10; i++) assert.equal(d.recordsOf(i), 30)
})
