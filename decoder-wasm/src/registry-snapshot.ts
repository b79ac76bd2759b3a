// The template registry's snapshot: what data_dir/templates.bin holds and what the main
// thread publishes to the decoder workers. A stream header, then one section per exporter
// address: a section event (the address, the byte length, event count and CRC-32 of the
// events that follow) and its events. A torn or damaged file loses only the exporters
// whose sections are incomplete or fail their checksum; the rest is restored.
//
// Section event (format 2, kind 8), 44 bytes: the common 32-byte header with the address
// at 12 and zeros elsewhere, then u32 body bytes, u32 event count, u32 CRC-32 of the body.
// Decoder instances skip it (a kind they do not apply) and apply the events after it.
import { crc32 } from 'node:zlib'
import { formatAddress } from './ip.js'
import {
  EVENT_FORMAT,
  EVENT_HEADER,
  concatBytes,
  eventSlices,
  isStreamHeader,
  streamFormat,
  streamHeader,
} from './flow-events.js'

export const SECTION_KIND = 8
export const SECTION_SIZE = EVENT_HEADER + 12

/** What a restore found: what came back, and what was lost and why. */
export interface RestoreReport {
  /** Snapshot format found: 2 (current), 1 (before transport sessions, not restored), 0 unknown. */
  format: number
  /** Exporter addresses whose sections were restored whole. */
  exporters: number
  /** Templates and options values restored. */
  entries: number
  /** Exporter addresses whose sections were cut short or failed their checksum. */
  lost: { exporter: string; reason: 'truncated' | 'corrupt' }[]
  /** Bytes not restored (lost sections and an unreadable tail). */
  lostBytes: number
  /** Entries restored from the file but refused by the current limits. */
  refused: number
}

function section(address: Uint8Array, body: Uint8Array, count: number): Uint8Array {
  const s = new Uint8Array(SECTION_SIZE)
  const dv = new DataView(s.buffer)
  dv.setUint16(0, SECTION_SIZE, true)
  s[2] = EVENT_FORMAT
  s[3] = SECTION_KIND
  s.set(address.subarray(0, 16), 12)
  dv.setUint32(EVENT_HEADER, body.byteLength, true)
  dv.setUint32(EVENT_HEADER + 4, count, true)
  dv.setUint32(EVENT_HEADER + 8, crc32(body) >>> 0, true)
  return s
}

/** A snapshot of exporters' events (each list about one address, in a stable order). */
export function writeSnapshot(exporters: readonly Uint8Array[][]): Uint8Array {
  const parts: Uint8Array[] = [streamHeader(exporters.length)]
  for (const events of exporters) {
    const first = events[0]
    if (!first) continue
    const body = concatBytes(events)
    parts.push(section(first.subarray(12, 28), body, events.length), body)
  }
  return concatBytes(parts)
}

/** True for a section event (skipped when events are applied). */
export function isSection(e: Uint8Array): boolean {
  return e.byteLength === SECTION_SIZE && e[2] === EVENT_FORMAT && e[3] === SECTION_KIND
}

/**
 * The verified events of a snapshot, section by section, handed to `apply`, which says
 * how many of them it refused. Never throws: what cannot be verified is reported lost.
 */
export function readSnapshot(
  bytes: Uint8Array,
  apply: (events: Uint8Array) => { applied: number; refused: number },
): RestoreReport {
  const report: RestoreReport = {
    format: 0,
    exporters: 0,
    entries: 0,
    lost: [],
    lostBytes: 0,
    refused: 0,
  }
  const head = eventSlices(bytes).next()
  if (head.done === true || !isStreamHeader(head.value)) {
    report.format = head.done === true ? 0 : streamFormat(head.value)
    report.lostBytes = bytes.byteLength
    return report
  }
  report.format = EVENT_FORMAT
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let p = head.value.byteLength
  while (p < bytes.byteLength) {
    const size = p + 4 <= bytes.byteLength ? dv.getUint16(p, true) : 0
    if (size !== SECTION_SIZE || p + size > bytes.byteLength) break
    const s = bytes.subarray(p, p + size)
    if (!isSection(s)) break
    const exporter = formatAddress(s, 12)
    const len = dv.getUint32(p + EVENT_HEADER, true)
    const body = bytes.subarray(p + size, p + size + len)
    if (body.byteLength < len) {
      report.lost.push({ exporter, reason: 'truncated' })
      report.lostBytes += bytes.byteLength - p
      return report
    }
    p += size + len
    if (crc32(body) >>> 0 !== dv.getUint32(p - len - 4, true)) {
      report.lost.push({ exporter, reason: 'corrupt' })
      report.lostBytes += size + len
      continue
    }
    const r = apply(body)
    report.exporters++
    report.entries += r.applied
    report.refused += r.refused
  }
  report.lostBytes += bytes.byteLength - p
  return report
}
