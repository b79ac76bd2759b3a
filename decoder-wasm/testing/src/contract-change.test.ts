// Changing the contract: a column added to contract/flows.json stops the build (the
// generator, which `npm run build` runs first) until a migration creates it and a decoder
// fills its record field; then the generated row writers carry it and the module
// compiles. Done for real on a copy of this package and of schema/.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = fileURLToPath(new URL('../..', import.meta.url))
const schema = join(pkg, '..', 'schema')
const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js')

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

/** The .ts files under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
}

void test('a column added to the contract fails the build until a migration creates it and a decoder fills it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-contract-'))
  try {
    const root = join(dir, 'decoder-wasm')
    for (const d of ['contract', 'assembly'])
      cpSync(join(pkg, d), join(root, d), { recursive: true })
    rmSync(join(root, 'assembly', 'generated'), { recursive: true, force: true })
    for (const f of sources(join(root, 'assembly'))) if (f.endsWith('.generated.ts')) rmSync(f)
    cpSync(schema, join(dir, 'schema'), { recursive: true })
    const generate = () =>
      run(process.execPath, [join(root, 'contract', 'generator', 'main.mjs'), '--root', root])

    // The unchanged copy generates.
    assert.equal(generate().status, 0)

    // 1. The contract alone: a new record field in the reserved bytes and a column reading it.
    const contractPath = join(root, 'contract', 'flows.json')
    const contract = JSON.parse(readFileSync(contractPath, 'utf8')) as {
      record: { fields: { name: string; offset: number; type: string }[] }
      columns: { list: { name: string; type: string; field: string }[] }
    }
    contract.record.fields.push({ name: 'dummyCounter', offset: 252, type: 'u32' })
    contract.columns.list.push({ name: 'dummy_counter', type: 'UInt32', field: 'dummyCounter' })
    writeFileSync(contractPath, JSON.stringify(contract, null, 2))
    let r = generate()
    assert.equal(r.status, 1, r.out)
    assert.match(r.out, /flows column dummy_counter: no migration in .*schema\/ creates it/)
    assert.match(r.out, /flows column dummy_counter: no decoder fills it/)

    // 2. Plus the migration: still no decoder fills it.
    writeFileSync(
      join(dir, 'schema', '9999_dummy_counter.sql'),
      'ALTER TABLE flowloft.flows ADD COLUMN IF NOT EXISTS dummy_counter UInt32;\n',
    )
    r = generate()
    assert.equal(r.status, 1, r.out)
    assert.doesNotMatch(r.out, /no migration/)
    assert.match(r.out, /flows column dummy_counter: no decoder fills it/)

    // 3. Plus the fill, where every record of a datagram gets its shared fields.
    const file = sources(join(root, 'assembly')).find((f) =>
      readFileSync(f, 'utf8').includes('export function fillCommon('),
    )
    assert.ok(file, 'the decoder file with fillCommon')
    const record = relative(dirname(file), join(root, 'assembly', 'generated', 'record'))
    const text = readFileSync(file, 'utf8').replace(
      /(export function fillCommon\([^)]*\): void \{\n)/,
      '$1  store<u32>(rec + F_DUMMY_COUNTER, 7)\n',
    )
    writeFileSync(
      file,
      `import { F_DUMMY_COUNTER } from '${record.startsWith('.') ? record : `./${record}`}'\n${text}`,
    )
    r = generate()
    assert.equal(r.status, 0, r.out)
    const writers = sources(join(root, 'assembly')).filter((f) => f.endsWith('.generated.ts'))
    assert.equal(writers.length, 2, 'the RowBinary and the TSV writer')
    for (const writer of writers)
      assert.match(readFileSync(writer, 'utf8'), /\/\/ dummy_counter\n.*F_DUMMY_COUNTER/, writer)
    const built = run(process.execPath, [
      asc,
      join(root, 'assembly', 'index.ts'),
      '-o',
      join(dir, 'decoder.wasm'),
      '--runtime',
      'stub',
      '--noAssert',
    ])
    assert.equal(built.status, 0, built.out)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
