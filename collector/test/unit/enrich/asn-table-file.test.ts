// The table file written by the build answers exactly like the table parsed from the CSV
// files at start, and a file that does not fit is refused with a reason (the caller then
// parses the CSV).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  bundledAsnSources,
  loadBundledAsn,
  PREBUILT_ASN_TABLE,
} from '../../../dist/enrich/asn-bundled.js'
import { readAsnTableFile, writeAsnTableFile } from '../../../dist/enrich/asn-table-file.js'
import { AsnTable, loadAsnCsv, type AsnTableData } from '../../../dist/enrich/asn-table.js'
import { formatV4, parseAddr } from '../../../dist/addresses/ip.js'

const dir = mkdtempSync(join(tmpdir(), 'flowloft-asn-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function formatV6(w: readonly number[]): string {
  const g: string[] = []
  for (const x of w) g.push((x >>> 16).toString(16), (x & 0xffff).toString(16))
  return g.join(':')
}

/** Deterministic pseudo-random u32s (xorshift), so a failure can be replayed. */
function* randomWords(seed: number): Generator<number> {
  let x = seed >>> 0 || 1
  for (;;) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    yield x
  }
}

/** Range starts, ends, middles and the addresses just past ends, plus random ones. */
function sampleAddresses(t: AsnTableData, step: number): string[] {
  const out: string[] = []
  for (let k = 0; k < t.v4Row.length; k += step) {
    const s = t.v4Start[k] ?? 0
    const e = t.v4End[k] ?? 0
    for (const a of [s, e, s + Math.floor((e - s) / 2), (e + 1) >>> 0]) out.push(formatV4(a))
  }
  for (let k = 0; k < t.v6Row.length; k += step) {
    const s = Array.from(t.v6Start.subarray(4 * k, 4 * k + 4))
    const e = Array.from(t.v6End.subarray(4 * k, 4 * k + 4))
    out.push(formatV6(s), formatV6(e), formatV6([...s.slice(0, 3), (s[3] ?? 0) ^ 0x5a5a]))
  }
  const r = randomWords(20240601)
  const next = (): number => r.next().value as number
  for (let k = 0; k < 2000; k++) {
    out.push(formatV4(next()))
    // Mostly inside 2000::/3, where the allocated IPv6 space is.
    out.push(formatV6([(0x20000000 | (next() & 0x1fffffff)) >>> 0, next(), next(), next()]))
  }
  return out
}

void test('the table file from the build answers like the CSV parsed at start (IPv4 and IPv6)', () => {
  const src = bundledAsnSources()
  assert.ok(src, '@ip-location-db/asn is a dependency of the collector')
  const prebuilt = readAsnTableFile(PREBUILT_ASN_TABLE, src.fingerprint)
  assert.notEqual(typeof prebuilt, 'string', `npm run build writes ${PREBUILT_ASN_TABLE}`)
  const fromFile = prebuilt as AsnTableData
  const fromCsv = loadAsnCsv(src.v4, src.v6)
  assert.ok(fromCsv.v4Row.length > 100_000 && fromCsv.v6Row.length > 10_000)
  for (const key of Object.keys(fromCsv) as (keyof AsnTableData)[]) {
    assert.equal(fromFile[key].length, fromCsv[key].length, `${key} length`)
    assert.ok(
      Buffer.from(fromFile[key].buffer, fromFile[key].byteOffset, fromFile[key].byteLength).equals(
        Buffer.from(fromCsv[key].buffer, fromCsv[key].byteOffset, fromCsv[key].byteLength),
      ),
      `${key} holds the same values`,
    )
  }
  const a = new AsnTable(fromFile)
  const b = new AsnTable(fromCsv)
  let hits4 = 0
  let hits6 = 0
  const sample = sampleAddresses(fromCsv, 97)
  for (const text of sample) {
    const addr = parseAddr(text)
    assert.ok(addr, text)
    const got = a.lookup(addr)
    assert.deepEqual(got, b.lookup(addr), text)
    if (got && 'v4' in addr) hits4++
    if (got && 'v6' in addr) hits6++
  }
  // The sample exercises real answers, not only misses.
  assert.ok(hits4 > 4000, `IPv4 hits ${hits4}`)
  assert.ok(hits6 > 1000, `IPv6 hits ${hits6}`)
})

void test('a table file that does not fit is refused with the reason; the CSV is used', () => {
  const v4 = join(dir, 'v4.csv')
  const v6 = join(dir, 'v6.csv')
  writeFileSync(
    v4,
    '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n8.8.8.0,8.8.8.255,15169,Google LLC\n',
  )
  writeFileSync(v6, '2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n')
  const table = loadAsnCsv(v4, v6)
  const file = join(dir, 'table.bin')
  writeAsnTableFile(file, table, 'fp-1')

  const back = readAsnTableFile(file, 'fp-1')
  assert.notEqual(typeof back, 'string', typeof back === 'string' ? back : '')
  const t = new AsnTable(back as AsnTableData)
  assert.deepEqual(t.lookup({ v4: 0x08080808 }), { asn: 15169, name: 'Google LLC' })
  assert.deepEqual(t.lookup(parseAddr('1.0.0.9') ?? { v4: 0 }), {
    asn: 13335,
    name: 'Cloudflare, Inc.',
  })
  assert.deepEqual(t.lookup(parseAddr('2001:4860::8888') ?? { v4: 0 }), {
    asn: 15169,
    name: 'Google LLC',
  })
  assert.equal(t.lookup({ v4: 0x09090909 }), null)

  assert.equal(readAsnTableFile(file, 'fp-2'), 'prebuilt table file was built from other CSV files')
  assert.equal(readAsnTableFile(join(dir, 'none.bin'), 'fp-1'), 'no prebuilt table file')
  const bytes = readFileSync(file)
  writeFileSync(join(dir, 'short.bin'), bytes.subarray(0, bytes.length - 4))
  assert.equal(
    readAsnTableFile(join(dir, 'short.bin'), 'fp-1'),
    'prebuilt table file has the wrong length',
  )
  writeFileSync(join(dir, 'other.bin'), Buffer.concat([Buffer.from('XXXXXXXX'), bytes.subarray(8)]))
  assert.equal(
    readAsnTableFile(join(dir, 'other.bin'), 'fp-1'),
    'prebuilt table file has another format',
  )
  writeFileSync(join(dir, 'tiny.bin'), bytes.subarray(0, 10))
  assert.equal(readAsnTableFile(join(dir, 'tiny.bin'), 'fp-1'), 'prebuilt table file is truncated')

  const loaded = loadBundledAsn({ v4, v6, fingerprint: 'fp-2' }, file)
  assert.equal(loaded.source, 'csv')
  assert.equal(loaded.reason, 'prebuilt table file was built from other CSV files')
  assert.deepEqual(new AsnTable(loaded.table).lookup({ v4: 0x01000001 }), {
    asn: 13335,
    name: 'Cloudflare, Inc.',
  })
  assert.equal(loadBundledAsn({ v4, v6, fingerprint: 'fp-1' }, file).source, 'prebuilt')
})
