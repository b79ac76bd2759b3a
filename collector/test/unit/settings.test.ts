import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../dist/config/index.js'
import { HOME_PREFIXES } from '../../dist/enrich/config.js'
import { loadConfig } from '../../dist/settings.js'

function yamlFile(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'fl-cfg-')), 'flowloft.yaml')
  writeFileSync(p, text)
  return p
}

void test('defaults: embedded engine, standard ports', () => {
  const c = loadConfig({ flags: new Map(), env: {} })
  assert.equal(c.dataDir, './data')
  assert.equal(c.clickhouse.url, '')
  assert.deepEqual(c.listen.netflow, { host: '0.0.0.0', port: 2055 })
  assert.deepEqual(c.listen.ipfix, { host: '0.0.0.0', port: 4739 })
  assert.deepEqual(c.listen.sflow, { host: '0.0.0.0', port: 6343 })
  assert.deepEqual(c.http.listen, { host: '0.0.0.0', port: 8080 })
})

void test('file < environment < flag', () => {
  const file = yamlFile(
    'data_dir: /from/file\nlisten:\n  netflow: 127.0.0.1:9995\nwriter:\n  batch_rows: 10\n',
  )
  const env = { FLOWLOFT_DATA_DIR: '/from/env', FLOWLOFT_WRITER_BATCH_ROWS: '20' }
  const c = loadConfig({ file, env, flags: new Map([['data-dir', '/from/flag']]) })
  assert.equal(c.dataDir, '/from/flag')
  assert.equal(c.writer.batchRows, 20)
  assert.deepEqual(c.listen.netflow, { host: '127.0.0.1', port: 9995 })
})

void test('listen addresses: schemes, bare ports, IPv6, empty disables', () => {
  const flags = new Map([
    ['listen-netflow', 'netflow://:2056'],
    ['listen-sflow', '[::]:6343'],
    ['listen-ipfix', ''],
  ])
  const c = loadConfig({ flags, env: {} })
  assert.deepEqual(c.listen.netflow, { host: '0.0.0.0', port: 2056 })
  assert.deepEqual(c.listen.sflow, { host: '::', port: 6343 })
  assert.equal(c.listen.ipfix, null)
})

void test('errors name the key and the rule', () => {
  assert.throws(
    () => loadConfig({ file: yamlFile('listen:\n  netflw: 1\n'), env: {}, flags: new Map() }),
    {
      name: 'ConfigError',
      message: /unknown key listen\.netflw/,
    },
  )
  assert.throws(
    () => loadConfig({ env: { FLOWLOFT_WRITER_BATCH_ROWS: 'many' }, flags: new Map() }),
    {
      message: /writer\.batch_rows .* must be a whole number/,
    },
  )
  assert.throws(() => loadConfig({ env: { FLOWLOFT_NOPE: '1' }, flags: new Map() }), {
    message: /unknown environment variable FLOWLOFT_NOPE/,
  })
  assert.throws(
    () => loadConfig({ flags: new Map([['clickhouse-url', 'ftp://x']]), env: {} }),
    (e: unknown) => e instanceof ConfigError && /must use http:\/\/ or https:\/\//.test(e.message),
  )
})

void test("the appliance's deploy/flowloft.yaml loads as shipped and with its examples uncommented", () => {
  const path = new URL('../../../deploy/flowloft.yaml', import.meta.url).pathname
  const shipped = loadConfig({ file: path, env: {}, flags: new Map() })
  assert.deepEqual(shipped.enrich.localPrefixes, [...HOME_PREFIXES])
  // Every example line (`# key: value`, indented or not) uncommented: still valid, and
  // the values take effect.
  const text = readFileSync(path, 'utf8').replace(/^# ( *[a-z0-9_.]+:)/gm, '$1')
  const dir = mkdtempSync(join(tmpdir(), 'fl-deploy-'))
  try {
    const edited = join(dir, 'flowloft.yaml')
    writeFileSync(edited, text)
    const c = loadConfig({ file: edited, env: {}, flags: new Map() })
    assert.ok(c.enrich.localPrefixes.includes('2001:db8:1200::/48'))
    assert.equal(c.retention.rollup1hDays, 400)
    assert.deepEqual(c.http.allowedHosts, ['flowloft.home.arpa'])
    assert.equal(c.senders.authorizedOnly, true)
    assert.deepEqual(
      c.usage.caps.map((x) => [x.id, x.bytes]),
      [
        ['total', 1e12],
        ['device:nas', 200e9],
      ],
    )
    assert.equal(c.usage.timezone, 'Europe/Berlin')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
