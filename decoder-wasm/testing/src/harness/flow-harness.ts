// Test harness for the template decoders: feeds datagrams to one Decoder (state kept
// across calls) and returns every record as a plain object, plus each datagram's status.
import { Decoder, type DecoderOptions } from '../../../dist/decoder.js'
import { DatagramBatch } from '../../../dist/datagram-batch.js'
import { F } from '../../../dist/generated/contract.js'
import { parseAddress } from '../../../dist/ip.js'
import type { RecordView } from '../../../dist/record-view.js'
import { statusReason } from '../../../dist/status.js'

export interface FlowRow {
  src: string
  dst: string
  nextHop: string
  postNatSrc: string
  postNatDst: string
  srcMac: string
  dstMac: string
  bytes: number
  packets: number
  start: number
  end: number
  rate: number
  srcPort: number
  dstPort: number
  postNatSrcPort: number
  postNatDstPort: number
  proto: number
  tcpFlags: number
  tos: number
  srcMask: number
  dstMask: number
  srcAs: number
  dstAs: number
  inIf: number
  outIf: number
  vlan: number
  srcVlan: number
  dstVlan: number
  direction: number
  icmpType: number
  icmpCode: number
  endReason: number
  forwardingStatus: number
  natEvent: number
  flowType: number
  ipVersion: number
  domain: number
  sequence: number
  datagram: number
  exporter: string
}

export function rowsOf(v: RecordView, n: number): FlowRow[] {
  const rows: FlowRow[] = []
  for (let i = 0; i < n; i++) {
    rows.push({
      src: v.addr(i, F.srcAddr),
      dst: v.addr(i, F.dstAddr),
      nextHop: v.addr(i, F.nextHop),
      postNatSrc: v.addr(i, F.postNatSrcAddr),
      postNatDst: v.addr(i, F.postNatDstAddr),
      srcMac: v.mac(i, F.srcMac),
      dstMac: v.mac(i, F.dstMac),
      bytes: v.u64(i, F.bytes),
      packets: v.u64(i, F.packets),
      start: v.u64(i, F.flowStart),
      end: v.u64(i, F.flowEnd),
      rate: v.u32(i, F.samplingRate),
      srcPort: v.u16(i, F.srcPort),
      dstPort: v.u16(i, F.dstPort),
      postNatSrcPort: v.u16(i, F.postNatSrcPort),
      postNatDstPort: v.u16(i, F.postNatDstPort),
      proto: v.u8(i, F.proto),
      tcpFlags: v.u16(i, F.tcpFlags),
      tos: v.u8(i, F.tos),
      srcMask: v.u8(i, F.srcMask),
      dstMask: v.u8(i, F.dstMask),
      srcAs: v.u32(i, F.srcAs),
      dstAs: v.u32(i, F.dstAs),
      inIf: v.u32(i, F.inIf),
      outIf: v.u32(i, F.outIf),
      vlan: v.u16(i, F.vlan),
      srcVlan: v.u16(i, F.srcVlan),
      dstVlan: v.u16(i, F.dstVlan),
      direction: v.u8(i, F.flowDirection),
      icmpType: v.u8(i, F.icmpType),
      icmpCode: v.u8(i, F.icmpCode),
      endReason: v.u8(i, F.flowEndReason),
      forwardingStatus: v.u8(i, F.forwardingStatus),
      natEvent: v.u8(i, F.natEvent),
      flowType: v.u8(i, F.flowType),
      ipVersion: v.u8(i, F.ipVersion),
      domain: v.u32(i, F.observationDomain),
      sequence: v.u32(i, F.sequence),
      datagram: v.u32(i, F.datagram),
      exporter: v.addr(i, F.exporter),
    })
  }
  return rows
}

export interface SendOptions {
  exporter?: string
  /** The exporter's UDP source port (default 2055): with the address, its session. */
  port?: number
  receivedMs?: number
  samplingDefault?: number
  samplingOverride?: number
}

export interface Decoded {
  rows: FlowRow[]
  statuses: string[]
  records: number[]
}

export class FlowHarness {
  readonly decoder: Decoder

  constructor(options: DecoderOptions = {}) {
    this.decoder = new Decoder({ records: 4096, inputBytes: 4 << 20, datagrams: 4096, ...options })
  }

  decode(datagrams: Uint8Array[], o: SendOptions = {}): Decoded {
    const batch = new DatagramBatch(this.decoder.inputBytes, this.decoder.datagrams)
    const exporter = parseAddress(o.exporter ?? '192.0.2.10')
    for (const dg of datagrams) {
      const ok = batch.add(
        dg,
        exporter,
        o.port ?? 2055,
        o.receivedMs ?? 1_700_000_000_000,
        o.samplingDefault,
        o.samplingOverride,
      )
      if (!ok) throw new RangeError('batch full')
    }
    const packed = batch.take()
    const rows: FlowRow[] = []
    this.decoder.decode(new Uint8Array(packed.buffer), packed.count, (v, n) =>
      rows.push(...rowsOf(v, n)),
    )
    return {
      rows,
      statuses: datagrams.map((_, i) => statusReason(this.decoder.statusOf(i))),
      records: datagrams.map((_, i) => this.decoder.recordsOf(i)),
    }
  }

  importEvents(events: Uint8Array): FlowRow[] {
    const rows: FlowRow[] = []
    this.decoder.importEvents(events, (v, n) => rows.push(...rowsOf(v, n)))
    return rows
  }
}
