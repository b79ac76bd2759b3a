// The `usage` section: the billing cycle, the time zone and the caps, from YAML and the
// environment, and refusals that name the key.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../dist/settings.js'
import { guideBlock } from '../../support/guide-blocks.js'

const load = (set: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}, file?: string) =>
  loadConfig({ flags: new Map(), env, set, ...(file ? { file } : {}) }).usage

void test("defaults: cycles start on the 1st, the system's time zone, no cap", () => {
  const u = load()
  assert.equal(u.cycleStartDay, 1)
  assert.equal(u.timezone, Intl.DateTimeFormat().resolvedOptions().timeZone)
  assert.deepEqual(u.caps, [])
  assert.equal(u.schedule, '*/5 * * * *')
  assert.equal(u.metricsMaxDevices, 50)
})

void test('a YAML file sets the cycle, the total cap, device caps and groups', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-usage-cfg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'flowloft.yaml')
  writeFileSync(
    file,
    [
      'usage:',
      '  cycle_start_day: 15',
      '  timezone: Europe/Berlin',
      '  cap: 1 TB',
      '  device_caps:',
      '    192.168.1.10: 200 GB',
      '    nas: 1.5GiB',
      '  groups:',
      '    kids:',
      '      devices: [192.168.1.20, tablet, "fd00::30"]',
      '      cap: 100000000',
      '',
    ].join('\n'),
  )
  const u = load({}, {}, file)
  assert.equal(u.cycleStartDay, 15)
  assert.equal(u.timezone, 'Europe/Berlin')
  assert.deepEqual(
    u.caps.map((c) => [c.id, c.kind, c.bytes, c.devices.map((d) => d.addr ?? `name ${d.text}`)]),
    [
      ['total', 'total', 1e12, []],
      ['device:192.168.1.10', 'device', 200e9, ['192.168.1.10']],
      ['device:nas', 'device', Math.round(1.5 * 2 ** 30), ['name nas']],
      ['group:kids', 'group', 1e8, ['192.168.1.20', 'name tablet', 'fd00:0:0:0:0:0:0:30']],
    ],
  )
  // The environment takes JSON for the mappings.
  const env = load(
    {},
    {
      FLOWLOFT_USAGE_DEVICE_CAPS: '{"tv": "50 GB"}',
      FLOWLOFT_USAGE_CYCLE_START_DAY: '31',
    },
  )
  assert.deepEqual(
    env.caps.map((c) => [c.id, c.bytes]),
    [['device:tv', 50e9]],
  )
  assert.equal(env.cycleStartDay, 31)
})

void test('bad values and keys are refused by name', (t) => {
  const refused = (set: Record<string, unknown>, message: RegExp): void =>
    assert.throws(() => load(set), message, JSON.stringify(set))
  refused({ 'usage.cycle_start_day': 32 }, /usage\.cycle_start_day .*must be 1\.\.31, got 32/)
  refused({ 'usage.cycle_start_day': 0 }, /usage\.cycle_start_day .*must be 1\.\.31/)
  refused({ 'usage.timezone': 'Mars/Olympus' }, /usage\.timezone .*must be an IANA time zone/)
  refused({ 'usage.cap': 'lots' }, /usage\.cap .*must be a size/)
  refused({ 'usage.cap': '5 GX' }, /usage\.cap .*must be a size/)
  refused({ 'usage.device_caps': { nas: '-5 GB' } }, /usage\.device_caps\.nas must be a size/)
  refused(
    { 'usage.device_caps': { 'my nas': '5 GB' } },
    /usage\.device_caps\.my nas must be an IP address or a device name/,
  )
  refused({ 'usage.device_caps': ['nas'] }, /usage\.device_caps must be a mapping of device: size/)
  refused(
    { 'usage.groups': { kids: { devices: ['tablet'], caps: '5 GB' } } },
    /usage\.groups\.kids\.caps is not a key of a group \(devices, cap\)/,
  )
  refused(
    { 'usage.groups': { kids: { devices: ['tablet'] } } },
    /usage\.groups\.kids\.cap is missing/,
  )
  refused(
    { 'usage.groups': { kids: { devices: [], cap: '5 GB' } } },
    /usage\.groups\.kids\.devices must be a list of 1\.\.256/,
  )
  refused(
    { 'usage.groups': { kids: { devices: ['tablet', ''], cap: '5 GB' } } },
    /usage\.groups\.kids\.devices\[1\] must be an IP address or a device name/,
  )
  refused(
    { 'usage.groups': { 'a b': { devices: ['tablet'], cap: '5 GB' } } },
    /usage\.groups\.a b: a group name is letters/,
  )
  refused({ 'usage.check_schedule': 'often' }, /usage\.check_schedule .*must be a cron expression/)
  // A key the section does not have, in a file.
  const dir = mkdtempSync(join(tmpdir(), 'fl-usage-bad-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'flowloft.yaml')
  writeFileSync(file, 'usage:\n  caps:\n    nas: 5 GB\n')
  assert.throws(() => load({}, {}, file), /unknown key usage\.caps/)
  assert.throws(
    () => load({}, { FLOWLOFT_USAGE_CAPS: 'x' }),
    /unknown environment variable FLOWLOFT_USAGE_CAPS/,
  )
})

void test("docs/usage.md's worked example loads as written", (t) => {
  const docs = new URL('../../../../docs/usage.md', import.meta.url).pathname
  const dir = mkdtempSync(join(tmpdir(), 'fl-usage-doc-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'flowloft.yaml')
  writeFileSync(file, guideBlock('usage-example', docs))
  const c = loadConfig({ file, flags: new Map(), env: {} })
  assert.equal(c.usage.cycleStartDay, 15)
  assert.equal(c.usage.timezone, 'Europe/Berlin')
  assert.deepEqual(
    c.usage.caps.map((x) => [x.id, x.bytes, x.devices.map((d) => d.text)]),
    [
      ['total', 1e12, []],
      ['device:nas', 200e9, ['nas']],
      ['device:192.168.1.50', 50e9, ['192.168.1.50']],
      ['group:kids', 100e9, ['192.168.1.20', 'kids-tablet', 'fd00::30']],
    ],
  )
  assert.equal(c.alerts.enabled, true)
})
