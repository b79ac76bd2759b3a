// Builds IPFIX messages for tests: header values and sets (templates with enterprise
// and variable-length fields, options templates, withdrawals, data records).
import {
  concat,
  recordsBytes,
  setBytes,
  u16,
  u32,
  type FieldValue,
  type TemplateDef,
} from './flow-fields.js'

export interface IpfixHeader {
  exportTime: number
  sequence?: number
  domain?: number
  /** Override the message length field. */
  length?: number
}

export type IpfixSet =
  | { templates: TemplateDef[] }
  | { optionsTemplates: TemplateDef[] }
  /** Template withdrawals (field count 0); ID 2 (data) / 3 (options) withdraws all. */
  | { withdraw: number[]; options?: boolean }
  | { template: TemplateDef; records: FieldValue[][]; pad?: number }
  | { rawId: number; body: Uint8Array }

function fieldBytes(t: TemplateDef): Uint8Array[] {
  return t.fields.flatMap((f) =>
    f.enterprise === undefined
      ? [u16(f.id), u16(f.length)]
      : [u16(f.id | 0x8000), u16(f.length), u32(f.enterprise)],
  )
}

export function ipfixSet(s: IpfixSet): Uint8Array {
  if ('templates' in s) {
    return setBytes(
      2,
      concat(s.templates.flatMap((t) => [u16(t.id), u16(t.fields.length), ...fieldBytes(t)])),
    )
  }
  if ('optionsTemplates' in s) {
    return setBytes(
      3,
      concat(
        s.optionsTemplates.flatMap((t) => [
          u16(t.id),
          u16(t.fields.length),
          u16(t.scopeCount ?? 1),
          ...fieldBytes(t),
        ]),
      ),
    )
  }
  if ('withdraw' in s) {
    return setBytes(s.options ? 3 : 2, concat(s.withdraw.flatMap((id) => [u16(id), u16(0)])))
  }
  if ('template' in s)
    return setBytes(s.template.id, recordsBytes(s.template, s.records), s.pad ?? 0)
  return setBytes(s.rawId, s.body)
}

export function buildIpfix(h: IpfixHeader, sets: IpfixSet[]): Uint8Array {
  const body = concat(sets.map(ipfixSet))
  return concat([
    u16(10),
    u16(h.length ?? 16 + body.byteLength),
    u32(h.exportTime),
    u32(h.sequence ?? 0),
    u32(h.domain ?? 0),
    body,
  ])
}
