// Walking skeleton, end to end: softflowd exports a capture as NetFlow v5 to a running
// collector and to nfcapd at once; the totals the API answers equal nfdump's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticTraffic, writePcap } from '@flowloft/decoder-wasm/testing'
import { Nfcapd, softflowd } from '../support/exporters.js'
import { eventually, startTestService } from '../support/service.js'
import { requireTools } from '../support/tools.js'

void test('NetFlow v5 totals from softflowd equal what nfdump reports', async (t) => {
  if (!requireTools(t, 'softflowd', 'nfcapd', 'nfdump')) return
  const dir = mkdtempSync(join(tmpdir(), 'fl-v5-'))
  const pcap = join(dir, 'traffic.pcap')
  writePcap(pcap, syntheticTraffic({ flows: 400, seed: 42, ipv6: 0 }))

  const svc = await startTestService()
  const nf = new Nfcapd()
  try {
    await nf.start()
    const exported = await softflowd(
      pcap,
      [`127.0.0.1:${svc.netflowPort}`, `127.0.0.1:${nf.port}`],
      5,
    )
    const expected = await nf.totals()
    // nfcapd stored every record softflowd sent (else the comparison below means nothing).
    assert.equal(expected.flows, exported, 'nfcapd lost datagrams')
    assert.ok(exported > 300, `softflowd exported ${exported}`)

    type Totals = { flows: number; packets: number; bytes: number }
    let got: Totals | undefined
    await eventually(async () => {
      ;[got] = await svc.query<Totals>(
        'SELECT count() AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM flows',
      )
      return got?.flows === expected.flows
    })
    assert.deepEqual(got, expected)

    const [types] = await svc.query<{ t: string[] }>(
      'SELECT groupUniqArray(toString(flow_type)) AS t FROM flows',
    )
    assert.deepEqual(types?.t, ['netflow5'])
  } finally {
    await svc.stop()
  }
})
