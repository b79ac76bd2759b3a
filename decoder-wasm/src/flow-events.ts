// Template-sharing events as written by the WASM decoder (assembly/templates/events.ts): the
// byte format, a splitter and a parser. The bytes are the unit of exchange between
// decoder instances and of snapshots on disk; objects are for inspection only.
//
// Event format v2, little-endian, events concatenated:
//   0 u16 length   2 u8 format version (2)   3 u8 kind   4 u8 protocol (9, 10)   5 u8 flags
//   6 u16 template ID   8 u32 observation domain / source ID   12 16 bytes exporter address
//   28 u16 exporter UDP source port (with the address: the transport session)   30 u16 0
//   32 body: templates: u16 field count, u16 scope count, per field u16 element ID as on
//      the wire (IPFIX: bit 15 = enterprise), u16 length (65535 = variable), u32 PEN;
//      sampling rate: u32 rate, u64 sampler ID (flags 0 domain, 1 samplerId, 2 selectorId);
//      system init: u32 0, u64 unix ms; withdrawals: none (all-withdrawn flags 1 data, 2 options);
//      new session (a known address sent from a new port): none.
// A stream header (kind 0: length 12, 'FHEV', u32 event count) starts a snapshot. Format v1
// (before sessions: a 28-byte header without the port) is recognised only to be refused.
import { formatAddress } from './ip.js'

export const EVENT_FORMAT = 2
export const EVENT_HEADER = 32
export const STREAM_MAGIC = 0x56454846 // 'FHEV' read little-endian

export const EVENT_KINDS = {
  0: 'stream',
  1: 'template',
  2: 'optionsTemplate',
  3: 'withdrawn',
  4: 'allWithdrawn',
  5: 'samplingRate',
  6: 'systemInit',
  7: 'newSession',
} as const

export type EventKindName = (typeof EVENT_KINDS)[keyof typeof EVENT_KINDS]

export const SAMPLER_KEYS = ['domain', 'samplerId', 'selectorId'] as const
export type SamplerKey = (typeof SAMPLER_KEYS)[number]

export interface TemplateField {
  /** Element ID without the enterprise bit. */
  id: number
  /** Private enterprise number; 0 for IETF elements and NetFlow v9 field types. */
  enterprise: number
  /** Field length; 65535 means variable-length (IPFIX). */
  length: number
}

interface EventBase {
  protocol: number
  exporter: string
  /** The exporter's UDP source port: with the address, the transport session. */
  port: number
  domain: number
}

export type FlowEvent =
  | (EventBase & {
      kind: 'template' | 'optionsTemplate'
      templateId: number
      scopeCount: number
      fields: TemplateField[]
    })
  | (EventBase & { kind: 'withdrawn'; templateId: number })
  | (EventBase & { kind: 'allWithdrawn'; data: boolean; options: boolean })
  | (EventBase & { kind: 'samplingRate'; key: SamplerKey; samplerId: bigint; rate: number })
  | (EventBase & { kind: 'systemInit'; unixMs: number })
  | (EventBase & { kind: 'newSession' })

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

/** Each event's bytes (views into `bytes`); stops at the first malformed length. */
export function* eventSlices(bytes: Uint8Array): Generator<Uint8Array> {
  const dv = view(bytes)
  let p = 0
  while (p + 4 <= bytes.byteLength) {
    const size = dv.getUint16(p, true)
    if (size < 4 || p + size > bytes.byteLength) return
    yield bytes.subarray(p, p + size)
    p += size
  }
}

/** The exporter an event is about, as a 16-character key (its address bytes, latin1). */
export function eventExporterKey(e: Uint8Array): string {
  return e.byteLength < EVENT_HEADER ? '' : String.fromCharCode(...e.subarray(12, 28))
}

/** The transport session an event is about: its exporter key and source port. */
export function eventSessionKey(e: Uint8Array): string {
  return e.byteLength < EVENT_HEADER ? '' : String.fromCharCode(...e.subarray(12, 30))
}

/** The source port an event is about (0 when it is too short to say). */
export function eventPort(e: Uint8Array): number {
  return e.byteLength < EVENT_HEADER ? 0 : (e[28] ?? 0) | ((e[29] ?? 0) << 8)
}

/** `bytes` without the events about exporters for which `skip` says true. */
export function eventsExcept(
  bytes: Uint8Array,
  skip: (exporterKey: string) => boolean,
): Uint8Array {
  const kept: Uint8Array[] = []
  for (const e of eventSlices(bytes)) {
    if (e[3] === 0 || !skip(eventExporterKey(e))) kept.push(e)
  }
  return concatBytes(kept)
}

export function eventKind(e: Uint8Array): EventKindName | undefined {
  if (e.byteLength < 4 || e[2] !== EVENT_FORMAT) return undefined
  return (EVENT_KINDS as Record<number, EventKindName | undefined>)[e[3] ?? 255]
}

/** The event as an object; undefined for a malformed event or one from a newer format. */
export function parseEvent(e: Uint8Array): FlowEvent | undefined {
  const kind = eventKind(e)
  if (kind === undefined || kind === 'stream' || e.byteLength < EVENT_HEADER) return undefined
  const dv = view(e)
  const base: EventBase = {
    protocol: dv.getUint8(4),
    exporter: formatAddress(e, 12),
    port: dv.getUint16(28, true),
    domain: dv.getUint32(8, true),
  }
  const flags = dv.getUint8(5)
  const templateId = dv.getUint16(6, true)
  switch (kind) {
    case 'template':
    case 'optionsTemplate': {
      if (e.byteLength < EVENT_HEADER + 4) return undefined
      const n = dv.getUint16(EVENT_HEADER, true)
      if (e.byteLength !== EVENT_HEADER + 4 + n * 8) return undefined
      const fields: TemplateField[] = []
      for (let i = 0; i < n; i++) {
        const at = EVENT_HEADER + 4 + i * 8
        const wireId = dv.getUint16(at, true)
        const ipfixEnterprise = base.protocol === 10 && (wireId & 0x8000) !== 0
        fields.push({
          id: ipfixEnterprise ? wireId & 0x7fff : wireId,
          enterprise: ipfixEnterprise ? dv.getUint32(at + 4, true) : 0,
          length: dv.getUint16(at + 2, true),
        })
      }
      return { ...base, kind, templateId, scopeCount: dv.getUint16(EVENT_HEADER + 2, true), fields }
    }
    case 'withdrawn':
      return { ...base, kind, templateId }
    case 'allWithdrawn':
      return { ...base, kind, data: (flags & 1) !== 0, options: (flags & 2) !== 0 }
    case 'samplingRate': {
      const key = SAMPLER_KEYS[flags]
      if (key === undefined || e.byteLength < EVENT_HEADER + 12) return undefined
      const rate = dv.getUint32(EVENT_HEADER, true)
      return { ...base, kind, key, samplerId: dv.getBigUint64(EVENT_HEADER + 4, true), rate }
    }
    case 'systemInit':
      if (e.byteLength < EVENT_HEADER + 12) return undefined
      return { ...base, kind, unixMs: Number(dv.getBigUint64(EVENT_HEADER + 4, true)) }
    case 'newSession':
      return { ...base, kind }
  }
}

/** A stream header announcing `count` events (starts a snapshot). */
export function streamHeader(count: number, format = EVENT_FORMAT): Uint8Array {
  const b = new Uint8Array(12)
  const dv = view(b)
  dv.setUint16(0, 12, true)
  b[2] = format
  b[3] = 0
  dv.setUint32(4, STREAM_MAGIC, true)
  dv.setUint32(8, count, true)
  return b
}

export function isStreamHeader(e: Uint8Array): boolean {
  return (
    eventKind(e) === 'stream' && e.byteLength >= 8 && view(e).getUint32(4, true) === STREAM_MAGIC
  )
}

/** The format version of a stream header of any format (1 = before sessions), else 0. */
export function streamFormat(e: Uint8Array): number {
  const ok = e.byteLength >= 12 && e[3] === 0 && view(e).getUint32(4, true) === STREAM_MAGIC
  return ok ? (e[2] ?? 0) : 0
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
