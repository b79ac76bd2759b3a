// Builds NetFlow v9 datagrams for tests: header values and flowsets (templates,
// options templates, data records given as values in template field order).
import {
  concat,
  recordsBytes,
  setBytes,
  u16,
  u32,
  type FieldValue,
  type TemplateDef,
} from './flow-fields.js'

export interface V9Header {
  sysUptime: number
  unixSecs: number
  sequence?: number
  sourceId?: number
  /** Override the record count (default: records and templates in the datagram). */
  count?: number
}

export type V9Set =
  | { templates: TemplateDef[] }
  | { optionsTemplates: TemplateDef[]; pad?: number }
  | { template: TemplateDef; records: FieldValue[][]; pad?: number }
  | { rawId: number; body: Uint8Array }

function templateBody(templates: TemplateDef[]): Uint8Array {
  return concat(
    templates.flatMap((t) => [
      u16(t.id),
      u16(t.fields.length),
      ...t.fields.flatMap((f) => [u16(f.id), u16(f.length)]),
    ]),
  )
}

function optionsBody(templates: TemplateDef[]): Uint8Array {
  return concat(
    templates.flatMap((t) => {
      const scope = t.scopeCount ?? 0
      return [
        u16(t.id),
        u16(scope * 4),
        u16((t.fields.length - scope) * 4),
        ...t.fields.flatMap((f) => [u16(f.id), u16(f.length)]),
      ]
    }),
  )
}

export function v9Set(s: V9Set): Uint8Array {
  if ('templates' in s) return setBytes(0, templateBody(s.templates))
  if ('optionsTemplates' in s) return setBytes(1, optionsBody(s.optionsTemplates), s.pad ?? 0)
  if ('template' in s)
    return setBytes(s.template.id, recordsBytes(s.template, s.records), s.pad ?? 0)
  return setBytes(s.rawId, s.body)
}

function countOf(s: V9Set): number {
  if ('templates' in s) return s.templates.length
  if ('optionsTemplates' in s) return s.optionsTemplates.length
  if ('template' in s) return s.records.length
  return 0
}

export function buildV9(h: V9Header, sets: V9Set[]): Uint8Array {
  const header = concat([
    u16(9),
    u16(h.count ?? sets.reduce((n, s) => n + countOf(s), 0)),
    u32(h.sysUptime),
    u32(h.unixSecs),
    u32(h.sequence ?? 0),
    u32(h.sourceId ?? 0),
  ])
  return concat([header, ...sets.map(v9Set)])
}
