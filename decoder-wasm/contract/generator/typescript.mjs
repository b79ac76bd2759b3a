// @ts-check
// The TypeScript mirror of the contract (src/generated/contract.ts): the same offsets,
// codes and names for the host, and the flows columns with their types.
import { header, jsdoc, lit } from './names.mjs'

/** @typedef {import('./model.mjs').Contract} Contract */
/** @typedef {import('./model.mjs').Field} Field */

/** @param {string} name @param {Field[]} fields @param {string} doc */
function offsets(name, fields, doc) {
  return [
    jsdoc(doc).trimEnd(),
    `export const ${name} = {`,
    ...fields.map((f) => `  ${f.name}: ${f.offset}, // ${f.type}${f.doc ? `: ${f.doc}` : ''}`),
    '} as const',
  ]
}

/** @param {string} s */
const q = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

/** @param {Contract} c */
export function typescriptMirror(c) {
  const direction = c.enums.get('direction')
  const flowType = c.enums.get('flowType')
  if (!direction || !flowType)
    throw new Error('flows.json enums: direction and flowType are needed')
  direction.values.forEach((v, i) => {
    if (v.value !== i)
      throw new Error(
        `flows.json enums.direction: codes must run 0, 1, 2...; ${v.name} is ${v.value}`,
      )
  })
  const local = [...c.localSide]
  const inList = (/** @type {string[]} */ ds) =>
    ds.length === 1
      ? `direction = ${q(/** @type {string} */ (ds[0]))}`
      : `direction IN (${ds.map(q).join(', ')})`
  const localAddr = `multiIf(${local.map(([col, ds]) => `${inList(ds)}, ${col}`).join(', ')}, toIPv6('::'))`
  const below = c.servicePortBelow
  const servicePort = `if(least(src_port, dst_port) < ${below}, least(src_port, dst_port), 0)`

  const lines = [
    header('The host mirror of contract/flows.json and contract/abi.json.'),
    "/** Checked against the WASM module's contractHash(): both come from the same contract. */",
    `export const CONTRACT_HASH = ${lit(c.hash, true)}`,
    '',
    '// The flow record (flows.json record).',
    `export const LAYOUT_VERSION = ${c.record.version}`,
    `export const REC_SIZE = ${c.record.size}`,
    ...offsets('F', c.record.fields, 'Field offsets of the flow record.'),
    ...offsets(
      'S',
      c.strings,
      'String-table ids (u32) of the text columns, set by enrichment (0: empty).',
    ),
    '',
    '// The interface-counter record (abi.json counterRecord).',
    `export const COUNTER_LAYOUT_VERSION = ${c.counterRecord.version}`,
    `export const CREC_SIZE = ${c.counterRecord.size}`,
    ...offsets('C', c.counterRecord.fields, 'Field offsets of the interface-counter record.'),
    '',
    '/** Input region: per datagram this header, then the payload padded to 8 bytes. */',
    `export const IN_HDR = ${c.input.size}`,
    ...offsets('IN', c.input.fields, ''),
    '/** Status region: one entry per datagram. */',
    `export const ST_SIZE = ${c.statusEntry.size}`,
    ...offsets('ST', c.statusEntry.fields, ''),
    '',
    '/** Datagram outcomes by code: the reason label of flowloft_decoder_datagrams_total. */',
    'export const STATUS_REASONS = [',
    ...c.statuses.map((s) => `  ${q(s.name)},${s.doc ? ` // ${s.doc}` : ''}`),
    '] as const',
    '',
    jsdoc(c.noDatagram.doc).trimEnd(),
    `export const NO_DATAGRAM = ${lit(c.noDatagram.value, c.noDatagram.hex)}`,
    '',
    '/** Cumulative counters of the template decoders, in the order of their u64 array. */',
    'export const FLOW_COUNTERS = [',
    ...c.flowCounters.map((f) => `  ${q(f.name)},${f.doc ? ` // ${f.doc}` : ''}`),
    '] as const',
    '',
    '/** State sizes and the sampling cap when the host gives none. */',
    'export const STATE_DEFAULTS = {',
    ...c.stateDefaults.map(
      (d) => `  ${d.name}: ${lit(d.value, d.hex)},${d.doc ? ` // ${d.doc}` : ''}`,
    ),
    '} as const',
    '',
    ...c.qualifiers.flatMap((x) => [
      jsdoc(`Enrichment-cache key qualifier: ${x.doc ?? x.name}.`).trimEnd(),
      `export const Q_${x.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()} = ${lit(x.value, x.hex)}`,
    ]),
    jsdoc(c.maxPrefixSet.doc).trimEnd(),
    `export const MAX_PREFIX_SET = ${lit(c.maxPrefixSet.value, c.maxPrefixSet.hex)}`,
    '/** enrichRun flags. */',
    'export const ENRICH_FLAGS = {',
    ...c.enrichFlags.map((f) => `  ${f.name}: ${f.value},${f.doc ? ` // ${f.doc}` : ''}`),
    '} as const',
    '',
    "/** First ids of the string table's fixed ranges (id = first + value) and the first free id. */",
    'export const SID = {',
    ...[...c.fixedStrings].map(([name, r]) => `  ${name}: ${r.first}, // ${r.count} ids`),
    `  dynamic: ${c.stringTable.firstDynamic},`,
    '} as const',
    '/** Longest text stored, in UTF-16 units (at most 6 bytes each in either stored form). */',
    `export const STRING_MAX_CHARS = ${c.stringTable.maxChars}`,
    '/** String index entry per id: TSV form (offset, length) at 0, RowBinary form at binaryAt. */',
    `export const STRING_INDEX = { entry: ${c.stringTable.indexEntry}, binaryAt: ${c.stringTable.binaryAt} } as const`,
    '',
    '/** Flow types by record code: the `flow_type` Enum8. */',
    'export const FLOW_TYPES = {',
    ...flowType.values.map((v) => `  ${v.value}: ${q(v.name)},`),
    '} as const',
    '/** Directions by record code: the `direction` Enum8. */',
    `export const DIRECTIONS = [${direction.values.map((v) => q(v.name)).join(', ')}] as const`,
    'export type Direction = (typeof DIRECTIONS)[number]',
    '',
    "/** How a column's text reads: what `flowloft decode` and the flow log show. */",
    "export type ColumnText = 'number' | 'text' | 'address' | 'mac' | 'millis' | 'seconds'",
    '',
    '/**',
    ' * The flows columns of every row the decoder writes, in row order: the column list of',
    " * the writer's RowBinary INSERT and the fields of the flow log's TSV lines.",
    ' */',
    'export const INSERT_COLUMNS = [',
    ...c.columns.map((col) => `  ${q(col.name)},`),
    '] as const',
    'export type FlowColumn = (typeof INSERT_COLUMNS)[number]',
    '',
    '/**',
    " * Each column's ClickHouse type, how its text reads, and the record slot it comes from:",
    ' * a field of F (read as `width` bytes; `names`/`enum`: the string id of its value) or a',
    ' * string slot of S.',
    ' */',
    'export const FLOW_COLUMNS = [',
    ...c.columns.map((col) => {
      const source =
        col.kind === 'string'
          ? `string: ${q(col.field.name)}`
          : `field: ${q(col.field.name)}, width: ${col.field.type === 'ip' ? 16 : Number(col.field.type.slice(1)) / 8}`
      const extra =
        col.kind === 'names'
          ? `, names: ${q(/** @type {string} */ (col.names))}`
          : col.kind === 'enum'
            ? `, enum: ${q(/** @type {string} */ (col.enumName))}`
            : ''
      return `  { name: ${q(col.name)}, type: ${q(col.type)}, text: ${q(col.text)}, ${source}${extra} },`
    }),
    '] as const',
    '',
    "// How the rollups (flows_1m, flows_1h) derive their keys from a flow; the schema's",
    '// materialized views compute the same (checked against the engine).',
    '/** The column that is the local host, by direction (other directions have none). */',
    'export const LOCAL_SIDE = {',
    ...local.map(([col, ds]) => `  ${col}: [${ds.map(q).join(', ')}],`),
    '} as const',
    "/** The rollups' local_addr of a flows row. */",
    `export const ROLLUP_LOCAL_ADDR_SQL = ${q(localAddr)}`,
    "/** Ports below this are services: the rollups' service_port is the lower port when it is below, else 0. */",
    `export const SERVICE_PORT_BELOW = ${below}`,
    "/** The rollups' service_port of a flows row. */",
    `export const ROLLUP_SERVICE_PORT_SQL = ${q(servicePort)}`,
    '',
  ]
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n')
}
