#!/usr/bin/env node
// @ts-check
// Generates the mirrors of the contract (contract/flows.json, contract/abi.json): the
// AssemblyScript constants in assembly/generated/, the row writers in
// assembly/rows/*.generated.ts, the TypeScript constants in src/generated/. Run by `npm run build` before asc and tsc; the generated
// files are not committed. Stops (exit 1) with one line per problem when the contract
// does not hold together, when a column has no migration in schema/ or when no decoder
// fills a column's field.
//
//   node contract/generator/main.mjs [--root DIR] [--schema DIR]
//   (defaults: this package, ../schema beside it)
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { assemblyMirror } from './assembly.mjs'
import { checkContract } from './checks.mjs'
import { ContractError, loadContract } from './model.mjs'
import { rowBinaryWriter } from './row-binary.mjs'
import { tsvWriter } from './tsv.mjs'
import { typescriptMirror } from './typescript.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const { values } = parseArgs({ options: { root: { type: 'string' }, schema: { type: 'string' } } })
const root = resolve(values.root ?? join(here, '..', '..'))
const schemaDir = resolve(values.schema ?? join(root, '..', 'schema'))

/**
 * The row writers live beside the hand-written encoders they call (assembly/rows/, as
 * *.generated.ts); the constants in assembly/generated/, which imports nothing.
 */
const ROWS = 'rows'
const PATHS = {
  constants: '../generated',
  strings: './strings',
  flowTimes: './flow-times',
  encode: './tsv-encode',
}

/** Write `text` unless the file already holds it (keeps asc and tsc incremental). @param {string} path @param {string} text */
function put(path, text) {
  let old = ''
  try {
    old = readFileSync(path, 'utf8')
  } catch {
    // new file
  }
  if (old !== text) writeFileSync(path, text)
}

try {
  const contract = loadContract(join(root, 'contract'))
  const assemblyDir = join(root, 'assembly')
  const generatedDir = join(assemblyDir, 'generated')
  const problems = checkContract(contract, { schemaDir, assemblyDir, generatedDir })
  if (problems.length > 0) {
    for (const p of problems) console.error(`contract: ${p}`)
    console.error(`contract: ${problems.length} problem(s); nothing generated`)
    process.exit(1)
  }
  const asm = assemblyMirror(contract)
  const rowsDir = join(assemblyDir, ROWS)
  put(join(rowsDir, 'row-binary.generated.ts'), rowBinaryWriter(contract, PATHS))
  put(join(rowsDir, 'tsv-row.generated.ts'), tsvWriter(contract, PATHS))
  mkdirSync(generatedDir, { recursive: true })
  for (const name of readdirSync(generatedDir))
    if (!(name in asm)) rmSync(join(generatedDir, name), { recursive: true, force: true })
  for (const [name, text] of Object.entries(asm)) put(join(generatedDir, name), text)
  const srcDir = join(root, 'src', 'generated')
  mkdirSync(srcDir, { recursive: true })
  put(join(srcDir, 'contract.ts'), typescriptMirror(contract))
  console.log(
    `contract: ${contract.columns.length} flows columns, record v${contract.record.version} (${contract.record.size} bytes), hash 0x${contract.hash.toString(16)}`,
  )
} catch (err) {
  if (!(err instanceof ContractError)) throw err
  console.error(`contract: ${err.message}`)
  process.exit(1)
}
