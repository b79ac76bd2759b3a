// Field specifiers and values for the NetFlow v9 / IPFIX test builders: values given
// as numbers, bigints, address / MAC text or raw bytes, encoded big-endian to the field
// length (65535 = IPFIX variable-length, prefixed with its length).
import { isIP } from 'node:net'
import { parseAddress } from '../../../dist/ip.js'

export interface FieldSpec {
  id: number
  length: number
  /** Private enterprise number (IPFIX): sets the enterprise bit and adds the PEN. */
  enterprise?: number
}

export interface TemplateDef {
  id: number
  fields: FieldSpec[]
  /** Options templates: how many of `fields` are scope fields. */
  scopeCount?: number
}

export type FieldValue = number | bigint | string | Uint8Array

export const VARIABLE = 65535

function textBytes(text: string): Uint8Array {
  const family = isIP(text)
  if (family === 4) return parseAddress(text).slice(12)
  if (family === 6) return parseAddress(text)
  if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(text)) {
    return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)))
  }
  return new TextEncoder().encode(text)
}

function uintBytes(value: number | bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let v = BigInt(value)
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

/** The bytes of one field value as it appears in a data record. */
export function encodeValue(spec: FieldSpec, value: FieldValue): Uint8Array {
  const raw =
    typeof value === 'string'
      ? textBytes(value)
      : value instanceof Uint8Array
        ? value
        : uintBytes(value, spec.length === VARIABLE ? 4 : spec.length)
  if (spec.length !== VARIABLE) {
    if (raw.byteLength !== spec.length) {
      throw new RangeError(`field ${spec.id}: ${raw.byteLength} bytes for length ${spec.length}`)
    }
    return raw
  }
  const prefix =
    raw.byteLength < 255 ? [raw.byteLength] : [255, raw.byteLength >> 8, raw.byteLength & 0xff]
  return Uint8Array.from([...prefix, ...raw])
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** A set / flowset: 4-byte header then the body, plus `pad` zero bytes. */
export function setBytes(id: number, body: Uint8Array, pad = 0): Uint8Array {
  const out = new Uint8Array(4 + body.byteLength + pad)
  const dv = new DataView(out.buffer)
  dv.setUint16(0, id)
  dv.setUint16(2, out.byteLength)
  out.set(body, 4)
  return out
}

export function u16(v: number): Uint8Array {
  return Uint8Array.from([(v >> 8) & 0xff, v & 0xff])
}

export function u32(v: number): Uint8Array {
  return Uint8Array.from([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])
}

/** The data records of a set, each record's values in template field order. */
export function recordsBytes(t: TemplateDef, records: FieldValue[][]): Uint8Array {
  return concat(
    records.flatMap((values) =>
      t.fields.map((f, i) => {
        const v = values[i]
        if (v === undefined) throw new RangeError(`record lacks a value for field ${i} (${f.id})`)
        return encodeValue(f, v)
      }),
    ),
  )
}
