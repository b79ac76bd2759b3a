// Decodes datagrams with a fresh Decoder and returns flow rows, counter rows and per-datagram
// outcomes as plain objects: for tests only (the real pipeline never builds objects per flow).
import { Decoder } from '../../../dist/decoder.js'
import { DatagramBatch } from '../../../dist/datagram-batch.js'
import { F } from '../../../dist/generated/contract.js'
import { C } from '../../../dist/generated/contract.js'
import { parseAddress } from '../../../dist/ip.js'
import { statusReason } from '../../../dist/status.js'
import type { RecordView } from '../../../dist/record-view.js'
import type { CounterView } from '../../../dist/counter-view.js'

export const RECEIVED_MS = 1_700_000_000_000

export interface FlowRow {
  src: string
  dst: string
  nextHop: string
  exporter: string
  bytes: number
  packets: number
  rate: number
  start: number
  end: number
  srcPort: number
  dstPort: number
  proto: number
  tos: number
  tcpFlags: number
  icmpType: number
  icmpCode: number
  ipVersion: number
  srcMac: string
  dstMac: string
  vlan: number
  srcVlan: number
  dstVlan: number
  inIf: number
  outIf: number
  srcAs: number
  dstAs: number
  srcMask: number
  dstMask: number
  domain: number
  sequence: number
  flowType: number
  datagram: number
}

export function flowRow(v: RecordView, i: number): FlowRow {
  return {
    src: v.addr(i, F.srcAddr),
    dst: v.addr(i, F.dstAddr),
    nextHop: v.addr(i, F.nextHop),
    exporter: v.addr(i, F.exporter),
    bytes: v.u64(i, F.bytes),
    packets: v.u64(i, F.packets),
    rate: v.u32(i, F.samplingRate),
    start: v.u64(i, F.flowStart),
    end: v.u64(i, F.flowEnd),
    srcPort: v.u16(i, F.srcPort),
    dstPort: v.u16(i, F.dstPort),
    proto: v.u8(i, F.proto),
    tos: v.u8(i, F.tos),
    tcpFlags: v.u16(i, F.tcpFlags),
    icmpType: v.u8(i, F.icmpType),
    icmpCode: v.u8(i, F.icmpCode),
    ipVersion: v.u8(i, F.ipVersion),
    srcMac: v.mac(i, F.srcMac),
    dstMac: v.mac(i, F.dstMac),
    vlan: v.u16(i, F.vlan),
    srcVlan: v.u16(i, F.srcVlan),
    dstVlan: v.u16(i, F.dstVlan),
    inIf: v.u32(i, F.inIf),
    outIf: v.u32(i, F.outIf),
    srcAs: v.u32(i, F.srcAs),
    dstAs: v.u32(i, F.dstAs),
    srcMask: v.u8(i, F.srcMask),
    dstMask: v.u8(i, F.dstMask),
    domain: v.u32(i, F.observationDomain),
    sequence: v.u32(i, F.sequence),
    flowType: v.u8(i, F.flowType),
    datagram: v.u32(i, F.datagram),
  }
}

export interface CounterRow {
  exporter: string
  agent: string
  subAgent: number
  uptime: number
  timeReceived: number
  sourceIdType: number
  sourceId: number
  sequence: number
  ifIndex: number
  ifType: number
  ifSpeed: bigint
  ifDirection: number
  ifStatus: number
  inOctets: bigint
  inUcast: number
  inMcast: number
  inBcast: number
  inDiscards: number
  inErrors: number
  inUnknownProtos: number
  outOctets: bigint
  outUcast: number
  outMcast: number
  outBcast: number
  outDiscards: number
  outErrors: number
  promiscuous: number
  flowType: number
  datagram: number
}

export function counterRow(v: CounterView, i: number): CounterRow {
  return {
    exporter: v.addr(i, C.exporter),
    agent: v.addr(i, C.agent),
    subAgent: v.u32(i, C.subAgent),
    uptime: v.u32(i, C.uptime),
    timeReceived: v.u64(i, C.timeReceived),
    sourceIdType: v.u8(i, C.sourceIdType),
    sourceId: v.u32(i, C.sourceId),
    sequence: v.u32(i, C.sequence),
    ifIndex: v.u32(i, C.ifIndex),
    ifType: v.u32(i, C.ifType),
    ifSpeed: v.u64n(i, C.ifSpeed),
    ifDirection: v.u8(i, C.ifDirection),
    ifStatus: v.u8(i, C.ifStatus),
    inOctets: v.u64n(i, C.inOctets),
    inUcast: v.u32(i, C.inUcast),
    inMcast: v.u32(i, C.inMcast),
    inBcast: v.u32(i, C.inBcast),
    inDiscards: v.u32(i, C.inDiscards),
    inErrors: v.u32(i, C.inErrors),
    inUnknownProtos: v.u32(i, C.inUnknownProtos),
    outOctets: v.u64n(i, C.outOctets),
    outUcast: v.u32(i, C.outUcast),
    outMcast: v.u32(i, C.outMcast),
    outBcast: v.u32(i, C.outBcast),
    outDiscards: v.u32(i, C.outDiscards),
    outErrors: v.u32(i, C.outErrors),
    promiscuous: v.u8(i, C.promiscuous),
    flowType: v.u8(i, C.flowType),
    datagram: v.u32(i, C.datagram),
  }
}

export interface Decoded {
  flows: FlowRow[]
  counters: CounterRow[]
  statuses: string[]
  skipped: number[]
  records: number[]
}

export interface DecodeOptions {
  exporter?: string
  samplingDefault?: number
  samplingOverride?: number
  records?: number
  counters?: number
}

export function decodeSflowDatagrams(datagrams: Uint8Array[], o: DecodeOptions = {}): Decoded {
  const d = new Decoder({ records: o.records ?? 256, counters: o.counters ?? 64 })
  const batch = new DatagramBatch(4 << 20, 8192)
  const exporter = parseAddress(o.exporter ?? '192.0.2.1')
  for (const dg of datagrams) {
    if (!batch.add(dg, exporter, 6343, RECEIVED_MS, o.samplingDefault, o.samplingOverride)) {
      throw new RangeError('test batch is full')
    }
  }
  const packed = batch.take()
  const flows: FlowRow[] = []
  const counters: CounterRow[] = []
  d.decode(
    new Uint8Array(packed.buffer),
    packed.count,
    (v, n) => {
      for (let i = 0; i < n; i++) flows.push(flowRow(v, i))
    },
    (v, n) => {
      for (let i = 0; i < n; i++) counters.push(counterRow(v, i))
    },
  )
  return {
    flows,
    counters,
    statuses: datagrams.map((_, i) => statusReason(d.statusOf(i))),
    skipped: datagrams.map((_, i) => d.skippedOf(i)),
    records: datagrams.map((_, i) => d.recordsOf(i)),
  }
}
