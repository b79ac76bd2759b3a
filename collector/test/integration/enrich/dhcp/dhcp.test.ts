// DHCP lease files: samples in the formats dnsmasq 2.89, ISC dhcpd 4.4 and Kea 2.2 write
// (hand-written from their documented formats; only dnsmasq is also run for real, in
// dhcp-namespace.test.ts) give exactly the names of the leases that hold; bad records
// are counted by reason; rewrites, appends, lease ends and renumbering are followed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '../../../../dist/config/errors.js'
import { createLogger } from '../../../../dist/observability/log.js'
import { Registry } from '../../../../dist/observability/metrics.js'
import { parseLeaseFiles, type LeaseFormat } from '../../../../dist/enrich/dhcp/config.js'
import { createDhcpLeases } from '../../../../dist/enrich/dhcp/index.js'
import { parseIscLeases } from '../../../../dist/enrich/dhcp/parse-isc.js'
import { vendorSlug } from '../../../../dist/enrich/dhcp/oui.js'

const NOW = Date.UTC(2026, 11, 2, 16, 0, 0)
const sample = (name: string): string =>
  readFileSync(
    new URL(`../../../../test/integration/enrich/dhcp/testdata/${name}`, import.meta.url),
    'utf8',
  )

function follow(files: Array<{ path: string; format: LeaseFormat }>, at = { now: NOW }) {
  const metrics = new Registry()
  const names = new Map<string, string>()
  const calls: Array<[string, string | null]> = []
  const dhcp = createDhcpLeases(
    { leases: files, vendorNames: true },
    {
      log: createLogger('error'),
      metrics,
      now: () => at.now,
      onName(addr, name) {
        calls.push([addr, name])
        if (name === null) names.delete(addr)
        else names.set(addr, name)
      },
    },
  )
  const count = (name: string, label: Record<string, string>): number =>
    metrics
      .read(name)
      .filter((s) => Object.entries(label).every(([k, v]) => s.labels[k] === v))
      .reduce((t, s) => t + s.value, 0)
  // A read is used once the file has stayed the same for one more poll.
  const settle = async (): Promise<void> => {
    await dhcp.poll()
    await dhcp.poll()
  }
  return { dhcp, names, calls, count, settle }
}

async function sampleNames(file: string, format: LeaseFormat) {
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-'))
  const path = join(dir, file)
  writeFileSync(path, sample(file))
  const f = follow([{ path, format }])
  await f.settle()
  return { ...f, sorted: Object.fromEntries([...f.names].sort()) }
}

void test('dnsmasq: live leases name their addresses, v6 after duid, bad lines counted', async () => {
  const f = await sampleNames('dnsmasq.leases', 'dnsmasq')
  assert.deepEqual(f.sorted, {
    '192.168.88.2': 'pi', // expiry 0: never ends
    '192.168.88.23': 'anna-iphone',
    '192.168.88.40': 'intel-3a4f', // no name given: the vendor and the last two bytes
    // 192.168.88.41 has a random (locally administered) address: no vendor, no name
    // 192.168.88.42's lease ended before NOW
    'fd00::23': 'anna-iphone',
    'fd00::7a3b:1c2d:9e8f:1234': 'anna-iphone',
  })
  const rec = 'flowloft_enrich_dhcp_records_total'
  assert.equal(f.count(rec, { format: 'dnsmasq', result: 'parsed' }), 7)
  assert.equal(f.count(rec, { result: 'bad_mac' }), 1)
  assert.equal(f.count(rec, { result: 'bad_address' }), 1)
  assert.equal(f.count(rec, { result: 'malformed' }), 1)
  assert.equal(f.count('flowloft_enrich_dhcp_names_total', { source: 'vendor' }), 1)
  assert.equal(f.count('flowloft_enrich_dhcp_leases', { source: 'hostname' }), 4)
})

void test('ISC dhcpd: the latest block of an address decides; free, cut-off and bad blocks', async () => {
  const f = await sampleNames('dhcpd.leases', 'isc')
  assert.deepEqual(f.sorted, {
    '192.168.88.50': 'kid-laptop', // a later lease of .50 to another device replaced desk-pc
    '192.168.88.52': 'raspberry-3456', // epoch times, no client-hostname
    '192.168.88.53': 'printer', // ends never
  })
  const rec = 'flowloft_enrich_dhcp_records_total'
  assert.equal(f.count(rec, { format: 'isc', result: 'parsed' }), 5)
  assert.equal(f.count(rec, { result: 'bad_time' }), 1)
  assert.equal(f.count(rec, { result: 'bad_address' }), 1)
  assert.equal(f.count(rec, { result: 'cut_off' }), 1) // dhcpd was still appending it
  const p = parseIscLeases(sample('dhcpd.leases'))
  assert.deepEqual(
    p.leases.find((l) => l.ip === '192.168.88.51'),
    {
      ip: '192.168.88.51',
      mac: '3c:22:fb:00:00:51',
      clientId: '\\001<\\"\\373\\000\\000Q',
      hostname: 'gone-phone',
      ends: Date.UTC(2026, 11, 2, 15, 30),
      active: false,
    },
  )
})

void test('Kea memfile: deletions, reclaimed leases, renumbered devices, escaped commas', async () => {
  const f = await sampleNames('kea-leases4.csv', 'kea')
  assert.deepEqual(f.sorted, {
    '192.168.88.61': 'intel-0061',
    '192.168.88.64': 'apple-0064', // "a,b" is no host name: the vendor's
    '192.168.88.70': 'tv.home.arpa', // the TV moved from .60: .60 has no name any more
  })
  const rec = 'flowloft_enrich_dhcp_records_total'
  assert.equal(f.count(rec, { format: 'kea', result: 'parsed' }), 7)
  assert.equal(f.count(rec, { result: 'cut_off' }), 1)
  assert.equal(f.count(rec, { result: 'bad_address' }), 1)
  assert.equal(f.count(rec, { result: 'bad_time' }), 1)
})

void test('rewrites, appends, rename, lease ends and a missing file are followed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-'))
  const dns = join(dir, 'dnsmasq.leases')
  const isc = join(dir, 'dhcpd.leases')
  const at = { now: NOW }
  const f = follow(
    [
      { path: dns, format: 'dnsmasq' },
      { path: isc, format: 'isc' },
    ],
    at,
  )
  await f.settle() // neither file yet: nothing, no failure
  assert.equal(f.names.size, 0)
  const end = (NOW + 60_000) / 1000
  writeFileSync(dns, `${end} 3c:22:fb:3a:4f:10 192.168.88.23 anna-iphone *\n`)
  await f.dhcp.poll()
  assert.equal(f.names.size, 0, 'a read is used only once the file stayed the same')
  await f.dhcp.poll()
  assert.equal(f.names.get('192.168.88.23'), 'anna-iphone')
  // dnsmasq rewrites in place: the lease released, another one granted.
  writeFileSync(dns, `${end} 3c:22:fb:3a:4f:11 192.168.88.24 ben-phone *\n`)
  await f.settle()
  assert.deepEqual([...f.names], [['192.168.88.24', 'ben-phone']])
  // dhcpd appends a block; the same address in both files: the later file wins.
  const block = (ip: string, name: string, state = 'active'): string =>
    `lease ${ip} {\n  starts 3 2026/12/02 15:00:00;\n  ends 3 2026/12/02 16:10:00;\n` +
    `  binding state ${state};\n  hardware ethernet 08:00:27:bd:dc:33;\n  client-hostname "${name}";\n}\n`
  writeFileSync(isc, block('192.168.88.24', 'desk-pc'))
  await f.settle()
  assert.equal(f.names.get('192.168.88.24'), 'desk-pc')
  appendFileSync(isc, block('192.168.88.24', 'desk-pc', 'released'))
  await f.settle()
  assert.equal(f.names.get('192.168.88.24'), 'ben-phone', 'dhcpd released it: dnsmasq lease again')
  // dhcpd's periodic rewrite: a new file renamed over the old one.
  writeFileSync(`${isc}.new`, block('192.168.88.30', 'nas'))
  renameSync(`${isc}.new`, isc)
  await f.settle()
  assert.equal(f.names.get('192.168.88.30'), 'nas')
  // Time passes: the dnsmasq lease ends (no file change needed).
  at.now = NOW + 61_000
  await f.dhcp.poll()
  assert.deepEqual([...f.names], [['192.168.88.30', 'nas']])
  assert.ok(f.calls.some(([a, n]) => a === '192.168.88.24' && n === null))
  assert.equal(f.count('flowloft_enrich_dhcp_reads_total', { result: 'read' }) >= 5, true)
  f.dhcp.stop()
})

void test('Kea: leases moved by the cleanup (.2, .1, .completed) are read, oldest first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-'))
  const csv = join(dir, 'kea-leases4.csv')
  const header =
    'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n'
  const row = (ip: string, name: string, lifetime = 7200): string =>
    `${ip},3c:22:fb:00:00:${ip.slice(-2)},,${lifetime},1796234400,1,0,0,${name},0,\n`
  writeFileSync(`${csv}.2`, header + row('192.168.88.10', 'old-tv') + row('192.168.88.11', 'nas'))
  writeFileSync(`${csv}.1`, header + row('192.168.88.11', 'nas', 0)) // deleted since
  writeFileSync(csv, header + row('192.168.88.12', 'new-phone'))
  const f = follow([{ path: csv, format: 'kea' }])
  await f.settle()
  assert.deepEqual(Object.fromEntries([...f.names].sort()), {
    '192.168.88.10': 'old-tv',
    '192.168.88.12': 'new-phone',
  })
  // The cleanup finished (.completed, the merge of .2 and .1) but has not renamed it yet:
  // .2 and .1 are stale and not read.
  writeFileSync(`${csv}.completed`, header + row('192.168.88.13', 'merged'))
  await f.settle()
  assert.deepEqual(Object.fromEntries([...f.names].sort()), {
    '192.168.88.12': 'new-phone',
    '192.168.88.13': 'merged',
  })
  f.dhcp.stop()
})

void test('enrich.dhcp.leases: every wrong key of an entry is named in one message', () => {
  assert.deepEqual(parseLeaseFiles(['/var/lib/misc/dnsmasq.leases'], 'enrich.dhcp.leases', ''), [
    { path: '/var/lib/misc/dnsmasq.leases', format: 'dnsmasq' },
  ])
  assert.throws(
    () =>
      parseLeaseFiles(
        [
          { path: '/a', format: 'kea' },
          { file: '/b', format: 'udhcpd', ttl: 3 },
        ],
        'enrich.dhcp.leases',
        ' (from config.yaml)',
      ),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        'enrich.dhcp.leases[1]: unknown key file; unknown key ttl; path must be a file path, got undefined; format must be dnsmasq, isc, kea, got "udhcpd" (keys: path, format) (from config.yaml)',
  )
  assert.throws(
    () => parseLeaseFiles(['/a', { path: '/a' }], 'enrich.dhcp.leases', ''),
    /enrich\.dhcp\.leases\[1\]\.path: \/a is listed twice/,
  )
})

void test('vendor names are short and readable', () => {
  assert.equal(
    vendorSlug('Apple, Inc.\n1 Infinite Loop\nCupertino CA 95014\nUnited States'),
    'apple',
  )
  assert.equal(vendorSlug('TP-LINK TECHNOLOGIES CO.,LTD.'), 'tp-link')
  assert.equal(vendorSlug('HP Inc.'), 'hp')
  assert.equal(vendorSlug('Private'), '')
  assert.equal(vendorSlug(''), '')
})
