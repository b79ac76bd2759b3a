// The package holds product only: its dist/ (what the collector and the image load) has
// no tests, fixtures or test builders, src/ imports nothing of testing/, and the main
// entry exports none of the builders the ./testing entry does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as product from '@flowloft/decoder-wasm'
import * as testing from '@flowloft/decoder-wasm/testing'

const pkg = fileURLToPath(new URL('../..', import.meta.url))

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : [p]
  })
}

void test('dist/ holds no test, fixture or test-builder files', () => {
  const found = files(join(pkg, 'dist'))
    .map((f) => relative(pkg, f))
    .filter((f) => /test|fixture|builder|oracle|harness|mutate|golden|\.pcap$/.test(f))
  assert.deepEqual(found, [])
})

void test('src/ imports nothing from testing/', () => {
  const found = files(join(pkg, 'src'))
    .filter((f) => f.endsWith('.ts') && /from '[^']*testing[^']*'/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(pkg, f))
  assert.deepEqual(found, [])
})

void test('the main entry exports none of the test builders', () => {
  const builders = Object.keys(testing)
  assert.ok(builders.includes('writePcap') && builders.includes('syntheticTraffic'))
  assert.deepEqual(
    Object.keys(product).filter((name) => builders.includes(name)),
    [],
  )
})
