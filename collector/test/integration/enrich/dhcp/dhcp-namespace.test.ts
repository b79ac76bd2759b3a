// Device names from DHCP end to end: a real DHCP server (dnsmasq, Kea with its memfile
// CSV, ISC dhcpd) hands out leases in a network namespace to a real DHCP client
// (BusyBox udhcpc) in another; a real collector (NetFlow v5 over UDP, decode workers,
// embedded ClickHouse) follows the server's lease file. Flows from the leased address
// carry the client's host name while the lease holds, no name once it is released, and
// the vendor's name for a client that gave none. Kea runs its lease-file cleanup every
// second, so its leases also come from the cleanup's files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { DHCP_SERVER_TOOL, startDhcpLab, type DhcpServerKind } from '../../../support/dhcp-lab.js'
import { sendUntil } from '../../../support/send-until.js'
import { eventually, metricValue, startTestService } from '../../../support/service.js'
import { requireTools } from '../../../support/tools.js'

const SERVERS: DhcpServerKind[] = ['dnsmasq', 'kea', 'isc']

for (const kind of SERVERS) {
  void test(`${kind}: a lease taken by udhcpc names its address until released`, async (t) => {
    if (!requireTools(t, DHCP_SERVER_TOOL[kind], 'busybox', 'ip')) return
    if (process.getuid?.() !== 0) return t.skip('network namespaces need root')
    const lab = await startDhcpLab(kind)
    t.after(() => lab.stop())
    const svc = await startTestService({
      'enrich.dhcp.leases': [{ path: lab.leaseFile, format: kind }],
    })
    t.after(() => svc.stop())
    const srcHost =
      (ip: string, dst: string, name: string) => (r: Map<string, { src_host: string }>) =>
        r.get(`${ip}>${dst}`)?.src_host === name

    // A client that gives its host name.
    const phone = await lab.lease({ mac: '02:00:00:00:23:01', hostname: 'anna-phone' })
    const t0 = Date.now()
    assert.match(readFileSync(lab.leaseFile, 'utf8'), /anna-phone/)
    const flow = { src: phone.ip, dst: '198.51.100.7' }
    await sendUntil(svc, [flow], srcHost(phone.ip, flow.dst, 'anna-phone'), 1000)
    t.diagnostic(`${kind}: name in stored flows ${Date.now() - t0} ms after the lease`)

    if (kind === 'kea') {
      // Kea's cleanup has moved the lease out of the file it writes to: still named.
      await eventually(() => {
        const main = readFileSync(lab.leaseFile, 'utf8')
        return Promise.resolve(existsSync(`${lab.leaseFile}.2`) && !main.includes('anna-phone'))
      }, 10_000)
      await sendUntil(svc, [flow], srcHost(phone.ip, flow.dst, 'anna-phone'), 1500)
    }

    // Released: the server ends the lease in its file, the name goes.
    await phone.release()
    await sendUntil(svc, [flow], srcHost(phone.ip, flow.dst, ''), 2000)

    // A client that gives no name, from an Apple address block: named after the vendor.
    const mac = await lab.lease({ mac: '3c:22:fb:3a:4f:10' })
    const flow2 = { src: mac.ip, dst: '198.51.100.8' }
    await sendUntil(svc, [flow2], srcHost(mac.ip, flow2.dst, 'apple-4f10'), 3000)

    const m = await svc.metrics()
    const names = (source: string): number =>
      metricValue(m, `flowloft_enrich_dhcp_names_total{source="${source}"}`)
    assert.ok(names('hostname') >= 1)
    assert.ok(names('vendor') >= 1)
    assert.ok(names('forgotten') >= 1)
    for (const reason of ['malformed', 'bad_address', 'bad_time', 'bad_mac'])
      assert.equal(
        metricValue(m, `flowloft_enrich_dhcp_records_total{format="${kind}",result="${reason}"}`),
        0,
        reason,
      )
    await mac.release()
  })
}
