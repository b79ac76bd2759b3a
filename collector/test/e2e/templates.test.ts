// NetFlow v9 and IPFIX through a running collector with two decoder workers: softflowd
// exports match nfdump's totals whichever worker gets which datagram, and templates
// survive a restart (data-only datagrams after the restart decode at once).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildV9, syntheticTraffic, writePcap } from '@flowloft/decoder-wasm/testing'
import { Nfcapd, freeUdpPort, sendUdp, softflowd } from '../support/exporters.js'
import { eventually, startTestService } from '../support/service.js'
import { requireTools } from '../support/tools.js'

type Totals = { flows: number; packets: number; bytes: number }
const TOTALS = 'SELECT count() AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM flows'

for (const version of [9, 10] as const) {
  void test(`softflowd v${version} through two workers: totals equal nfdump's`, async (t) => {
    if (!requireTools(t, 'softflowd', 'nfcapd', 'nfdump')) return
    const pcap = join(mkdtempSync(join(tmpdir(), 'fl-tpl-')), 'traffic.pcap')
    writePcap(pcap, syntheticTraffic({ flows: 600, seed: version, ipv6: 0.2 }))
    const svc = await startTestService({ 'decode.workers': 2, 'decode.batch_datagrams': 1 })
    const nf = new Nfcapd()
    try {
      await nf.start()
      const exported = await softflowd(
        pcap,
        [`127.0.0.1:${svc.netflowPort}`, `127.0.0.1:${nf.port}`],
        version,
      )
      const expected = await nf.totals()
      // nfcapd stored every record softflowd sent (else the comparison below means nothing).
      assert.equal(expected.flows, exported, 'nfcapd lost datagrams')
      assert.ok(exported >= 500, `softflowd exported ${exported}`)
      let got: Totals | undefined
      await eventually(async () => {
        ;[got] = await svc.query<Totals>(TOTALS)
        return got?.flows === expected.flows
      })
      assert.deepEqual(got, expected)
    } finally {
      await svc.stop()
    }
  })
}

void test('templates are saved and restored: data after a restart decodes without a new template', async () => {
  const tpl = {
    id: 256,
    fields: [
      { id: 8, length: 4 },
      { id: 12, length: 4 },
      { id: 4, length: 1 },
      { id: 1, length: 4 },
      { id: 2, length: 4 },
      { id: 22, length: 4 },
      { id: 21, length: 4 },
    ],
  }
  const now = Math.floor(Date.now() / 1000)
  const header = { sysUptime: 100_000, unixSecs: now, sourceId: 7 }
  const data = (bytes: number): Uint8Array =>
    buildV9(header, [
      { template: tpl, records: [['10.0.0.1', '8.8.8.8', 17, bytes, 1, 90_000, 99_000]] },
    ])
  const templateOnly = buildV9(header, [{ templates: [tpl] }])

  // The exporter keeps its source port across the collector's restart (its session).
  const from = { port: await freeUdpPort() }
  const first = await startTestService()
  const dataDir = first.dataDir
  await sendUdp(first.netflowPort, [templateOnly, data(100)], from)
  await eventually(
    async () => (await first.query<{ n: number }>('SELECT count() AS n FROM flows'))[0]?.n === 1,
  )
  await first.service.stop() // keeps the data dir

  const second = await startTestService({ data_dir: dataDir })
  try {
    await sendUdp(second.netflowPort, [data(200), data(300)], from)
    await eventually(
      async () => (await second.query<{ n: number }>('SELECT count() AS n FROM flows'))[0]?.n === 3,
    )
    const [s] = await second.query<{ b: number }>('SELECT sum(bytes) AS b FROM flows')
    assert.equal(s?.b, 600)
  } finally {
    await second.stop()
  }
})
