// @ts-check
// Reads contract/flows.json and contract/abi.json into one checked model: every layout
// fits its size without overlaps, every name is unique, every column reads a field of
// its width. Errors name the file, the entry and the rule.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** @typedef {'u8' | 'u16' | 'u32' | 'u64' | 'ip'} FieldType */
/** @typedef {{ name: string, offset: number, type: FieldType, doc?: string, initial?: number }} Field */
/** @typedef {{ size: number, version?: number, fields: Field[] }} Layout */
/** @typedef {{ name: string, value: number, doc?: string, hex?: boolean }} Named */
/**
 * A column and how it is written: `copy` (same-width field), `seconds` (DateTime from
 * ms), `millis` (DateTime64(3) from ms), `string` (string slot), `names` (fixed string
 * range by a field's value) or `enum` (Enum8 code).
 * @typedef {{
 *   name: string, type: string, kind: 'copy' | 'seconds' | 'millis' | 'string' | 'names' | 'enum',
 *   field: Field, names?: string, enumName?: string, format?: 'mac',
 *   repeats: boolean, sparse: boolean, text: 'number' | 'text' | 'address' | 'mac' | 'millis' | 'seconds'
 * }} Column
 */
/**
 * @typedef {{
 *   hash: number,
 *   record: Layout & { version: number }, strings: Field[], counterRecord: Layout & { version: number },
 *   input: Layout, statusEntry: Layout, statuses: Named[], noDatagram: Named,
 *   flowCounters: Named[], stateDefaults: Named[], qualifiers: Named[], maxPrefixSet: Named,
 *   enrichFlags: Named[], enums: Map<string, { names: string, values: Named[] }>,
 *   fixedStrings: Map<string, { first: number, count: number }>,
 *   stringTable: { firstDynamic: number, maxChars: number, indexEntry: number, binaryAt: number },
 *   columns: Column[], localSide: Map<string, string[]>, servicePortBelow: number
 * }} Contract
 */

export const WIDTH = { u8: 1, u16: 2, u32: 4, u64: 8, ip: 16 }
const UINT = { UInt8: 'u8', UInt16: 'u16', UInt32: 'u32', UInt64: 'u64', IPv6: 'ip' }

export class ContractError extends Error {}

/** @param {string} where @param {string} message @returns {never} */
function fail(where, message) {
  throw new ContractError(`${where}: ${message}`)
}

/** @param {unknown} v @param {string} where @returns {number} */
function num(v, where) {
  const n = typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : v
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    fail(where, `must be a non-negative integer (or a 0x string), got ${JSON.stringify(v)}`)
  return n
}

/** Given as a 0x string: the mirrors write it in hex too. @param {unknown} v */
function isHex(v) {
  return typeof v === 'string' && v.startsWith('0x')
}

/** @param {any} v @param {string} where @returns {any[]} */
function list(v, where) {
  if (!Array.isArray(v)) fail(where, 'must be a list')
  return v
}

/** Entries of an object, without `$comment`. @param {any} o @param {string} where */
function entries(o, where) {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) fail(where, 'must be an object')
  return Object.entries(o).filter(([k]) => k !== '$comment')
}

/** `{ name: { value, doc } | value }` as a list. @param {any} o @param {string} where @returns {Named[]} */
function namedValues(o, where) {
  return entries(o, where).map(([name, v]) =>
    typeof v === 'object' && v !== null
      ? { name, value: num(v.value, `${where}.${name}.value`), doc: v.doc, hex: isHex(v.value) }
      : { name, value: num(v, `${where}.${name}`), hex: isHex(v) },
  )
}

/** @param {string[]} names @param {string} where */
function unique(names, where) {
  const seen = new Set()
  for (const n of names) {
    if (seen.has(n)) fail(where, `${n} is declared twice`)
    seen.add(n)
  }
}

/** A layout whose fields fit `size` and do not overlap. @param {any} o @param {string} where @returns {Layout} */
function layout(o, where, extra = /** @type {Field[]} */ ([])) {
  const size = num(o.size, `${where}.size`)
  /** @type {Field[]} */
  const fields = list(o.fields, `${where}.fields`).map((f, i) => {
    const at = `${where}.fields[${i}]`
    if (typeof f.name !== 'string' || !/^[a-z][A-Za-z0-9]*$/.test(f.name))
      fail(at, `name must be camelCase, got ${JSON.stringify(f.name)}`)
    if (!(f.type in WIDTH))
      fail(`${where}.${f.name}`, `type must be one of ${Object.keys(WIDTH).join(', ')}`)
    if (f.initial !== undefined && (f.type === 'ip' || f.type === 'u64'))
      fail(`${where}.${f.name}.initial`, 'only u8, u16 and u32 fields start at a value')
    return {
      name: f.name,
      offset: num(f.offset, `${where}.${f.name}.offset`),
      type: f.type,
      doc: f.doc,
      initial: f.initial === undefined ? undefined : num(f.initial, `${where}.${f.name}.initial`),
    }
  })
  const all = [...fields, ...extra]
  unique(
    all.map((f) => f.name),
    where,
  )
  const sorted = [...all].sort((a, b) => a.offset - b.offset)
  let end = 0
  let last = ''
  for (const f of sorted) {
    if (f.offset < end)
      fail(`${where}.${f.name}`, `offset ${f.offset} overlaps ${last} (which ends at ${end})`)
    end = f.offset + WIDTH[f.type]
    last = f.name
    if (end > size) fail(`${where}.${f.name}`, `ends at ${end}, past the size ${size}`)
  }
  return {
    size,
    version: o.version === undefined ? undefined : num(o.version, `${where}.version`),
    fields,
  }
}

/** FNV-1a over the contract text without whitespace: both mirrors carry it. @param {string} s */
function fnv1a(s) {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** @param {string} path */
function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    return fail(path, err instanceof Error ? err.message : String(err))
  }
}

/** @param {string} dir the contract directory @returns {Contract} */
export function loadContract(dir) {
  const flowsPath = join(dir, 'flows.json')
  const abiPath = join(dir, 'abi.json')
  const flows = readJson(flowsPath)
  const abi = readJson(abiPath)
  const w = 'flows.json'
  const a = 'abi.json'

  /** @type {Field[]} */
  const strings = list(flows.record?.strings?.fields, `${w} record.strings.fields`).map((s, i) => ({
    name: String(s.name),
    offset: num(s.offset, `${w} record.strings.fields[${i}].offset`),
    type: /** @type {FieldType} */ ('u32'),
  }))
  const recordLayout = layout(flows.record, `${w} record`, strings)
  const record = { ...recordLayout, version: num(flows.record.version, `${w} record.version`) }
  const byName = new Map([...record.fields, ...strings].map((f) => [f.name, f]))

  const fixedStrings = new Map(
    entries(flows.strings?.fixed, `${w} strings.fixed`).map(([name, r]) => {
      const first = num(r.first, `${w} strings.fixed.${name}.first`)
      const count = num(r.count, `${w} strings.fixed.${name}.count`)
      if ((count & (count - 1)) !== 0)
        fail(`${w} strings.fixed.${name}.count`, 'must be a power of two')
      return [name, { first, count }]
    }),
  )
  const stringTable = {
    firstDynamic: num(flows.strings.firstDynamic, `${w} strings.firstDynamic`),
    maxChars: num(flows.strings.maxChars, `${w} strings.maxChars`),
    indexEntry: num(flows.strings.indexEntry, `${w} strings.indexEntry`),
    binaryAt: num(flows.strings.binaryAt, `${w} strings.binaryAt`),
  }
  let idEnd = 1
  for (const [name, r] of [...fixedStrings].sort((x, y) => x[1].first - y[1].first)) {
    if (r.first < idEnd)
      fail(`${w} strings.fixed.${name}`, `ids ${r.first}.. overlap the range before`)
    idEnd = r.first + r.count
  }
  if (stringTable.firstDynamic < idEnd)
    fail(`${w} strings.firstDynamic`, `must be at least ${idEnd}, past the fixed ranges`)

  const enums = new Map(
    entries(flows.enums, `${w} enums`).map(([name, e]) => {
      const range = fixedStrings.get(e.names)
      if (!range)
        fail(
          `${w} enums.${name}.names`,
          `names no range of strings.fixed: ${JSON.stringify(e.names)}`,
        )
      const values = namedValues(e.values, `${w} enums.${name}.values`)
      unique(
        values.map((v) => String(v.value)),
        `${w} enums.${name}.values (codes)`,
      )
      for (const v of values) {
        if (v.value >= range.count)
          fail(
            `${w} enums.${name}.${v.name}`,
            `code ${v.value} is past its ${range.count} string ids`,
          )
        if (v.name.length > 32) fail(`${w} enums.${name}.${v.name}`, 'names are at most 32 bytes')
        if (!/^[a-z][a-z0-9_]*$/.test(v.name))
          fail(`${w} enums.${name}.${v.name}`, 'must be lower_snake_case')
      }
      return [name, { names: e.names, values }]
    }),
  )

  /** @type {Column[]} */
  const columns = list(flows.columns?.list, `${w} columns.list`).map((c, i) => {
    const at = `${w} column ${c.name ?? `[${i}]`}`
    if (typeof c.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(c.name))
      fail(at, 'name must be lower_snake_case')
    const type = String(c.type)
    const source = c.string ?? c.field
    const field = byName.get(source)
    if (!field)
      fail(
        at,
        `reads ${c.string ? 'string' : 'field'} ${JSON.stringify(source)}, which the record does not declare`,
      )
    const isString = strings.includes(field)
    if (c.string !== undefined && !isString)
      fail(at, `string ${c.string} is a field, not a string slot`)
    if (c.field !== undefined && isString)
      fail(at, `field ${c.field} is a string slot: use "string"`)
    /** @type {Column['kind']} */
    let kind
    let text = /** @type {Column['text']} */ ('number')
    let fullType = type
    if (c.string !== undefined) {
      if (type !== 'LowCardinality(String)' && type !== 'String')
        fail(at, 'a string slot makes a String column')
      kind = 'string'
      text = 'text'
    } else if (c.names !== undefined) {
      if (!fixedStrings.has(c.names)) fail(at, `names no range of strings.fixed: ${c.names}`)
      if (type !== 'LowCardinality(String)' && type !== 'String')
        fail(at, 'names make a String column')
      if (field.type === 'ip' || field.type === 'u64')
        fail(at, 'names are indexed by a u8, u16 or u32 field')
      kind = 'names'
      text = 'text'
    } else if (c.enum !== undefined) {
      const e = enums.get(c.enum)
      if (!e) fail(at, `enum ${c.enum} is not declared in enums`)
      if (type !== 'Enum8') fail(at, 'an enum column has type Enum8')
      if (field.type !== 'u8') fail(at, 'an Enum8 column reads a u8 field')
      kind = 'enum'
      text = 'text'
      fullType = `Enum8(${e.values.map((v) => `'${v.name}' = ${v.value}`).join(', ')})`
    } else if (type === 'DateTime' || type === 'DateTime64(3)') {
      if (field.type !== 'u64') fail(at, `${type} reads a u64 field of unix ms`)
      kind = type === 'DateTime' ? 'seconds' : 'millis'
      text = kind
    } else if (type in UINT) {
      const want = UINT[/** @type {keyof typeof UINT} */ (type)]
      if (field.type !== want)
        fail(at, `${type} reads a ${want} field; ${field.name} is ${field.type}`)
      kind = 'copy'
      text = field.type === 'ip' ? 'address' : 'number'
    } else {
      return fail(
        at,
        `type ${type} has no encoder (UInt8/16/32/64, IPv6, DateTime, DateTime64(3), LowCardinality(String), Enum8)`,
      )
    }
    if (c.format !== undefined) {
      if (c.format !== 'mac' || type !== 'UInt64')
        fail(at, 'format: "mac" is for UInt64 columns only')
      text = 'mac'
    }
    const sparse = c.sparse === true
    if (sparse && kind !== 'copy') fail(at, 'only number and IPv6 columns can be sparse')
    return {
      name: c.name,
      type: fullType,
      kind,
      field,
      names: c.names,
      enumName: c.enum,
      format: c.format,
      repeats: c.repeats === 'datagram',
      sparse,
      text,
    }
  })
  unique(
    columns.map((c) => c.name),
    `${w} columns.list`,
  )
  const needsReceived = columns.some((c) => c.kind === 'millis')
  if (needsReceived && !byName.has('timeReceived'))
    fail(
      `${w} record`,
      'DateTime64(3) columns fall back to the field timeReceived, which is missing',
    )

  const localSide = new Map(
    entries(flows.rollups?.localSide, `${w} rollups.localSide`).map(([col, dirs]) => {
      if (!columns.some((c) => c.name === col && c.type === 'IPv6'))
        fail(`${w} rollups.localSide.${col}`, 'must be an IPv6 column')
      const direction = enums.get('direction')
      for (const d of list(dirs, `${w} rollups.localSide.${col}`))
        if (!direction?.values.some((v) => v.name === d))
          fail(`${w} rollups.localSide.${col}`, `${d} is no direction`)
      return [col, /** @type {string[]} */ (dirs)]
    }),
  )

  /** @param {any} o @param {string} where @returns {Named[]} */
  const namedList = (o, where) =>
    list(o?.list, `${where}.list`).map((s, i) => {
      if (typeof s.name !== 'string') fail(`${where}.list[${i}]`, 'needs a name')
      return { name: s.name, value: i, doc: s.doc }
    })
  const statuses = namedList(abi.statuses, `${a} statuses`)
  unique(
    statuses.map((s) => s.name),
    `${a} statuses`,
  )
  const flowCounters = namedList(abi.flowCounters, `${a} flowCounters`)
  unique(
    flowCounters.map((s) => s.name),
    `${a} flowCounters`,
  )
  const counterLayout = layout(abi.counterRecord, `${a} counterRecord`)

  return {
    hash: fnv1a(JSON.stringify(flows) + JSON.stringify(abi)),
    record,
    strings,
    counterRecord: {
      ...counterLayout,
      version: num(abi.counterRecord.version, `${a} counterRecord.version`),
    },
    input: layout(abi.input, `${a} input`),
    statusEntry: layout(abi.statusEntry, `${a} statusEntry`),
    statuses,
    noDatagram: {
      name: 'noDatagram',
      value: num(abi.noDatagram?.value, `${a} noDatagram.value`),
      doc: abi.noDatagram?.doc,
      hex: isHex(abi.noDatagram?.value),
    },
    flowCounters,
    stateDefaults: namedValues(abi.stateDefaults, `${a} stateDefaults`),
    qualifiers: namedValues(abi.enrich?.qualifiers, `${a} enrich.qualifiers`),
    maxPrefixSet: {
      name: 'maxPrefixSet',
      value: num(abi.enrich?.maxPrefixSet?.value, `${a} enrich.maxPrefixSet.value`),
      doc: abi.enrich?.maxPrefixSet?.doc,
      hex: isHex(abi.enrich?.maxPrefixSet?.value),
    },
    enrichFlags: namedValues(abi.enrich?.flags, `${a} enrich.flags`),
    enums,
    fixedStrings,
    stringTable,
    columns,
    localSide,
    servicePortBelow: num(flows.rollups?.servicePortBelow, `${w} rollups.servicePortBelow`),
  }
}
