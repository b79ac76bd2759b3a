// anonymise.addresses on a real `flowloft serve`, fed NetFlow v5 over UDP loopback: the
// addresses of the sides asked for are stored in their Crypto-PAn form under the key in
// data_dir (made on first use), the others in clear; direction, country and AS come from
// the clear address; an anonymised side keeps no host name. A restart on the same data_dir
// maps the same way; another data_dir (another key) maps elsewhere.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatAddress, parseAddress } from '@flowloft/decoder-wasm'
import { CryptoPan } from '../../dist/anonymise/crypto-pan.js'
import { startChildService, type ChildService } from '../support/child-service.js'
import { sendUdp } from '../support/exporters.js'
import { v5Now, type TestFlow } from '../support/netflow5.js'
import { eventually } from '../support/service.js'

const dir = mkdtempSync(join(tmpdir(), 'fl-anon-'))
const running = new Set<ChildService>()
after(async () => {
  for (const s of running) await s.kill()
  rmSync(dir, { recursive: true, force: true })
})

const LAPTOP = '192.168.1.10'
const PRINTER = '192.168.1.20'
const DNS = '8.8.8.8'
/** The next hop of the outbound flow (the others have none: 0.0.0.0). */
const GATEWAY = '203.0.113.1'
/** Static names, to see which sides keep theirs. */
const ALIASES = JSON.stringify({ [LAPTOP]: 'laptop', [DNS]: 'google-dns' })

/** One round's flows: outbound, inbound and internal, told apart by destination port. */
const flows = (srcPort: number): TestFlow[] => [
  { src: LAPTOP, dst: DNS, srcPort, dstPort: 53, nextHop: GATEWAY },
  { src: DNS, dst: LAPTOP, srcPort, dstPort: 54 },
  { src: LAPTOP, dst: PRINTER, srcPort, dstPort: 631 },
]

interface Row {
  src: string
  dst: string
  dst_port: number
  next_hop: string
  direction: string
  src_country: string
  dst_country: string
  src_as: number
  dst_as: number
  src_host: string
  dst_host: string
}

async function start(data: string, mode: string): Promise<ChildService> {
  const s = await startChildService(data, {
    'anonymise-addresses': mode,
    'enrich-host-aliases': ALIASES,
    'enrich-learn-prefixes': 'false',
  })
  running.add(s)
  return s
}

async function stop(s: ChildService): Promise<void> {
  s.process.kill('SIGTERM')
  await s.exited
  running.delete(s)
}

/** Send a round and return its rows by destination port. */
async function round(s: ChildService, srcPort: number): Promise<Map<number, Row>> {
  await sendUdp(s.netflowPort, [v5Now(flows(srcPort))])
  const sql = `SELECT replaceOne(IPv6NumToString(src_addr), '::ffff:', '') AS src,
    replaceOne(IPv6NumToString(dst_addr), '::ffff:', '') AS dst, dst_port,
    replaceOne(IPv6NumToString(next_hop), '::ffff:', '') AS next_hop,
    toString(direction) AS direction, src_country, dst_country, src_as, dst_as, src_host,
    dst_host FROM flows WHERE src_port = ${srcPort}`
  let rows: Row[] = []
  await eventually(async () => {
    rows = await s.query<Row>(sql)
    return rows.length === 3
  }, 30_000)
  return new Map(rows.map((r) => [r.dst_port, r]))
}

function keyOf(data: string): CryptoPan {
  const file = join(data, 'anonymise.key')
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the key file is private to its owner')
  return new CryptoPan(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'))
}
const mapped = (p: CryptoPan, a: string): string =>
  formatAddress(p.anonymiseStored(parseAddress(a)), 0)

/** Leading bits two IPv4 addresses share. */
function sharedBits(a: string, b: string): number {
  const n = (s: string): number => s.split('.').reduce((x, o) => x * 256 + Number(o), 0)
  const x = (n(a) ^ n(b)) >>> 0
  return x === 0 ? 32 : Math.clz32(x)
}

void test('remote addresses stored anonymised, enriched from the clear ones, the same after a restart; another key maps elsewhere', async () => {
  const a = join(dir, 'a')
  let s = await start(a, 'remote')
  const first = await round(s, 1111)
  const keyA = keyOf(a)
  const out = first.get(53)
  const back = first.get(54)
  const inside = first.get(631)
  assert.ok(out && back && inside)
  console.log(JSON.stringify([...first.values()]))
  const dnsA = mapped(keyA, DNS)
  assert.notEqual(dnsA, DNS)
  // Outbound: the local source in clear with its name; the remote destination anonymised,
  // with no name, and the country and AS of the clear 8.8.8.8 (Google, US).
  assert.deepEqual(
    [out.src, out.dst, out.direction, out.src_host, out.dst_host],
    [LAPTOP, dnsA, 'outbound', 'laptop', ''],
  )
  assert.deepEqual([out.dst_country, out.dst_as], ['US', 15169])
  assert.deepEqual(
    [back.src, back.dst, back.direction, back.src_host, back.dst_host, back.src_country],
    [dnsA, LAPTOP, 'inbound', '', 'laptop', 'US'],
  )
  assert.equal(back.src_as, 15169)
  // The next hop (on neither side) is anonymised too; an absent one stays 0.0.0.0.
  assert.deepEqual([out.next_hop, back.next_hop], [mapped(keyA, GATEWAY), '0.0.0.0'])
  // Internal: both local, both in clear.
  assert.deepEqual([inside.src, inside.dst, inside.direction], [LAPTOP, PRINTER, 'internal'])

  // A restart on the same data_dir: the same key, the same mapping.
  await stop(s)
  s = await start(a, 'remote')
  const again = await round(s, 2222)
  assert.equal(again.get(53)?.dst, dnsA)
  assert.equal(again.get(54)?.src, dnsA)
  assert.equal(
    keyOf(a)
      .anonymise(Uint8Array.of(8, 8, 8, 8))
      .join('.'),
    dnsA,
  )
  await stop(s)

  // Another data_dir, another key, mode local: the local side anonymised (prefixes kept,
  // names dropped), the remote one in clear with its name; direction still from the clear.
  const b = join(dir, 'b')
  s = await start(b, 'local')
  const other = await round(s, 3333)
  const keyB = keyOf(b)
  const laptopB = mapped(keyB, LAPTOP)
  const printerB = mapped(keyB, PRINTER)
  assert.notEqual(laptopB, mapped(keyA, LAPTOP), 'another key maps elsewhere')
  const o = other.get(53)
  const i = other.get(631)
  assert.ok(o && i)
  assert.deepEqual(
    [o.src, o.dst, o.direction, o.src_host, o.dst_host, o.dst_country],
    [laptopB, DNS, 'outbound', '', 'google-dns', 'US'],
  )
  assert.deepEqual([i.src, i.dst, i.direction, i.src_host], [laptopB, printerB, 'internal', ''])
  // 192.168.1.10 and .20 share their first 27 bits; so do their anonymised forms, no more.
  assert.equal(sharedBits(LAPTOP, PRINTER), 27)
  assert.equal(sharedBits(laptopB, printerB), 27)
  await stop(s)
})
