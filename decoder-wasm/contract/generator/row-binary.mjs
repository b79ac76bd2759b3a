// @ts-check
// The RowBinary row writer (assembly/rows/row-binary.generated.ts): one row per record in the
// types of flowloft.flows. DateTime as UInt32 seconds, DateTime64(3) as Int64 ms, IPv6 as
// its 16 bytes in network order, Enum8 as its code, strings as a LEB128 length and the
// bytes, integers little-endian. Columns whose fields lie next to each other in the
// record are copied together, in 8-, 4-, 2- and 1-byte words.
import { WIDTH } from './model.mjs'
import { header, upperSnake } from './names.mjs'
import { enumPrefix } from './assembly.mjs'

/** @typedef {import('./model.mjs').Contract} Contract */
/** @typedef {import('./model.mjs').Column} Column */
/** @typedef {import('./model.mjs').Field} Field */

const WORD = { 8: 'u64', 4: 'u32', 2: 'u16', 1: 'u8' }

/** `F_X` or `F_X + n`. @param {Field} f @param {number} n @param {boolean} [isString] */
export function at(f, n = 0, isString = false) {
  const name = `${isString ? 'S_' : 'F_'}${upperSnake(f.name)}`
  return n === 0 ? name : `${name} + ${n}`
}

/**
 * Byte ranges of the record: runs of fields that follow each other, as (field, from, len)
 * words: what copies them in as few loads and stores as possible.
 * @param {Field[]} fields in order @returns {{ field: Field, skip: number, width: 1 | 2 | 4 | 8 }[][]}
 */
export function words(fields) {
  /** @type {Field[][]} */
  const runs = []
  for (const f of fields) {
    const last = runs.at(-1)
    const prev = last?.at(-1)
    if (last && prev && prev.offset + WIDTH[prev.type] === f.offset) last.push(f)
    else runs.push([f])
  }
  return runs.map((run) => {
    const start = /** @type {Field} */ (run[0]).offset
    const len = run.reduce((n, f) => n + WIDTH[f.type], 0)
    const out = []
    for (let o = 0; o < len;) {
      const width = len - o >= 8 ? 8 : len - o >= 4 ? 4 : len - o >= 2 ? 2 : 1
      // Named by the field the word starts in.
      const field = /** @type {Field} */ (run.findLast((f) => f.offset <= start + o))
      out.push({
        field,
        skip: start + o - field.offset,
        width: /** @type {1 | 2 | 4 | 8} */ (width),
      })
      o += width
    }
    return out
  })
}

/** @param {Contract} c @param {{ constants: string, strings: string, flowTimes: string }} paths */
export function rowBinaryWriter(c, paths) {
  const body = []
  let k = 0
  const pk = () => (k === 0 ? 'p' : `p + ${k}`)
  const cols = c.columns
  const needsMillis = cols.some((x) => x.kind === 'millis')
  let fixedBytes = 0
  let strings = 0
  for (let i = 0; i < cols.length;) {
    const col = /** @type {Column} */ (cols[i])
    if (col.kind === 'copy') {
      let j = i + 1
      while (j < cols.length && cols[j]?.kind === 'copy') j++
      const run = cols.slice(i, j)
      body.push(`  // ${run.map((r) => r.name).join(', ')}`)
      for (const group of words(run.map((r) => r.field)))
        for (const w of group) {
          const t = WORD[w.width]
          body.push(`  store<${t}>(${pk()}, load<${t}>(rec + ${at(w.field, w.skip)}))`)
          k += w.width
          fixedBytes += w.width
        }
      i = j
      continue
    }
    const f = col.field
    body.push(`  // ${col.name}`)
    if (col.kind === 'seconds') {
      const ms = needsMillis && f.name === 'timeReceived' ? 'received' : `load<u64>(rec + ${at(f)})`
      body.push(`  store<u32>(${pk()}, <u32>(${ms} / 1000))`)
      k += 4
      fixedBytes += 4
    } else if (col.kind === 'millis') {
      body.push(`  store<u64>(${pk()}, flowMillis(load<u64>(rec + ${at(f)}), received))`)
      k += 8
      fixedBytes += 8
    } else if (col.kind === 'enum') {
      const e = /** @type {{ names: string }} */ (c.enums.get(/** @type {string} */ (col.enumName)))
      const mask = /** @type {{ count: number }} */ (c.fixedStrings.get(e.names)).count - 1
      body.push(`  store<u8>(${pk()}, load<u8>(rec + ${at(f)}) & ${mask})`)
      k += 1
      fixedBytes += 1
    } else if (col.kind === 'string') {
      body.push(`  p = copyBinaryString(load<u32>(rec + ${at(f, 0, true)}), ${pk()})`)
      k = 0
      strings++
    } else {
      body.push(`  p = copyBinaryString(${namesId(c, col)}, ${pk()})`)
      k = 0
      strings++
    }
    i++
  }
  body.push(`  return ${pk()}`)

  const sids = [
    ...new Set(
      cols
        .filter((x) => x.kind === 'names')
        .map((x) => `SID_${upperSnake(/** @type {string} */ (x.names))}`),
    ),
  ]
  const fields = usedSlots(body.join('\n'))
  if (needsMillis) fields.add('F_TIME_RECEIVED')
  const imports = [
    `import { ${[...fields].sort().join(', ')} } from '${paths.constants}/record'`,
    `import { ${[...sids, 'STRING_MAX_BYTES'].join(', ')} } from '${paths.constants}/flows'`,
    ...(needsMillis ? [`import { flowMillis } from '${paths.flowTimes}'`] : []),
    `import { copyBinaryString } from '${paths.strings}'`,
  ]
  return [
    header('RowBinary rows of the flows columns, in order (flows.json columns).'),
    ...imports,
    '',
    `/** Longest a row can be: ${fixedBytes} bytes of fixed-width columns (rounded up) and ${strings} strings. */`,
    `export const ROW_BINARY_MAX: usize = ${Math.ceil(fixedBytes / 8) * 8} + ${strings} * STRING_MAX_BYTES`,
    '',
    '/** Write the row of the record at `rec` to `p`; returns its end. May write STRING_OVERRUN bytes past it. */',
    'export function formatRowBinaryRow(rec: usize, p: usize): usize {',
    ...(needsMillis ? ['  const received = load<u64>(rec + F_TIME_RECEIVED)'] : []),
    ...body,
    '}',
    '',
  ].join('\n')
}

/** The record slots (F_*, S_*) `code` uses. @param {string} code */
export function usedSlots(code) {
  return new Set([...code.matchAll(/\b[FS]_[A-Z0-9_]+\b/g)].map((m) => m[0]))
}

/** The string id of a `names` column's value: SID_X + value (masked to the range). @param {Contract} c @param {Column} col */
export function namesId(c, col) {
  const names = /** @type {string} */ (col.names)
  const range = /** @type {{ count: number }} */ (c.fixedStrings.get(names))
  const bits = WIDTH[col.field.type] * 8
  const value = `<u32>load<${col.field.type}>(rec + ${at(col.field)})`
  return range.count >= 2 ** bits
    ? `SID_${upperSnake(names)} + ${value}`
    : `SID_${upperSnake(names)} + (${value} & ${range.count - 1})`
}

/** The string id of an enum column's value. @param {Contract} c @param {Column} col */
export function enumId(c, col) {
  const e = /** @type {{ names: string }} */ (c.enums.get(/** @type {string} */ (col.enumName)))
  const range = /** @type {{ count: number }} */ (c.fixedStrings.get(e.names))
  return `SID_${upperSnake(e.names)} + (<u32>load<u8>(rec + ${at(col.field)}) & ${range.count - 1})`
}

export { enumPrefix }
