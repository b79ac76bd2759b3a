// @ts-check
// What the generator cannot make itself, checked before it writes anything: every column
// has a migration that creates it with the contract's type, and every record field a
// column reads is filled by some hand-written decoder file. Each failure names the
// column and says what to add.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ContractError } from './model.mjs'
import { upperSnake } from './names.mjs'

/** @typedef {import('./model.mjs').Contract} Contract */

/** Strip SQL comments. @param {string} sql */
function stripComments(sql) {
  return sql.replace(/--[^\n]*/g, '')
}

/** Split at top-level commas (not inside parentheses or quotes). @param {string} s */
function splitTop(s) {
  const out = []
  let depth = 0
  let quote = false
  let cur = ''
  for (const ch of s) {
    if (ch === "'") quote = !quote
    if (!quote && ch === '(') depth++
    if (!quote && ch === ')') depth--
    if (!quote && depth === 0 && ch === ',') {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  if (cur.trim()) out.push(cur)
  return out
}

const TYPE_END = /\s+(CODEC|DEFAULT|MATERIALIZED|ALIAS|EPHEMERAL|TTL|COMMENT)\b/i

/** `name Type [CODEC ...]` -> [name, type, has a default expression]. @param {string} def @returns {[string, string, boolean]} */
function columnDef(def) {
  const m = /^\s*`?([A-Za-z_][A-Za-z0-9_]*)`?\s+([\s\S]*)$/.exec(def)
  if (!m) return ['', '', false]
  const rest = /** @type {string} */ (m[2])
  const end = rest.search(TYPE_END)
  const type = (end < 0 ? rest : rest.slice(0, end)).replace(/\s+/g, ' ').trim()
  return [/** @type {string} */ (m[1]), type, /\b(DEFAULT|MATERIALIZED|ALIAS)\b/i.test(rest)]
}

/**
 * The flows table's columns after every migration in `schemaDir`, in file order:
 * CREATE TABLE, then ALTER TABLE ... ADD / DROP / MODIFY COLUMN.
 * @param {string} schemaDir @param {string} table
 * @returns {Map<string, { type: string, defaulted: boolean, file: string }>}
 */
export function migratedColumns(schemaDir, table) {
  /** @type {Map<string, { type: string, defaulted: boolean, file: string }>} */
  const cols = new Map()
  /** @type {string[]} */
  let names
  try {
    names = readdirSync(schemaDir)
  } catch (err) {
    throw new ContractError(
      `${schemaDir}: the migrations are needed to check the flows columns (${String(err)})`,
    )
  }
  const files = names.filter((f) => /^\d+_.*\.sql$/.test(f)).sort()
  const name = table.replace('.', '\\.')
  for (const file of files) {
    const sql = stripComments(readFileSync(join(schemaDir, file), 'utf8'))
    for (const stmt of sql.split(';')) {
      const create = new RegExp(
        `^\\s*CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?${name}\\s*\\(`,
        'i',
      ).exec(stmt)
      if (create) {
        let depth = 1
        let i = create[0].length
        for (; i < stmt.length && depth > 0; i++) {
          if (stmt[i] === '(') depth++
          if (stmt[i] === ')') depth--
        }
        for (const def of splitTop(stmt.slice(create[0].length, i - 1))) {
          const [col, type, defaulted] = columnDef(def)
          if (col && !/^(INDEX|PROJECTION|CONSTRAINT)$/i.test(col))
            cols.set(col, { type, defaulted, file })
        }
        continue
      }
      const alter = new RegExp(`^\\s*ALTER\\s+TABLE\\s+${name}\\s+([\\s\\S]*)$`, 'i').exec(stmt)
      if (!alter) continue
      for (const action of splitTop(/** @type {string} */ (alter[1]))) {
        const add = /^\s*(ADD|MODIFY)\s+COLUMN\s+(IF\s+(NOT\s+)?EXISTS\s+)?([\s\S]*)$/i.exec(action)
        const drop = /^\s*DROP\s+COLUMN\s+(IF\s+EXISTS\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?/i.exec(
          action,
        )
        if (add) {
          const [col, type, defaulted] = columnDef(
            /** @type {string} */ (add[4]).replace(/\s+(AFTER\s+\S+|FIRST)\s*$/i, ''),
          )
          if (col) cols.set(col, { type, defaulted, file })
        } else if (drop) cols.delete(/** @type {string} */ (drop[2]))
      }
    }
  }
  return cols
}

/** The hand-written .ts files under `dir`: not in `skip`, not *.generated.ts. @param {string} dir @param {string} skip @returns {string[]} */
function sources(dir, skip) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    if (p === skip) return []
    if (statSync(p).isDirectory()) return sources(p, skip)
    return p.endsWith('.ts') && !p.endsWith('.generated.ts') ? [p] : []
  })
}

/**
 * Problems that stop the build, each naming a column.
 * @param {Contract} c @param {{ schemaDir: string, assemblyDir: string, generatedDir: string }} o
 * @returns {string[]}
 */
export function checkContract(c, o) {
  const problems = []
  const migrated = migratedColumns(o.schemaDir, 'flowloft.flows')
  const schema = relative(process.cwd(), o.schemaDir) || '.'
  for (const col of c.columns) {
    const m = migrated.get(col.name)
    if (!m)
      problems.push(
        `flows column ${col.name}: no migration in ${schema}/ creates it; add one: ALTER TABLE flowloft.flows ADD COLUMN IF NOT EXISTS ${col.name} ${col.type}`,
      )
    else if (m.type.replace(/\s/g, '') !== col.type.replace(/\s/g, ''))
      problems.push(
        `flows column ${col.name}: the contract says ${col.type}, ${m.file} makes it ${m.type}`,
      )
  }
  for (const [name, m] of migrated)
    if (!m.defaulted && !c.columns.some((col) => col.name === name))
      problems.push(
        `flows column ${name} (${m.file}): not in contract/flows.json columns, and it has no default; declare it there`,
      )

  const text = sources(o.assemblyDir, o.generatedDir)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n')
  for (const col of c.columns) {
    const id = `${c.strings.includes(col.field) ? 'S_' : 'F_'}${upperSnake(col.field.name)}`
    if (!new RegExp(`\\b${id}\\b`).test(text))
      problems.push(
        `flows column ${col.name}: no decoder fills it: nothing in ${relative(process.cwd(), o.assemblyDir) || '.'}/ (outside the generated files) writes ${id}; store the value in the decoders that carry it`,
      )
  }
  return problems
}
