// Learned host names end to end: a real collector (NetFlow v5 over UDP, decode workers,
// embedded ClickHouse) asks a real dnsmasq for PTR records of the addresses its workers
// report, and follows the query log dnsmasq writes in the Pi-hole format; flows sent
// afterwards carry the names. A DNS server that never answers is counted and flows
// keep flowing with empty hosts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startBlackHoleDns, startDnsmasq } from '../../../support/dnsmasq.js'
import { sendUdp } from '../../../support/exporters.js'
import { v5Now, type TestFlow } from '../../../support/netflow5.js'
import { round, sendUntil } from '../../../support/send-until.js'
import { eventually, metricValue, startTestService } from '../../../support/service.js'
import { requireTools } from '../../../support/tools.js'
import { ptrName } from '../../../../dist/enrich/dns/reverse-dns.js'

void test('PTR names and Pi-hole asked names reach src_host/dst_host of later flows', async (t) => {
  if (!requireTools(t, 'dnsmasq')) return
  const dns = await startDnsmasq([
    '--ptr-record=7.0.0.10.in-addr.arpa,seven.lan.test',
    '--host-record=nas.lan.test,10.0.0.5',
    '--host-record=edge.cdn.test,198.51.100.20',
    '--cname=www.example.test,edge.cdn.test',
    '--host-record=v6.lan.test,fd00::7',
  ])
  t.after(() => dns.stop())
  // The names asked for: dnsmasq's own reverse zone answers them (IPv6 nibbles too).
  assert.deepEqual(await dns.resolver.resolvePtr(ptrName('fd00::7')), ['v6.lan.test'])
  const svc = await startTestService({
    'enrich.dns.enabled': true,
    'enrich.dns.servers': dns.server,
    'enrich.dns.timeout_ms': 500,
    'enrich.dns.lookup_remote': true,
    'enrich.pihole.log': dns.logFile,
    'enrich.exporter_prefixes': { '127.0.0.1': ['10.0.0.0/8'] },
  })
  t.after(() => svc.stop())
  const flows: TestFlow[] = [
    { src: '10.0.0.7', dst: '198.51.100.20' },
    { src: '10.0.0.5', dst: '10.0.0.8' },
  ]
  // PTR answers first: the CDN address is named after its PTR record.
  const ptr = await sendUntil(
    svc,
    flows,
    (r) =>
      r.get('10.0.0.7>198.51.100.20')?.dst_host === 'edge.cdn.test' &&
      r.get('10.0.0.5>10.0.0.8')?.src_host === 'nas.lan.test',
    1000,
  )
  assert.deepEqual([...ptr.values()].map((r) => [r.src_host, r.dst_host, r.direction]).sort(), [
    ['nas.lan.test', '', 'internal'], // 10.0.0.8 has no PTR record
    ['seven.lan.test', 'edge.cdn.test', 'outbound'],
  ])
  const m = await svc.metrics()
  assert.ok(metricValue(m, 'flowloft_enrich_dns_lookups_total{result="ok"}') >= 3)
  assert.ok(metricValue(m, 'flowloft_enrich_dns_lookups_total{result="nxdomain"}') >= 1)
  assert.ok(metricValue(m, 'flowloft_enrich_dns_cache_entries') >= 4)

  // A client asks dnsmasq for www.example.test, a CNAME of edge.cdn.test: the log ties
  // 198.51.100.20 to the name that was asked, which beats the PTR name.
  assert.deepEqual(await dns.resolver.resolve4('www.example.test'), ['198.51.100.20'])
  const asked = await sendUntil(
    svc,
    flows,
    (r) => r.get('10.0.0.7>198.51.100.20')?.dst_host === 'www.example.test',
    2000,
  )
  assert.equal(asked.get('10.0.0.7>198.51.100.20')?.src_host, 'seven.lan.test')
  const after = await svc.metrics()
  assert.ok(metricValue(after, 'flowloft_enrich_pihole_lines_total{result="learned"}') >= 1)
  assert.equal(metricValue(after, 'flowloft_enrich_pihole_lines_total{result="error"}'), 0)
})

void test('a DNS server that never answers: timeouts counted, flows stored with empty hosts', async (t) => {
  const hole = await startBlackHoleDns()
  t.after(() => hole.stop())
  const svc = await startTestService({
    'enrich.dns.enabled': true,
    'enrich.dns.servers': hole.server,
    'enrich.dns.timeout_ms': 100,
    'enrich.dns.tries': 1,
  })
  t.after(() => svc.stop())
  const flows: TestFlow[] = [
    { src: '10.1.0.1', dst: '10.1.0.2' },
    { src: '192.168.7.7', dst: '10.1.0.1' },
  ]
  await sendUdp(svc.netflowPort, [v5Now(flows.map((f) => ({ ...f, srcPort: 7 })))])
  await eventually(async () => {
    const m = await svc.metrics()
    return metricValue(m, 'flowloft_enrich_dns_lookups_total{result="timeout"}') >= 3
  })
  assert.ok(hole.queries >= 3, `the black hole got ${hole.queries} queries`)
  // Flows sent after the timeouts are stored too, hosts empty.
  await sendUdp(svc.netflowPort, [v5Now(flows.map((f) => ({ ...f, srcPort: 8 })))])
  await eventually(async () => (await round(svc, 8)).size === 2)
  for (const port of [7, 8]) {
    const rows = await round(svc, port)
    assert.deepEqual(
      [...rows.values()].map((r) => [r.src_host, r.dst_host]),
      [
        ['', ''],
        ['', ''],
      ],
    )
  }
  const m = await svc.metrics()
  assert.equal(metricValue(m, 'flowloft_enrich_dns_lookups_total{result="ok"}'), 0)
})
