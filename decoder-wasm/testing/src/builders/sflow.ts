// Builds sFlow v5 datagrams for tests: datagram, samples and records given as plain values,
// encoded as XDR. Every length and count can be overridden to craft bad datagrams.
import { parseAddress, isMappedV4 } from '../../../dist/ip.js'

export interface HeaderRecord {
  kind: 'header'
  /** The sampled frame (e.g. from pcap/write.ts `frame`). */
  frame: Uint8Array
  /** header_protocol: 1 Ethernet (default), 11 IPv4, 12 IPv6. */
  protocol?: number
  /** Defaults to the frame's length + `stripped`. */
  frameLength?: number
  stripped?: number
  /** Bytes of the frame to include (default all of it, at most 128). */
  headerLength?: number
}
export interface SampledIpRecord {
  kind: 'ipv4' | 'ipv6'
  length: number
  protocol: number
  src: string
  dst: string
  srcPort?: number
  dstPort?: number
  tcpFlags?: number
  tos?: number
}
export interface EthernetRecord {
  kind: 'ethernet'
  length: number
  srcMac: string
  dstMac: string
  type: number
}
export interface SwitchRecord {
  kind: 'switch'
  srcVlan: number
  dstVlan: number
  srcPriority?: number
  dstPriority?: number
}
export interface RouterRecord {
  kind: 'router'
  nextHop: string
  srcMask: number
  dstMask: number
}
export interface GatewayRecord {
  kind: 'gateway'
  nextHop: string
  as: number
  srcAs: number
  srcPeerAs: number
  /** Segments: type 1 AS_SET, 2 AS_SEQUENCE. */
  path: readonly { type: number; asns: readonly number[] }[]
  communities?: readonly number[]
  localPref?: number
}
/** Any element as raw bytes: `format` includes the enterprise (enterprise << 12 | format). */
export interface RawElement {
  kind: 'raw'
  format: number
  data: Uint8Array
  /** Override the length word. */
  length?: number
}
export type FlowRecord =
  | HeaderRecord
  | SampledIpRecord
  | EthernetRecord
  | SwitchRecord
  | RouterRecord
  | GatewayRecord
  | RawElement

export interface FlowSample {
  kind: 'flow'
  expanded?: boolean
  sequence?: number
  sourceIdType?: number
  sourceIndex?: number
  rate: number
  pool?: number
  drops?: number
  /** Compact: the 32-bit interface word. Expanded: the value (format in inputFormat). */
  input?: number
  output?: number
  inputFormat?: number
  outputFormat?: number
  records: FlowRecord[]
  /** Override the record count. */
  count?: number
  /** Override the sample length word. */
  length?: number
}

export interface GenericCounters {
  kind: 'generic'
  ifIndex: number
  ifType?: number
  ifSpeed?: bigint
  ifDirection?: number
  ifStatus?: number
  inOctets?: bigint
  inUcast?: number
  inMcast?: number
  inBcast?: number
  inDiscards?: number
  inErrors?: number
  inUnknownProtos?: number
  outOctets?: bigint
  outUcast?: number
  outMcast?: number
  outBcast?: number
  outDiscards?: number
  outErrors?: number
  promiscuous?: number
}
export type CounterRecord = GenericCounters | RawElement

export interface CounterSample {
  kind: 'counters'
  expanded?: boolean
  sequence?: number
  sourceIdType?: number
  sourceIndex?: number
  records: CounterRecord[]
  count?: number
  length?: number
}

export type Sample = FlowSample | CounterSample | RawElement

export interface SflowDatagram {
  /** IPv4 or IPv6 text; '' for address type 0 (unknown). */
  agent?: string
  /** Override the agent address type word. */
  agentType?: number
  subAgent?: number
  sequence?: number
  uptime?: number
  samples: Sample[]
  /** Override num_samples. */
  count?: number
}

/** Growable XDR writer (big-endian, opaque data padded to 4 bytes). */
class Xdr {
  #buf = new Uint8Array(256)
  #dv = new DataView(this.#buf.buffer)
  length = 0

  #grow(n: number): void {
    if (this.length + n <= this.#buf.byteLength) return
    const next = new Uint8Array(Math.max(this.#buf.byteLength * 2, this.length + n))
    next.set(this.#buf)
    this.#buf = next
    this.#dv = new DataView(next.buffer)
  }
  u32(v: number): this {
    this.#grow(4)
    this.#dv.setUint32(this.length, v >>> 0)
    this.length += 4
    return this
  }
  u64(v: bigint): this {
    this.#grow(8)
    this.#dv.setBigUint64(this.length, v)
    this.length += 8
    return this
  }
  /** Bytes, then zero padding to a multiple of 4. */
  opaque(b: Uint8Array): this {
    const padded = (b.byteLength + 3) & ~3
    this.#grow(padded)
    this.#buf.set(b, this.length)
    this.#buf.fill(0, this.length + b.byteLength, this.length + padded)
    this.length += padded
    return this
  }
  address(text: string, type?: number): this {
    if (text === '') return this.u32(type ?? 0)
    const a = parseAddress(text)
    if (isMappedV4(a, 0)) return this.u32(type ?? 1).opaque(a.subarray(12))
    return this.u32(type ?? 2).opaque(a)
  }
  /** data_format, length, body. */
  element(format: number, body: Xdr | Uint8Array, length?: number): this {
    const bytes = body instanceof Xdr ? body.bytes() : body
    return this.u32(format)
      .u32(length ?? bytes.byteLength)
      .opaque(bytes)
  }
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.length)
  }
}

function mac(text: string): Uint8Array {
  return new Uint8Array(text.split(':').map((h) => parseInt(h, 16)))
}

function flowRecord(r: FlowRecord): [number, Xdr | Uint8Array, number | undefined] {
  const x = new Xdr()
  switch (r.kind) {
    case 'header': {
      const stripped = r.stripped ?? 0
      const n = Math.min(r.headerLength ?? r.frame.byteLength, r.frame.byteLength, 128)
      x.u32(r.protocol ?? 1)
        .u32(r.frameLength ?? r.frame.byteLength + stripped)
        .u32(stripped)
        .u32(n)
        .opaque(r.frame.subarray(0, n))
      return [1, x, undefined]
    }
    case 'ipv4':
    case 'ipv6': {
      const size = r.kind === 'ipv4' ? 4 : 16
      const src = parseAddress(r.src).subarray(16 - size)
      const dst = parseAddress(r.dst).subarray(16 - size)
      x.u32(r.length).u32(r.protocol).opaque(src).opaque(dst)
      x.u32(r.srcPort ?? 0)
        .u32(r.dstPort ?? 0)
        .u32(r.tcpFlags ?? 0)
        .u32(r.tos ?? 0)
      return [r.kind === 'ipv4' ? 3 : 4, x, undefined]
    }
    case 'ethernet':
      x.u32(r.length).opaque(mac(r.srcMac)).opaque(mac(r.dstMac)).u32(r.type)
      return [2, x, undefined]
    case 'switch':
      x.u32(r.srcVlan)
        .u32(r.srcPriority ?? 0)
        .u32(r.dstVlan)
        .u32(r.dstPriority ?? 0)
      return [1001, x, undefined]
    case 'router':
      x.address(r.nextHop).u32(r.srcMask).u32(r.dstMask)
      return [1002, x, undefined]
    case 'gateway': {
      x.address(r.nextHop).u32(r.as).u32(r.srcAs).u32(r.srcPeerAs).u32(r.path.length)
      for (const seg of r.path) {
        x.u32(seg.type).u32(seg.asns.length)
        for (const a of seg.asns) x.u32(a)
      }
      const communities = r.communities ?? []
      x.u32(communities.length)
      for (const c of communities) x.u32(c)
      x.u32(r.localPref ?? 100)
      return [1003, x, undefined]
    }
    case 'raw':
      return [r.format, r.data, r.length]
  }
}

function counterRecord(r: CounterRecord): [number, Xdr | Uint8Array, number | undefined] {
  if (r.kind === 'raw') return [r.format, r.data, r.length]
  const x = new Xdr()
  x.u32(r.ifIndex)
    .u32(r.ifType ?? 6)
    .u64(r.ifSpeed ?? 1_000_000_000n)
    .u32(r.ifDirection ?? 1)
    .u32(r.ifStatus ?? 3)
    .u64(r.inOctets ?? 0n)
  for (const v of [r.inUcast, r.inMcast, r.inBcast, r.inDiscards, r.inErrors, r.inUnknownProtos]) {
    x.u32(v ?? 0)
  }
  x.u64(r.outOctets ?? 0n)
  for (const v of [r.outUcast, r.outMcast, r.outBcast, r.outDiscards, r.outErrors]) x.u32(v ?? 0)
  x.u32(r.promiscuous ?? 2)
  return [1, x, undefined]
}

function sourceId(type: number | undefined, index: number | undefined): number {
  return (((type ?? 0) & 0xff) << 24) | ((index ?? 1) & 0xffffff)
}

function flowSample(s: FlowSample): Xdr {
  const x = new Xdr()
  x.u32(s.sequence ?? 1)
  if (s.expanded) x.u32(s.sourceIdType ?? 0).u32(s.sourceIndex ?? 1)
  else x.u32(sourceId(s.sourceIdType, s.sourceIndex))
  x.u32(s.rate)
    .u32(s.pool ?? s.rate)
    .u32(s.drops ?? 0)
  if (s.expanded) {
    x.u32(s.inputFormat ?? 0)
      .u32(s.input ?? 0)
      .u32(s.outputFormat ?? 0)
      .u32(s.output ?? 0)
  } else {
    x.u32(s.input ?? 0).u32(s.output ?? 0)
  }
  x.u32(s.count ?? s.records.length)
  for (const r of s.records) x.element(...flowRecord(r))
  return x
}

function counterSample(s: CounterSample): Xdr {
  const x = new Xdr()
  x.u32(s.sequence ?? 1)
  if (s.expanded) x.u32(s.sourceIdType ?? 0).u32(s.sourceIndex ?? 1)
  else x.u32(sourceId(s.sourceIdType, s.sourceIndex))
  x.u32(s.count ?? s.records.length)
  for (const r of s.records) x.element(...counterRecord(r))
  return x
}

export function buildSflow(d: SflowDatagram): Uint8Array {
  const x = new Xdr()
  x.u32(5)
    .address(d.agent ?? '192.0.2.10', d.agentType)
    .u32(d.subAgent ?? 0)
    .u32(d.sequence ?? 1)
    .u32(d.uptime ?? 60_000)
    .u32(d.count ?? d.samples.length)
  for (const s of d.samples) {
    if (s.kind === 'raw') x.element(s.format, s.data, s.length)
    else if (s.kind === 'flow') x.element(s.expanded ? 3 : 1, flowSample(s), s.length)
    else x.element(s.expanded ? 4 : 2, counterSample(s), s.length)
  }
  return x.bytes()
}
