// The enrich.snmp settings: both entry forms, the environment's comma list, messages that
// name the entry, and communities masked when the configuration is printed.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  loadSettings,
  printable,
  type LoadInput,
  type Values,
} from '../../../../dist/config/index.js'
import { SNMP, type SnmpConfig } from '../../../../dist/enrich/snmp/config.js'

/** The enrich.snmp section alone, where the whole configuration holds it. */
const loadSnmp = (input: LoadInput): Values => loadSettings(SNMP.settings, input)
const loadConfig = (input: LoadInput): { enrich: { snmp: SnmpConfig } } => ({
  enrich: { snmp: SNMP.read(loadSnmp(input)) },
})

const dir = mkdtempSync(join(tmpdir(), 'fl-snmp-cfg-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function yamlFile(text: string): string {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(p, text)
  return p
}

const YAML = `
enrich:
  snmp:
    community: shared-s3cret
    interval_seconds: 300
    exporters:
      - 192.0.2.1
      - exporter: 2001:db8::1
        agent: "[2001:db8::100]:1161"
        community: own-s3cret
      - exporter: 192.0.2.3
        agent: switch-3.example.net
`

void test('addresses and mappings; the agent defaults to the exporter and enrich.snmp.port', () => {
  const c = loadConfig({ file: yamlFile(YAML), env: {}, flags: new Map() })
  assert.equal(c.enrich.snmp.community, 'shared-s3cret')
  assert.equal(c.enrich.snmp.intervalSeconds, 300)
  assert.equal(c.enrich.snmp.port, 161)
  assert.deepEqual(c.enrich.snmp.exporters, [
    { exporter: '192.0.2.1', host: '192.0.2.1', port: 0, community: null },
    {
      exporter: '2001:db8:0:0:0:0:0:1',
      host: '2001:db8::100',
      port: 1161,
      community: 'own-s3cret',
    },
    { exporter: '192.0.2.3', host: 'switch-3.example.net', port: 0, community: null },
  ])
  const env = loadConfig({
    env: { FLOWLOFT_ENRICH_SNMP_EXPORTERS: '192.0.2.8, 192.0.2.9' },
    flags: new Map(),
  })
  assert.deepEqual(
    env.enrich.snmp.exporters.map((e) => e.host),
    ['192.0.2.8', '192.0.2.9'],
  )
})

void test('communities are masked in the printed configuration', () => {
  const values = loadSnmp({ file: yamlFile(YAML), env: {}, flags: new Map() })
  const text = printable(values)
  assert.ok(!text.includes('s3cret'), text)
  assert.match(text, /enrich\.snmp\.community: "\*\*\*"/)
  assert.match(
    text,
    /"exporter":"2001:db8:0:0:0:0:0:1","agent":"\[2001:db8::100\]:1161","community":"\*\*\*"/,
  )
  // Masking is for printing only.
  assert.equal(SNMP.read(values).exporters[1]?.community, 'own-s3cret')
})

void test('bad entries are refused with the entry named, never the community', () => {
  const load = (list: string) =>
    loadConfig({
      file: yamlFile(`enrich:\n  snmp:\n    exporters: ${list}\n`),
      env: {},
      flags: new Map(),
    })
  assert.throws(() => load('["not-an-ip"]'), {
    message: /enrich\.snmp\.exporters\[0\]\.exporter must be an IP address/,
  })
  assert.throws(() => load('[{exporter: 192.0.2.1, agent: "192.0.2.2:99999"}]'), {
    message: /enrich\.snmp\.exporters\[0\]\.agent port must be 1\.\.65535/,
  })
  assert.throws(() => load('[{exporter: 192.0.2.1, comunity: x-s3cret}]'), {
    message: /exporters\[0\]: unknown key comunity/,
  })
  assert.throws(() => load('[192.0.2.1, 192.0.2.1]'), {
    message: /\[1\]: exporter 192\.0\.2\.1 is listed twice/,
  })
  assert.throws(() => load('[{exporter: 192.0.2.1, community: ""}]'), {
    message: /\[0\]\.community must be a non-empty string/,
  })
  assert.throws(() => load('{a: 1}'), { message: /enrich\.snmp\.exporters must be a list/ })
  assert.throws(
    () => load('[{exporter: 192.0.2.1, agent: "bad host!", community: x-s3cret}]'),
    (e: unknown) =>
      e instanceof Error && /agent host must be/.test(e.message) && !e.message.includes('s3cret'),
  )
})
