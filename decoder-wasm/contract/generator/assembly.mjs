// @ts-check
// The AssemblyScript mirror of the contract: constants in assembly/generated/, one module
// per concern, imported by the hand-written decoder.
import { WIDTH } from './model.mjs'
import { header, lit, trailing, upperSnake } from './names.mjs'

/** @typedef {import('./model.mjs').Contract} Contract */
/** @typedef {import('./model.mjs').Field} Field */

const AS_TYPE = { u8: 'u8', u16: 'u16', u32: 'u32', u64: 'u64', ip: '16 bytes' }

/** @param {string} prefix @param {Field[]} fields */
function offsets(prefix, fields) {
  return fields.map(
    (f) =>
      `export const ${prefix}${upperSnake(f.name)}: usize = ${f.offset} // ${AS_TYPE[f.type]}${f.doc ? `: ${f.doc}` : ''}`,
  )
}

/** @param {Contract} c @returns {Record<string, string>} file name -> text */
export function assemblyMirror(c) {
  const initial = c.record.fields.filter((f) => f.initial !== undefined)
  const record = [
    header(
      'The fixed-layout flow record (flows.json record): one per decoded flow, in the output region.',
    ),
    `export const LAYOUT_VERSION: u32 = ${c.record.version}`,
    `export const REC_SIZE: usize = ${c.record.size}`,
    '',
    ...offsets('F_', c.record.fields),
    '',
    '// String-table ids (u32) of the text columns, set by enrichment (0: empty).',
    ...offsets('S_', c.strings),
    '',
    '/** Zero a record and set the fields that do not start at zero. */',
    '@inline export function beginRecord(rec: usize): void {',
    '  memory.fill(rec, 0, REC_SIZE)',
    ...initial.map((f) => `  store<${f.type}>(rec + F_${upperSnake(f.name)}, ${f.initial})`),
    '}',
    '',
  ]

  const counter = [
    header(
      'The interface-counter record (abi.json counterRecord): one per sFlow generic counter block.',
    ),
    `export const COUNTER_LAYOUT_VERSION: u32 = ${c.counterRecord.version}`,
    `export const CREC_SIZE: usize = ${c.counterRecord.size}`,
    '',
    ...offsets('C_', c.counterRecord.fields),
    '',
  ]

  const abi = [
    header(
      'The host interface (abi.json): input header, status entries, defaults, enrichment keys.',
    ),
    '/** Checked by the host against its own mirror: both come from the same contract. */',
    `export const CONTRACT_HASH: u32 = ${lit(c.hash, true)}`,
    '',
    '// Input region: per datagram this header, then the payload padded to 8 bytes.',
    `export const IN_HDR: usize = ${c.input.size}`,
    ...offsets('IN_', c.input.fields),
    '',
    '// Status region: one entry per datagram.',
    `export const ST_SIZE: usize = ${c.statusEntry.size}`,
    ...offsets('ST_', c.statusEntry.fields),
    '',
    `export const NO_DATAGRAM: u32 = ${lit(c.noDatagram.value, c.noDatagram.hex)}${trailing(c.noDatagram.doc)}`,
    '',
    '// State sizes when the host gives none.',
    ...c.stateDefaults.map(
      (d) =>
        `export const DEFAULT_${upperSnake(d.name)}: u32 = ${lit(d.value, d.hex)}${trailing(d.doc)}`,
    ),
    '',
    '// Enrichment-cache key qualifiers (besides an ifIndex) and enrichRun flags.',
    ...c.qualifiers.map(
      (q) => `export const Q_${upperSnake(q.name)}: u32 = ${lit(q.value, q.hex)}${trailing(q.doc)}`,
    ),
    `export const MAX_PREFIX_SET: u32 = ${lit(c.maxPrefixSet.value, c.maxPrefixSet.hex)}${trailing(c.maxPrefixSet.doc)}`,
    ...c.enrichFlags.map(
      (f) => `export const ENRICH_${upperSnake(f.name)}: u32 = ${f.value}${trailing(f.doc)}`,
    ),
    '',
  ]

  const status = [
    header(
      "A datagram's outcome (abi.json statuses): every decode path returns one of these, none throws.",
    ),
    ...c.statuses.map(
      (s) => `export const ${upperSnake(s.name)}: u16 = ${s.value}${trailing(s.doc)}`,
    ),
    '',
  ]

  const counters = [
    header(
      'Cumulative counters of the template decoders (abi.json flowCounters): indices of a u64 array.',
    ),
    ...c.flowCounters.map(
      (f) => `export const C_${upperSnake(f.name)}: u32 = ${f.value}${trailing(f.doc)}`,
    ),
    `export const COUNTERS: u32 = ${c.flowCounters.length}`,
    '',
  ]

  const flows = [
    header('Enums, fixed string ids and row constants of the flows columns (flows.json).'),
    ...[...c.fixedStrings].map(
      ([name, r]) => `export const SID_${upperSnake(name)}: u32 = ${r.first} // ${r.count} ids`,
    ),
    `export const SID_DYNAMIC: u32 = ${c.stringTable.firstDynamic} // first id the host hands out freely`,
    '',
    '/** Longest a stored string is in either form (TSV-escaped or RowBinary). */',
    `export const STRING_MAX_BYTES: usize = ${c.stringTable.maxChars * 6}`,
    '/** Longest enum or fixed name. */',
    'export const FIXED_NAME_MAX: usize = 32',
    '// String index entry per id: TSV (offset, length), then RowBinary (offset, length).',
    `export const INDEX_ENTRY: usize = ${c.stringTable.indexEntry}`,
    `export const BINARY_AT: usize = ${c.stringTable.binaryAt}`,
    '',
    ...[...c.enums].flatMap(([name, e]) => [
      `// enums.${name}`,
      ...e.values.map(
        (v) => `export const ${enumPrefix(name)}${upperSnake(v.name)}: u8 = ${v.value}`,
      ),
    ]),
    '',
    `export const ROW_COLUMN_COUNT: u32 = ${c.columns.length}`,
    '',
  ]

  return {
    'record.ts': record.join('\n'),
    'counter-record.ts': counter.join('\n'),
    'abi.ts': abi.join('\n'),
    'status.ts': status.join('\n'),
    'flow-counters.ts': counters.join('\n'),
    'flows.ts': flows.join('\n'),
  }
}

/** `flowType` -> `FT_`, `direction` -> `DIR_`, others -> `NAME_`. @param {string} name */
export function enumPrefix(name) {
  return name === 'flowType' ? 'FT_' : name === 'direction' ? 'DIR_' : `${upperSnake(name)}_`
}

export { WIDTH }
