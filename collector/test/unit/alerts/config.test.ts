// The `alerts` section: its defaults, YAML and environment forms, and refusals that name
// the key and the rule.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../dist/settings.js'
import { guideBlock } from '../../support/guide-blocks.js'

const load = (set: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) =>
  loadConfig({ flags: new Map(), env, set }).alerts

void test('defaults: off, a week of learning, exporters silent after 15 minutes', () => {
  assert.deepEqual(load(), {
    enabled: false,
    schedule: '* * * * *',
    learningDays: 7,
    allowCountries: [],
    allowAsns: [],
    deviceBytesPerHour: 0,
    unusualFactor: 0,
    unusualMinBytes: 100_000_000,
    exporterSilenceMinutes: 15,
    webhook: { url: '', format: 'json', token: '', retries: 3 },
    maxPerHour: 30,
  })
})

void test('a YAML file and the environment set the allow-lists and the webhook', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-alerts-cfg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'flowloft.yaml')
  writeFileSync(
    file,
    [
      'alerts:',
      '  enabled: true',
      '  learning_days: 3',
      '  allow_countries: [de, NL]',
      '  allow_asns: [64500]',
      '  device_bytes_per_hour: 2000000000',
      '  webhook_url: https://ntfy.example/home',
      '  webhook_format: ntfy',
      '',
    ].join('\n'),
  )
  const c = loadConfig({
    file,
    flags: new Map(),
    env: { FLOWLOFT_ALERTS_ALLOW_ASNS: '64501, 64502', FLOWLOFT_ALERTS_WEBHOOK_TOKEN: 'tk' },
  }).alerts
  assert.equal(c.enabled, true)
  assert.equal(c.learningDays, 3)
  assert.deepEqual(c.allowCountries, ['DE', 'NL'])
  assert.deepEqual(c.allowAsns, [64501, 64502], 'the environment wins over the file')
  assert.equal(c.deviceBytesPerHour, 2_000_000_000)
  assert.deepEqual(c.webhook, {
    url: 'https://ntfy.example/home',
    format: 'ntfy',
    token: 'tk',
    retries: 3,
  })
  assert.deepEqual(load({}, { FLOWLOFT_ALERTS_ALLOW_COUNTRIES: 'us, ca' }).allowCountries, [
    'US',
    'CA',
  ])
})

void test('a bad key or value is refused, naming the key and the rule', (t) => {
  const refusals: [Record<string, unknown>, RegExp][] = [
    [{ 'alerts.learning_days': -1 }, /alerts\.learning_days .* must be 0\.\.365, got -1/],
    [{ 'alerts.learning_days': 'week' }, /alerts\.learning_days .* must be a whole number/],
    [
      { 'alerts.allow_countries': ['DE', 'USA'] },
      /alerts\.allow_countries\[1\] must be a two-letter country code, got "USA"/,
    ],
    [
      { 'alerts.allow_countries': 7 },
      /alerts\.allow_countries must be a list of two-letter country codes/,
    ],
    [
      { 'alerts.allow_asns': [0] },
      /alerts\.allow_asns\[0\] must be a whole number 1\.\.4294967295/,
    ],
    [
      { 'alerts.device_bytes_per_hour': 1.5 },
      /alerts\.device_bytes_per_hour .* must be a whole number/,
    ],
    [{ 'alerts.unusual_factor': 1001 }, /alerts\.unusual_factor .* must be 0\.\.1000, got 1001/],
    [
      { 'alerts.exporter_silence_minutes': 20000 },
      /alerts\.exporter_silence_minutes .* must be 0\.\.10080/,
    ],
    [
      { 'alerts.webhook_url': 'ftp://example/x' },
      /alerts\.webhook_url .* must use http:\/\/ or https:\/\//,
    ],
    [
      { 'alerts.webhook_format': 'slack' },
      /alerts\.webhook_format .* must be one of json, ntfy, gotify, got "slack"/,
    ],
    [{ 'alerts.webhook_retries': 11 }, /alerts\.webhook_retries .* must be 0\.\.10/],
    [{ 'alerts.max_per_hour': 0 }, /alerts\.max_per_hour .* must be 1\.\.10000/],
    [
      { 'alerts.check_schedule': 'every minute' },
      /alerts\.check_schedule .* must be a cron expression, got "every minute"/,
    ],
  ]
  for (const [set, message] of refusals)
    assert.throws(() => load(set), { name: 'ConfigError', message }, JSON.stringify(set))
  const dir = mkdtempSync(join(tmpdir(), 'fl-alerts-cfg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'flowloft.yaml')
  writeFileSync(file, 'alerts:\n  webhook: https://example/\n')
  assert.throws(() => loadConfig({ file, flags: new Map(), env: {} }), {
    name: 'ConfigError',
    message: /unknown key alerts\.webhook\b/,
  })
})

void test("docs/alerts.md's worked example loads as written", (t) => {
  const docs = new URL('../../../../docs/alerts.md', import.meta.url).pathname
  const dir = mkdtempSync(join(tmpdir(), 'fl-alerts-cfg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'flowloft.yaml')
  writeFileSync(file, guideBlock('alerts-example', docs))
  const c = loadConfig({ file, flags: new Map(), env: {} }).alerts
  assert.equal(c.enabled, true)
  assert.deepEqual(c.allowCountries, ['DE', 'NL'])
  assert.deepEqual(c.allowAsns, [13335, 15169])
  assert.equal(c.deviceBytesPerHour, 5_000_000_000)
  assert.equal(c.unusualFactor, 5)
  assert.equal(c.webhook.format, 'ntfy')
})
