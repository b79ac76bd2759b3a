// Templates are bounded per exporter address and in all, through a running collector
// (two workers, embedded ClickHouse): a template flood from other addresses next to a
// real exporter (softflowd) loses none of its flows (totals equal nfdump's) and the
// refusals are counted; after a flood the saved snapshot is bounded and the real
// exporter's templates come back at restart; a torn snapshot restores what is intact,
// says so at warn level, and start-up goes on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { snapshotBound } from '@flowloft/decoder-wasm'
import {
  buildV9,
  syntheticTraffic,
  type TemplateDef,
  writePcap,
} from '@flowloft/decoder-wasm/testing'
import { createLogger } from '../../dist/observability/log.js'
import { Nfcapd, freeUdpPort, sendUdp, softflowd } from '../support/exporters.js'
import { eventually, metricValue, startTestService } from '../support/service.js'
import { requireTools } from '../support/tools.js'

type Totals = { flows: number; packets: number; bytes: number }
const TOTALS = 'SELECT count() AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM flows'

const junk = (id: number): TemplateDef => ({
  id,
  fields: [
    { id: 12, length: 4 },
    { id: 8, length: 4 },
    { id: 2, length: 4 },
    { id: 1, length: 4 },
  ],
})

/** `count` templates (IDs 256..) in v9 datagrams of 160. */
function flood(count: number): Uint8Array[] {
  const out: Uint8Array[] = []
  const header = { sysUptime: 5_000, unixSecs: Math.floor(Date.now() / 1000), sourceId: 0 }
  for (let i = 0; i < count; i += 160) {
    const ts = Array.from({ length: Math.min(160, count - i) }, (_, k) => junk(256 + i + k))
    out.push(buildV9(header, [{ templates: ts }]))
  }
  return out
}

/** Send in small steps: a loopback burst can overflow the socket buffer (not the test). */
async function paced(port: number, dgs: Uint8Array[], from: { address: string; port?: number }) {
  for (let i = 0; i < dgs.length; i += 8) {
    await sendUdp(port, dgs.slice(i, i + 8), from)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** 10,000 templates from 127.0.0.2, then 200 from each of 50 addresses 127.0.1.x. */
async function sendFlood(port: number): Promise<number> {
  await paced(port, flood(10_000), { address: '127.0.0.2', port: 9995 })
  for (let a = 1; a <= 50; a++)
    await paced(port, flood(200), { address: `127.0.1.${a}`, port: 9995 })
  return 10_000 + 50 * 200
}

const refusedSeries = (reason: string): string =>
  `flowloft_decoder_templates_refused_total{reason="${reason}"}`

/** The series that account for every flood datagram and template, for a failure message. */
const FLOOD_ACCOUNTS =
  /^flowloft_(decoder_templates_refused|decoder_templates_aged|listener_kernel_drops|listener_datagrams|decoder_datagrams|decode_dropped_datagrams|template_registry_entries)/

function floodAccounts(metrics: string): string {
  return metrics
    .split('\n')
    .filter((l) => FLOOD_ACCOUNTS.test(l))
    .join('; ')
}

void test('template flood from other addresses: the real exporter loses no flow, refusals are counted', async (t) => {
  if (!requireTools(t, 'softflowd', 'nfcapd', 'nfdump')) return
  const pcap = join(mkdtempSync(join(tmpdir(), 'fl-bounds-')), 'traffic.pcap')
  writePcap(pcap, syntheticTraffic({ flows: 3000, seed: 18, ipv6: 0.2 }))
  const svc = await startTestService({ 'decode.workers': 2 })
  const nf = new Nfcapd()
  try {
    await nf.start()
    const sent = await sendFlood(svc.netflowPort)
    const exported = await softflowd(
      pcap,
      [`127.0.0.1:${svc.netflowPort}`, `127.0.0.1:${nf.port}`],
      9,
    )
    const expected = await nf.totals()
    assert.equal(expected.flows, exported, 'nfcapd lost datagrams')
    let got: Totals | undefined
    await eventually(async () => {
      ;[got] = await svc.query<Totals>(TOTALS)
      return got?.flows === expected.flows
    })
    assert.deepEqual(got, expected)
    // Every flood template was decoded: stored or refused.
    await eventually(
      async () => metricValue(await svc.metrics(), refusedSeries('quota')) === 10_000 - 512,
    ).catch(async (e: unknown) => {
      throw new Error(`${String(e)}; ${floodAccounts(await svc.metrics())}`)
    })
    const m = await svc.metrics()
    const quota = metricValue(m, refusedSeries('quota'))
    const full = metricValue(m, refusedSeries('table_full'))
    assert.equal(quota, 10_000 - 512)
    assert.ok(full > 0)
    const entries = metricValue(m, 'flowloft_template_registry_entries')
    const bytes = metricValue(m, 'flowloft_template_registry_snapshot_bytes')
    assert.ok(entries <= 4096, `${entries} registry entries`)
    t.diagnostic(
      `flood of ${sent} templates from 51 addresses: real exporter ${got?.flows}/${expected.flows} flows (nfdump), ` +
        `${quota} refused (quota) + ${full} (table full) in the workers; registry ${entries} entries, snapshot ${bytes} bytes`,
    )
  } finally {
    await svc.stop()
  }
})

void test('restart after a template flood: bounded snapshot, the exporter decodes from its first datagram; a torn snapshot restores what is intact', async (t) => {
  const tpl: TemplateDef = {
    id: 256,
    fields: [
      { id: 8, length: 4 },
      { id: 12, length: 4 },
      { id: 4, length: 1 },
      { id: 1, length: 4 },
      { id: 2, length: 4 },
    ],
  }
  const header = { sysUptime: 100_000, unixSecs: Math.floor(Date.now() / 1000), sourceId: 7 }
  const data = (bytes: number): Uint8Array =>
    buildV9(header, [{ template: tpl, records: [['10.0.0.1', '8.8.8.8', 17, bytes, 1]] }])
  const from = { port: await freeUdpPort() }
  const count = async (s: { query: typeof first.query }): Promise<number> =>
    Number((await s.query<{ n: number }>('SELECT count() AS n FROM flows'))[0]?.n)

  const first = await startTestService()
  const dataDir = first.dataDir
  const file = join(dataDir, 'templates.bin')
  await sendUdp(first.netflowPort, [buildV9(header, [{ templates: [tpl] }]), data(1)], from)
  await eventually(async () => (await count(first)) === 1)
  await sendFlood(first.netflowPort)
  await eventually(
    async () => metricValue(await first.metrics(), 'flowloft_template_registry_entries') >= 4000,
  )
  await first.service.stop() // saves templates.bin, keeps the data dir
  const original = readFileSync(file)
  const size = statSync(file).size
  const bound = snapshotBound({ perExporter: 512, total: 4096 })
  assert.ok(size <= bound, `${size} > ${bound}`)

  for (const torn of [false, true]) {
    const lines: Record<string, unknown>[] = []
    const log = createLogger('info', {}, (l) =>
      lines.push(JSON.parse(l) as Record<string, unknown>),
    )
    let dir = dataDir
    if (torn) {
      // A fresh data dir holding only the snapshot, cut in the middle of the flood's sections.
      dir = mkdtempSync(join(tmpdir(), 'fl-torn-'))
      writeFileSync(join(dir, 'templates.bin'), original.subarray(0, Math.floor(size / 2)))
    }
    const svc = await startTestService({ data_dir: dir }, log)
    try {
      const msg = torn ? 'saved templates damaged; restored what was intact' : 'templates restored'
      const line = lines.find((l) => l['msg'] === msg)
      assert.ok(line, `no "${msg}" in ${JSON.stringify(lines.map((l) => l['msg']))}`)
      assert.equal(line['level'], torn ? 'warn' : 'info')
      const entries = Number(line['entries'])
      assert.ok(entries > 0 && entries <= 4096)
      if (torn) assert.ok((line['lostExporters'] as string[]).length > 0)
      // Data only, from the exporter's session: decoded at once with the restored template.
      const before = torn ? 0 : 1
      await sendUdp(svc.netflowPort, [data(200), data(300)], from)
      await eventually(async () => (await count(svc)) === before + 2)
      const m = await svc.metrics()
      assert.equal(
        metricValue(m, 'flowloft_decoder_held_sets_total'),
        0,
        'nothing waited for a template',
      )
      t.diagnostic(
        `${torn ? `torn snapshot (${Math.floor(size / 2)} of ${size} bytes)` : `snapshot ${size} bytes (bound ${bound})`}: ` +
          `${entries} entries restored${torn ? `, ${(line['lostExporters'] as string[]).length} exporter(s) lost, ${String(line['lostBytes'])} bytes` : ''}; exporter's data decoded from the first datagram`,
      )
    } finally {
      await (torn ? svc.stop() : svc.service.stop())
    }
  }
})
