// anonymise.* settings and the key: the mode, a bad key named, the key file made once
// with mode 0600 and read back, a bad key file named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSection, loadSettings, printable } from '../../../dist/config/index.js'
import { ANONYMISE, loadAnonymiseKey } from '../../../dist/anonymise/index.js'

const load = (set: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  loadSection(ANONYMISE, { flags: new Map(), env, set })
const dir = (): string => mkdtempSync(join(tmpdir(), 'fl-anon-'))
const KEY = 'ab'.repeat(32)

void test('off by default; each mode and a key are taken', () => {
  assert.deepEqual(load({}), { addresses: 'none', key: '', keyFile: '', clearDays: 0 })
  for (const m of ['local', 'remote', 'both'])
    assert.equal(load({ 'anonymise.addresses': m }).addresses, m)
  assert.equal(load({}, { FLOWLOFT_ANONYMISE_KEY: KEY.toUpperCase() }).key, KEY.toUpperCase())
})

void test('a bad mode or key is refused, naming the setting', () => {
  assert.throws(
    () => load({ 'anonymise.addresses': 'some' }),
    /anonymise\.addresses.*none, local, remote, both/,
  )
  assert.throws(() => load({ 'anonymise.key': 'abc' }), /anonymise\.key .*64 hex digits/)
  assert.throws(() => load({ 'anonymise.key': 'zz'.repeat(32) }), /anonymise\.key .*64 hex digits/)
})

void test('anonymise.clear_days: whole days from 0, a bad value named', () => {
  assert.equal(load({ 'anonymise.clear_days': 7 }).clearDays, 7)
  assert.equal(load({}, { FLOWLOFT_ANONYMISE_CLEAR_DAYS: '3' }).clearDays, 3)
  assert.throws(
    () => load({ 'anonymise.clear_days': -1 }),
    /anonymise\.clear_days .*must be 0\.\.3650, got -1/,
  )
  assert.throws(
    () => load({ 'anonymise.clear_days': 'week' }),
    /anonymise\.clear_days .*must be a whole number/,
  )
  assert.throws(
    () => load({ 'anonymise.clear_days': 1.5 }),
    /anonymise\.clear_days .*must be a whole number/,
  )
})

void test('the key file is made on first use with mode 0600, then read back the same', () => {
  const d = dir()
  const cfg = load({ 'anonymise.addresses': 'both' })
  const first = loadAnonymiseKey(cfg, d)
  assert.equal(first.created, true)
  assert.equal(first.source, join(d, 'anonymise.key'))
  assert.match(first.hex, /^[0-9a-f]{64}$/)
  assert.equal(statSync(first.source).mode & 0o777, 0o600)
  assert.equal(readFileSync(first.source, 'utf8').trim(), first.hex)
  const again = loadAnonymiseKey(cfg, d)
  assert.deepEqual(again, { ...first, created: false })
  // Another data_dir: another key.
  assert.notEqual(loadAnonymiseKey(cfg, dir()).hex, first.hex)
})

void test('a configured key wins over the file; a bad key file is named', () => {
  const d = dir()
  const given = loadAnonymiseKey(load({ 'anonymise.key': KEY }), d)
  assert.deepEqual(given, { hex: KEY, source: 'anonymise.key', created: false })
  const f = join(d, 'my.key')
  writeFileSync(f, 'not a key\n')
  assert.throws(
    () => loadAnonymiseKey(load({ 'anonymise.key_file': f }), d),
    (e: Error) =>
      e.name === 'ConfigError' && /anonymise\.key_file: .*my\.key must hold 64 hex/.test(e.message),
  )
})

void test('flowloft config prints the key masked', () => {
  const values = loadSettings(ANONYMISE.settings, {
    flags: new Map(),
    env: {},
    set: { 'anonymise.key': KEY },
  })
  const text = printable(values)
  assert.match(text, /anonymise\.key: "\*\*\*"/)
  assert.ok(!text.includes(KEY))
})
