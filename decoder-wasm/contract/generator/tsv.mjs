// @ts-check
// The TabSeparated row writer (assembly/rows/tsv-row.generated.ts): one line per record, in
// the text ClickHouse reads for the flows columns. The encoders are hand-written
// (assembly/rows/tsv-encode.ts); this file only strings them together per column, plus two
// shortcuts that change no byte of output: a run of `repeats: datagram` columns is
// formatted once and copied while its fields stay the same, and a `sparse` run is one
// constant when all its fields are zero.
import { WIDTH } from './model.mjs'
import { header, upperSnake } from './names.mjs'
import { at, enumId, namesId, usedSlots, words } from './row-binary.mjs'

/** @typedef {import('./model.mjs').Contract} Contract */
/** @typedef {import('./model.mjs').Column} Column */

/** Most bytes one column's text can take, its separator included (writes past it are overwritten). */
const BOUND = {
  copy: { u8: 13, u16: 13, u32: 13, u64: 24, ip: 41 },
  seconds: 24,
  millis: 28,
  names: 'FIXED_NAME_MAX + 1',
  enum: 'FIXED_NAME_MAX + 1',
  string: 'STRING_MAX_BYTES + 1',
}

/** @param {Column} col */
function bound(col) {
  return col.kind === 'copy' ? BOUND.copy[col.field.type] : BOUND[col.kind]
}

/** `p = put...(p, ...)`: the column's text at `to`, returning its end. @param {Contract} c @param {Column} col @param {string} to */
function encode(c, col, to) {
  const f = col.field
  switch (col.kind) {
    case 'copy':
      if (f.type === 'ip') return `putAddr(${to}, rec + ${at(f)})`
      if (f.type === 'u64') return `putU64(${to}, load<u64>(rec + ${at(f)}))`
      if (f.type === 'u32') return `putU32(${to}, load<u32>(rec + ${at(f)}))`
      return `putU32(${to}, <u32>load<${f.type}>(rec + ${at(f)}))`
    case 'seconds':
      return `putSeconds(${to}, ${f.name === 'timeReceived' ? 'received' : `load<u64>(rec + ${at(f)})`})`
    case 'millis':
      return `putMillis(${to}, flowMillis(load<u64>(rec + ${at(f)}), received))`
    case 'string':
      return `copyString(load<u32>(rec + ${at(f, 0, true)}), ${to})`
    case 'names':
      return `copyString(${namesId(c, col)}, ${to})`
    case 'enum':
      return `copyString(${enumId(c, col)}, ${to})`
  }
}

/** The separator after column `i`: a tab, or the newline after the last. @param {Contract} c @param {number} i */
function sep(c, i) {
  return i === c.columns.length - 1 ? 10 : 9
}

/** Bytes as little-endian u64 stores at `to` (may write up to 7 bytes past them). @param {number[]} bytes @param {string} to */
function constantStores(bytes, to) {
  const out = []
  for (let o = 0; o < bytes.length; o += 8) {
    let v = 0n
    for (let b = 7; b >= 0; b--) v = (v << 8n) | BigInt(bytes[o + b] ?? 0)
    out.push(`store<u64>(${o === 0 ? to : `${to} + ${o}`}, 0x${v.toString(16)})`)
  }
  return out
}

/** @param {Contract} c @param {{ constants: string, strings: string, flowTimes: string, encode: string }} paths */
export function tsvWriter(c, paths) {
  const cols = c.columns
  /** @type {string[]} */
  const state = []
  /** @type {string[]} */
  const init = []
  /** @type {string[]} */
  const reset = []
  /** @type {string[]} */
  const helpers = []
  /** @type {string[]} */
  const body = []
  /** @type {(string | number)[]} */
  const bounds = []
  let repeatRuns = 0

  for (let i = 0; i < cols.length;) {
    const col = /** @type {Column} */ (cols[i])
    let j = i + 1
    const grouped = col.repeats || col.sparse
    if (grouped)
      while (j < cols.length && cols[j]?.repeats === col.repeats && cols[j]?.sparse === col.sparse)
        j++
    const run = cols.slice(i, j)
    const formatted = run.map(
      (r, n) => `q = ${encode(c, r, 'q')}\n    store<u8>(q, ${sep(c, i + n)})\n    q++`,
    )
    bounds.push(...run.map(bound))
    if (col.repeats) {
      // Formatted once into its own buffer, copied while every field it reads stays the same.
      const name = `repeat${repeatRuns++}`
      const keys = words(run.map((r) => r.field)).flat()
      const keyOf = (
        /** @type {{ field: import('./model.mjs').Field, skip: number, width: number }} */ w,
        /** @type {number} */ n,
      ) => {
        const isString = c.strings.includes(w.field)
        const t = w.width === 8 ? 'u64' : w.width === 4 ? 'u32' : w.width === 2 ? 'u16' : 'u8'
        state.push(`let ${name}Key${n}: ${t} = 0`)
        return { n, load: `load<${t}>(rec + ${at(w.field, w.skip, isString)})` }
      }
      const k = keys.map(keyOf)
      state.push(`let ${name}Base: usize = 0`, `let ${name}Len: usize = 0`)
      const max = run.map(bound).join(' + ')
      init.push(`  ${name}Base = heap.alloc(${max} + STRING_OVERRUN + 8)`)
      reset.push(`  ${name}Len = 0`)
      helpers.push(
        `/** ${run.map((r) => r.name).join(', ')}: the same for every record of a datagram. */`,
        `@inline function put${name[0]?.toUpperCase()}${name.slice(1)}(p: usize, rec: usize): usize {`,
        ...k.map((x) => `  const k${x.n} = ${x.load}`),
        `  if (${[`${name}Len == 0`, ...k.map((x) => `k${x.n} != ${name}Key${x.n}`)].join(' || ')}) {`,
        ...k.map((x) => `    ${name}Key${x.n} = k${x.n}`),
        `    let q = ${name}Base`,
        ...formatted.map((f) => `    ${f}`),
        `    ${name}Len = q - ${name}Base`,
        '  }',
        `  copyWords(p, ${name}Base, ${name}Len)`,
        `  return p + ${name}Len`,
        '}',
        '',
      )
      body.push(
        `  // ${run.map((r) => r.name).join(', ')}`,
        `  p = put${name[0]?.toUpperCase()}${name.slice(1)}(p, rec)`,
      )
    } else if (col.sparse) {
      // All zero: one constant text; else column by column.
      const loads = words(run.map((r) => r.field))
        .flat()
        .map((w) => {
          const t = w.width === 8 ? 'u64' : w.width === 4 ? 'u32' : w.width === 2 ? 'u16' : 'u8'
          return t === 'u64'
            ? `load<u64>(rec + ${at(w.field, w.skip)})`
            : `<u64>load<${t}>(rec + ${at(w.field, w.skip)})`
        })
      const zero = run.flatMap((r, n) => [
        ...Buffer.from(r.field.type === 'ip' ? '::' : '0'),
        sep(c, i + n),
      ])
      body.push(
        `  // ${run.map((r) => r.name).join(', ')}: mostly all zero`,
        `  if ((${loads.join(' | ')}) == 0) {`,
        ...constantStores(zero, 'p').map((s) => `    ${s}`),
        `    p += ${zero.length}`,
        '  } else {',
        '    let q = p',
        ...formatted.map((f) => `    ${f}`),
        '    p = q',
        '  }',
      )
    } else {
      body.push(
        `  // ${col.name}`,
        `  p = ${encode(c, col, 'p')}`,
        `  store<u8>(p, ${sep(c, i)})`,
        '  p++',
      )
    }
    i = j
  }

  const numeric = bounds
    .filter((b) => typeof b === 'number')
    .reduce((a, b) => Number(a) + Number(b), 0)
  const symbolic = bounds.filter((b) => typeof b === 'string')
  const counts = new Map()
  for (const s of symbolic) counts.set(s, (counts.get(s) ?? 0) + 1)
  const rowMax = [String(numeric), ...[...counts].map(([s, n]) => `${n} * (${s})`)].join(' + ')

  const used = usedSlots([...helpers, ...body].join('\n'))
  used.add('F_TIME_RECEIVED')
  const sids = [
    ...new Set(
      cols.flatMap((x) => {
        if (x.kind === 'names') return [`SID_${upperSnake(/** @type {string} */ (x.names))}`]
        if (x.kind === 'enum') {
          const e = /** @type {{ names: string }} */ (
            c.enums.get(/** @type {string} */ (x.enumName))
          )
          return [`SID_${upperSnake(e.names)}`]
        }
        return []
      }),
    ),
  ]
  return [
    header('TabSeparated rows of the flows columns, in order (flows.json columns).'),
    `import { ${[...used].sort().join(', ')} } from '${paths.constants}/record'`,
    `import { ${[...sids, 'FIXED_NAME_MAX', 'STRING_MAX_BYTES'].join(', ')} } from '${paths.constants}/flows'`,
    `import { flowMillis } from '${paths.flowTimes}'`,
    `import { STRING_OVERRUN, copyString } from '${paths.strings}'`,
    `import { copyWords, putAddr, putMillis, putSeconds, putU32, putU64 } from '${paths.encode}'`,
    '',
    '/** Longest a row can be, separators included. */',
    `export const TSV_ROW_MAX: usize = ${rowMax}`,
    '',
    ...state,
    '',
    '/** Allocate the buffers of the repeated runs. Call once. */',
    'export function initTsvRow(): void {',
    ...init,
    '}',
    '',
    '/** Forget the repeated runs (the string ids they show may change meaning). */',
    'export function resetTsvRow(): void {',
    ...reset,
    '}',
    '',
    ...helpers,
    '/** Write the row of the record at `rec` to `p`; returns its end. May write STRING_OVERRUN bytes past it. */',
    'export function formatTsvRow(rec: usize, p: usize): usize {',
    '  const received = load<u64>(rec + F_TIME_RECEIVED)',
    ...body,
    '  return p',
    '}',
    '',
  ].join('\n')
}

export { WIDTH }
