// Structured enrichment settings: YAML lists and maps, environment JSON or comma lists,
// and messages that name the path.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSection, type LoadInput } from '../../../dist/config/index.js'
import { ENRICH, type EnrichConfig } from '../../../dist/enrich/config.js'

/** The enrich section alone, where the whole configuration holds it. */
const loadConfig = (input: LoadInput): { enrich: EnrichConfig } => ({
  enrich: loadSection(ENRICH, input),
})

function yamlFile(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'fl-enrich-cfg-')), 'flowloft.yaml')
  writeFileSync(p, text)
  return p
}

void test('prefixes, aliases and interface maps from YAML', () => {
  const file = yamlFile(`enrich:
  local_prefixes: [192.168.0.0/16, "2001:db8::/32"]
  host_aliases:
    192.168.1.10: nas
    "::ffff:10.0.0.1": router
  interfaces:
    10.0.0.1: { 1: wan, 2: lan }
`)
  const c = loadConfig({ file, env: {}, flags: new Map() })
  assert.deepEqual(c.enrich.localPrefixes, ['192.168.0.0/16', '2001:db8::/32'])
  assert.deepEqual(c.enrich.hostAliases, { '192.168.1.10': 'nas', '10.0.0.1': 'router' })
  assert.deepEqual(c.enrich.interfaces, { '10.0.0.1': { '1': 'wan', '2': 'lan' } })
})

void test('environment: comma list or JSON', () => {
  const c = loadConfig({
    file: undefined,
    flags: new Map(),
    env: {
      FLOWLOFT_ENRICH_LOCAL_PREFIXES: '10.0.0.0/8, fd00::/8',
      FLOWLOFT_ENRICH_HOST_ALIASES: '{"10.0.0.2":"printer"}',
    },
  })
  assert.deepEqual(c.enrich.localPrefixes, ['10.0.0.0/8', 'fd00::/8'])
  assert.deepEqual(c.enrich.hostAliases, { '10.0.0.2': 'printer' })
})

void test('bad values name the path', () => {
  const load = (text: string) => () =>
    loadConfig({ file: yamlFile(text), env: {}, flags: new Map() })
  assert.throws(
    load('enrich:\n  local_prefixes: [10.0.0.0/8, 10.0.0.0/33]\n'),
    /enrich\.local_prefixes\[1\] is not a CIDR/,
  )
  assert.throws(
    load('enrich:\n  local_prefixes: { a: 1 }\n'),
    /enrich\.local_prefixes must be a list/,
  )
  assert.throws(
    load('enrich:\n  host_aliases: { nas: 10.0.0.1 }\n'),
    /enrich\.host_aliases\.nas is not an IP address/,
  )
  assert.throws(
    load('enrich:\n  interfaces: { 10.0.0.1: { eth0: wan } }\n'),
    /enrich\.interfaces\.10\.0\.0\.1\.eth0 is not an interface index/,
  )
  assert.throws(
    () => loadConfig({ flags: new Map(), env: { FLOWLOFT_ENRICH_HOST_ALIASES: '{bad' } }),
    /FLOWLOFT_ENRICH_HOST_ALIASES.*not valid JSON/,
  )
})

void test('per-exporter prefixes and reverse-DNS settings', () => {
  const file = yamlFile(`enrich:
  exporter_prefixes:
    192.0.2.1: [10.0.0.0/8, "2001:db8:1::/48"]
    "::ffff:192.0.2.2": []
  dns:
    enabled: true
    servers: "127.0.0.1:5353, [::1]:53, 192.0.2.53"
    lookup_remote: true
`)
  const c = loadConfig({ file, env: {}, flags: new Map() })
  assert.deepEqual(c.enrich.exporterPrefixes, {
    '192.0.2.1': ['10.0.0.0/8', '2001:db8:1::/48'],
    '192.0.2.2': [],
  })
  assert.deepEqual(c.enrich.dns.servers, ['127.0.0.1:5353', '[::1]:53', '192.0.2.53'])
  assert.equal(c.enrich.dns.enabled, true)
  assert.equal(c.enrich.dns.lookupLocal, true)
  assert.equal(c.enrich.dns.lookupRemote, true)
  assert.equal(c.enrich.dns.ttlSeconds, 3600)
  const env = loadConfig({
    file: undefined,
    flags: new Map(),
    env: { FLOWLOFT_ENRICH_EXPORTER_PREFIXES: '{"10.9.9.9":["10.9.0.0/16"]}' },
  })
  assert.deepEqual(env.enrich.exporterPrefixes, { '10.9.9.9': ['10.9.0.0/16'] })
  assert.equal(c.enrich.learnPrefixes, true, 'prefix learning is on by default')
  const off = loadConfig({
    file: undefined,
    flags: new Map(),
    env: { FLOWLOFT_ENRICH_LEARN_PREFIXES: 'false' },
  })
  assert.equal(off.enrich.learnPrefixes, false)
  const load = (text: string) => () =>
    loadConfig({ file: yamlFile(text), env: {}, flags: new Map() })
  assert.throws(
    load('enrich:\n  exporter_prefixes: { 192.0.2.1: [10.0.0.0/8, 10.1.0.0/40] }\n'),
    /enrich\.exporter_prefixes\.192\.0\.2\.1\[1\] is not a CIDR, got "10\.1\.0\.0\/40"/,
  )
  assert.throws(
    load('enrich:\n  exporter_prefixes: { edge: [10.0.0.0/8] }\n'),
    /enrich\.exporter_prefixes\.edge is not an IP address/,
  )
  assert.throws(
    load('enrich:\n  dns: { servers: "127.0.0.1:99999" }\n'),
    /enrich\.dns\.servers: "127\.0\.0\.1:99999" is not a DNS server/,
  )
})
