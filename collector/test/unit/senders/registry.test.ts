// The sender registry: canonical addresses and prefixes, every change saved atomically
// and read back by a new registry (a restart), refused changes leave memory and file as
// they were, and a corrupt file stops start-up with a message naming it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseSenderFields, SenderFieldError } from '../../../dist/senders/fields.js'
import { SenderError, SenderRegistry } from '../../../dist/senders/registry.js'
import type { Sender } from '../../../dist/senders/fields.js'

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fl-senders-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

void test('add, get, replace, patch, remove: canonical, saved, read back after a restart', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'senders.json')
  let clock = Date.UTC(2025, 0, 1)
  const r = new SenderRegistry(file, () => new Date(clock))
  const events: [string, Sender | null][] = []
  r.onChange((a, s) => events.push([a, s]))

  const a = r.add({
    ...parseSenderFields({
      address: '::ffff:192.0.2.10',
      name: 'edge',
      prefixes: ['192.168.1.7/24', '192.168.1.0/24', '2001:DB8:0:0::/32'],
    }),
    address: '192.0.2.10',
  })
  assert.deepEqual(a.prefixes, ['192.168.1.0/24', '2001:db8::/32'])
  assert.equal(a.enabled, true)
  assert.equal(a.created, '2025-01-01T00:00:00.000Z')
  r.add({ address: '2001:db8::1', name: 'v6' })
  assert.throws(
    () => r.add({ address: '192.0.2.10' }),
    (e: SenderError) => e.kind === 'conflict',
  )

  // Any spelling of an address finds the sender.
  assert.equal(r.get('::ffff:c000:20a')?.name, 'edge')
  assert.equal(r.get('2001:0DB8:0000::0001')?.name, 'v6')

  clock += 60_000
  const put = r.replace('192.0.2.10', { prefixes: ['10.0.0.0/8'] })
  assert.deepEqual([put.name, put.prefixes, put.enabled], ['', ['10.0.0.0/8'], true])
  assert.equal(put.created, a.created)
  assert.equal(put.updated, '2025-01-01T00:01:00.000Z')
  const patched = r.patch('192.0.2.10', { name: 'core', enabled: false })
  assert.deepEqual(
    [patched.name, patched.prefixes, patched.enabled],
    ['core', ['10.0.0.0/8'], false],
  )
  assert.equal(r.remove('2001:db8::1').name, 'v6')
  assert.throws(
    () => r.remove('2001:db8::1'),
    (e: SenderError) => e.kind === 'not_found',
  )
  assert.deepEqual(
    events.map(([addr, s]) => [addr, s?.name ?? null]),
    [
      ['192.0.2.10', 'edge'],
      ['2001:db8::1', 'v6'],
      ['192.0.2.10', ''],
      ['192.0.2.10', 'core'],
      ['2001:db8::1', null],
    ],
  )

  // A restart reads the same registry; no temporary file is left behind.
  const again = new SenderRegistry(file)
  assert.deepEqual(again.list(), r.list())
  assert.deepEqual(readdirSync(dir), ['senders.json'])
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { version: number; senders: Sender[] }
  assert.equal(doc.version, 1)
  assert.deepEqual(doc.senders, r.list())
})

void test('a change that cannot be saved is not made', (t) => {
  const dir = tempDir(t)
  const sub = join(dir, 'state')
  const r = new SenderRegistry(join(sub, 'senders.json'))
  r.add({ address: '192.0.2.1', name: 'kept' })
  const before = readFileSync(join(sub, 'senders.json'), 'utf8')
  // The directory becomes a file: the write fails whoever runs the test.
  rmSync(sub, { recursive: true })
  writeFileSync(sub, 'not a directory')
  assert.throws(
    () => r.add({ address: '192.0.2.2' }),
    (e: SenderError) => e.kind === 'storage' && /could not be saved \(E[A-Z]+\)/.test(e.message),
  )
  assert.throws(() => r.patch('192.0.2.1', { name: 'lost' }), SenderError)
  assert.deepEqual(
    r.list().map((s) => [s.address, s.name]),
    [['192.0.2.1', 'kept']],
  )
  assert.match(before, /"kept"/)
})

void test('a corrupt registry file stops start-up, naming the file and the field', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'senders.json')
  writeFileSync(file, '{"senders": [')
  assert.throws(
    () => new SenderRegistry(file),
    new RegExp(`${file} is not valid .*fix or remove it`),
  )
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      senders: [
        {
          address: '192.0.2.1',
          name: '',
          prefixes: ['300.0.0.0/8'],
          enabled: true,
          created: '2025-01-01T00:00:00Z',
          updated: '2025-01-01T00:00:00Z',
        },
      ],
    }),
  )
  assert.throws(() => new SenderRegistry(file), /senders\[0\]\.prefixes\[0\] is not a CIDR/)
  assert.equal(new SenderRegistry(join(dir, 'absent.json')).size, 0)
})

void test('fields: every bad value is refused naming its field', () => {
  const cases: [unknown, string][] = [
    [[], 'body'],
    [{ address: 'host.example' }, 'address'],
    [{ address: 12 }, 'address'],
    [{ name: 'a\nb' }, 'name'],
    [{ name: 'x'.repeat(129) }, 'name'],
    [{ prefixes: '10.0.0.0/8' }, 'prefixes'],
    [{ prefixes: ['10.0.0.0/8', '10.0.0.0/33'] }, 'prefixes[1]'],
    [{ prefixes: new Array(257).fill('10.0.0.0/8') }, 'prefixes'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ admin: true }, 'admin'],
  ]
  for (const [body, field] of cases) {
    assert.throws(
      () => parseSenderFields(body),
      (e: SenderFieldError) =>
        e.field === field && e.message.includes(field === 'body' ? 'body' : field),
      JSON.stringify(body).slice(0, 40),
    )
  }
  // A huge value is not echoed back whole.
  try {
    parseSenderFields({ address: 'x'.repeat(10_000) })
    assert.fail('accepted')
  } catch (e) {
    assert.ok((e as Error).message.length < 200)
  }
})
