// Device names from DHCP end to end: a real dnsmasq hands out leases in a network
// namespace to a real DHCP client (BusyBox udhcpc) in another; a real collector (NetFlow
// v5 over UDP, decode workers, embedded ClickHouse) follows dnsmasq's lease file. Flows
// from the leased address carry the client's host name while the lease holds, the
// vendor's name for a client that gave none, and no name once the lease is released.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startDhcpLab } from '../../testing/dhcp-lab.js'
import { sendUntil } from '../../testing/send-until.js'
import { metricValue, startTestService } from '../../testing/service.js'
import { requireTools } from '../../testing/tools.js'

void test('a lease taken by udhcpc names its address in src_host until released', async (t) => {
  if (!requireTools(t, 'dnsmasq', 'busybox', 'ip')) return
  if (process.getuid?.() !== 0) return t.skip('network namespaces need root')
  const lab = await startDhcpLab()
  t.after(() => lab.stop())
  const svc = await startTestService({
    'enrich.dhcp.leases': [{ path: lab.leaseFile, format: 'dnsmasq' }],
  })
  t.after(() => svc.stop())

  // A client that gives its host name.
  const phone = await lab.lease({ mac: '02:00:00:00:23:01', hostname: 'anna-phone' })
  assert.match(readFileSync(lab.leaseFile, 'utf8'), new RegExp(` ${phone.ip} anna-phone `))
  const flow = { src: phone.ip, dst: '198.51.100.7' }
  const t0 = Date.now()
  const named = await sendUntil(
    svc,
    [flow],
    (r) => r.get(`${phone.ip}>198.51.100.7`)?.src_host === 'anna-phone',
    1000,
  )
  const namedMs = Date.now() - t0
  assert.equal(named.size, 1)
  t.diagnostic(`name in stored flows ${namedMs} ms after the lease`)

  // Released: dnsmasq drops the line, the name goes.
  await phone.release()
  assert.doesNotMatch(readFileSync(lab.leaseFile, 'utf8'), /anna-phone/)
  await sendUntil(svc, [flow], (r) => r.get(`${phone.ip}>198.51.100.7`)?.src_host === '', 2000)

  // A client that gives no name, with an Apple address block: named after the vendor.
  const mac = await lab.lease({ mac: '3c:22:fb:3a:4f:10' })
  const flow2 = { src: mac.ip, dst: '198.51.100.8' }
  await sendUntil(
    svc,
    [flow2],
    (r) => r.get(`${mac.ip}>198.51.100.8`)?.src_host === 'apple-4f10',
    3000,
  )

  const m = await svc.metrics()
  assert.ok(metricValue(m, 'flowloft_enrich_dhcp_names_total{source="hostname"}') >= 1)
  assert.ok(metricValue(m, 'flowloft_enrich_dhcp_names_total{source="vendor"}') >= 1)
  assert.ok(metricValue(m, 'flowloft_enrich_dhcp_names_total{source="forgotten"}') >= 1)
  assert.equal(
    metricValue(m, 'flowloft_enrich_dhcp_records_total{format="dnsmasq",result="malformed"}'),
    0,
  )
  await mac.release()
})
