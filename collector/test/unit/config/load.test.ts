// The loader on settings of its own (no component's): precedence of the sources, unknown
// keys, variables and flags refused by name, environment text read as JSON or a comma
// list, each written value parsed once, secrets masked when printed, and the help lines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import {
  ConfigError,
  int,
  listen,
  loadSettings,
  printable,
  section,
  setting,
  settingsHelp,
  text,
  url,
  type LoadInput,
} from '../../../dist/config/index.js'

const dir = mkdtempSync(join(tmpdir(), 'fl-loader-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const yamlFile = (body: string): string => {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(p, body)
  return p
}

const parsed: unknown[] = []
const size = int({ path: 'box.size', default: 3, min: 1, max: 9, help: 'how big' })
const where = listen({ path: 'box.where', default: ':7', help: 'where' })
const key = text({ path: 'box.key', default: '', secret: true, help: 'the key' })
const server = url({ path: 'box.server', default: '', flag: 'server', secret: true, help: 'url' })
const tags = setting({
  path: 'box.tags',
  default: [],
  text: 'list',
  help: 'tags',
  parse(value, at) {
    parsed.push(value)
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw new ConfigError(`${at.path} must be a list of text${at.src}`)
    return value
  },
})
const BOX = section([size, where, key, server, tags], (v) => ({
  size: v.get(size),
  where: v.get(where),
  tags: v.get(tags),
}))
const load = (input: Partial<LoadInput>) =>
  loadSettings(BOX.settings, { flags: new Map(), env: {}, ...input }, { otherEnv: ['FLOWLOFT_X'] })

void test('default < file < environment < flag < set, each value typed', () => {
  assert.deepEqual(BOX.read(load({})), { size: 3, where: { host: '0.0.0.0', port: 7 }, tags: [] })
  const file = yamlFile('box:\n  size: 4\n  where: 127.0.0.1:8\n  tags: [a]\n')
  assert.equal(BOX.read(load({ file })).size, 4)
  const env = { FLOWLOFT_BOX_SIZE: '5', FLOWLOFT_BOX_TAGS: 'b, c', FLOWLOFT_X: 'not mine' }
  assert.deepEqual(BOX.read(load({ file, env })), {
    size: 5,
    where: { host: '127.0.0.1', port: 8 },
    tags: ['b', 'c'],
  })
  const flags = new Map([['box-size', '6']])
  assert.equal(BOX.read(load({ file, env, flags })).size, 6)
  assert.equal(BOX.read(load({ file, env, flags, set: { 'box.size': 7 } })).size, 7)
  assert.deepEqual(BOX.read(load({ env: { FLOWLOFT_BOX_TAGS: '["d"]' } })).tags, ['d'])
  assert.deepEqual(BOX.read(load({ env: { FLOWLOFT_BOX_TAGS: '' } })).tags, [])
})

void test('each written value is parsed once, where it is read', () => {
  parsed.length = 0
  load({ file: yamlFile('box:\n  tags: [y]\n'), env: { FLOWLOFT_BOX_TAGS: 'e' } })
  assert.deepEqual(parsed, [[], ['y'], ['e']])
})

void test('unknown keys, variables, flags and bad values are refused by name', () => {
  const refused = (input: Partial<LoadInput>, message: RegExp): void =>
    assert.throws(
      () => load(input),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
    )
  refused({ file: yamlFile('box:\n  sise: 1\n') }, /: unknown key box\.sise$/)
  refused({ file: yamlFile('box: 1\n') }, /: unknown key box$/)
  refused({ env: { FLOWLOFT_BOX_SISE: '1' } }, /^unknown environment variable FLOWLOFT_BOX_SISE$/)
  refused({ flags: new Map([['box-sise', '1']]) }, /^unknown flag --box-sise$/)
  refused({ set: { 'box.sise': 1 } }, /^unknown setting box\.sise$/)
  refused(
    { env: { FLOWLOFT_BOX_SIZE: '10' } },
    /^box\.size \(--box-size, FLOWLOFT_BOX_SIZE\) from environment FLOWLOFT_BOX_SIZE must be 1\.\.9, got 10$/,
  )
  refused({ flags: new Map([['server', 'ftp://x']]) }, /from flag --server must use http:\/\//)
  refused({ env: { FLOWLOFT_BOX_TAGS: '[1' } }, /FLOWLOFT_BOX_TAGS is not valid JSON/)
  refused(
    { file: yamlFile('box:\n  tags: [1]\n') },
    /^box\.tags must be a list of text \(from .*\.yaml\)$/,
  )
})

void test('secrets are masked when printed, URLs but for their password', () => {
  const values = load({
    env: { FLOWLOFT_BOX_KEY: 'http://k:v@x/', FLOWLOFT_BOX_SERVER: 'http://u:pw@h:8123/db' },
  })
  assert.equal(
    printable(values),
    [
      'box.size: 3',
      'box.where: "0.0.0.0:7"',
      'box.key: "***"',
      'box.server: "http://u:***@h:8123/db"',
      'box.tags: []',
    ].join('\n'),
  )
  assert.match(printable(load({})), /box\.key: ""\nbox\.server: ""/)
})

void test('help lists every setting with its flag, variable and default', () => {
  assert.equal(
    settingsHelp([size, server]),
    'settings (YAML path / flag / environment variable):\n' +
      '  box.size  --box-size  FLOWLOFT_BOX_SIZE\n      how big (default 3)\n' +
      '  box.server  --server  FLOWLOFT_BOX_SERVER\n      url (default "")\n',
  )
})

void test('a setting read from a load that did not take it is an error', () => {
  const other = int({ path: 'box.other', default: 1, help: 'not in BOX' })
  assert.throws(() => load({}).get(other), /box\.other is not part of this load/)
})
