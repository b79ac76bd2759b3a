// Learning the prefixes delegated to a home, through a running collector (real decoding,
// real embedded ClickHouse): a LAN host with an ISP-delegated IPv6 address is transit
// until its /64 is learned from the flows entering on the LAN interface, then inbound /
// outbound; the learned set survives a restart; a flood of public sources on the LAN
// stops at the cap and is counted; exporters without input interfaces (softflowd) or
// with prefixes of their own learn nothing; a scheduled run skips its query while no
// flow was stored since the last, and still forgets; pmacctd's nfprobe as a real
// exporter.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildV9,
  type FieldValue,
  type Packet,
  type TemplateDef,
  writePcap,
} from '@flowloft/decoder-wasm/testing'
import { freeUdpPort, sendUdp } from '../../support/exporters.js'
import { nfprobeExport } from '../../support/pmacct-nfprobe.js'
import {
  eventually,
  metricValue,
  startTestService,
  type TestService,
} from '../../support/service.js'
import { requireTools } from '../../support/tools.js'
import { LIMITS } from '../../../dist/learned-prefixes/index.js'

const COMMON = [10, 14, 4, 1, 2, 22, 21].map((id) => ({
  id,
  length: id === 10 || id === 14 ? 2 : id === 4 ? 1 : 4,
}))
const V4: TemplateDef = {
  id: 256,
  fields: [{ id: 8, length: 4 }, { id: 12, length: 4 }, ...COMMON],
}
const V6: TemplateDef = {
  id: 257,
  fields: [{ id: 27, length: 16 }, { id: 28, length: 16 }, ...COMMON],
}

/** One flow: source, destination, input and output ifIndex; `bytes` marks a phase. */
type Flow = [src: string, dst: string, inIf: number, outIf: number]

const ROUTER = '127.0.0.2' // sends input interfaces
const SOFT = '127.0.0.3' // input interface always 0, as softflowd
const CONF = '127.0.0.4' // has enrich.exporter_prefixes of its own
const GUA = '2001:db8:1::10'
const REMOTE6 = '2001:db8:ff::1'

/** A home: LAN (ifIndex 2) with private hosts and GUA hosts, WAN (ifIndex 1). */
function homeFlows(): Flow[] {
  const f: Flow[] = []
  for (let i = 0; i < 20; i++) f.push([`192.168.1.${10 + i}`, '203.0.113.5', 2, 1])
  f.push([GUA, REMOTE6, 2, 1], ['2001:db8:1::20', '2001:db8:ff::2', 2, 1])
  f.push(['2001:db8:1:0:aaaa::1', '2001:db8:ff::3', 2, 1])
  for (let i = 0; i < 20; i++) f.push([`203.0.113.${i + 1}`, '192.168.1.10', 1, 2])
  f.push([REMOTE6, GUA, 1, 2], ['198.51.100.7', '192.168.1.11', 1, 2])
  // The ISP's CGNAT-side resolver answers on the WAN: local sources there too, but far
  // fewer than the inbound flows, so the WAN is not taken for an inside interface.
  for (let i = 0; i < 12; i++) f.push(['100.64.0.1', '192.168.1.10', 1, 2])
  return f
}

function datagrams(flows: Flow[], bytes: number, noIf = false): Uint8Array[] {
  const header = { sysUptime: 100_000, unixSecs: Math.floor(Date.now() / 1000), sourceId: 1 }
  const rec = ([src, dst, i, o]: Flow): FieldValue[] => [
    src,
    dst,
    noIf ? 0 : i,
    noIf ? 0 : o,
    17,
    bytes,
    1,
    90_000,
    99_000,
  ]
  const out = [buildV9(header, [{ templates: [V4, V6] }])]
  for (const [tpl, family] of [
    [V4, (f: Flow) => !f[0].includes(':')],
    [V6, (f: Flow) => f[0].includes(':')],
  ] as const) {
    const mine = flows.filter(family)
    for (let k = 0; k < mine.length; k += 20)
      out.push(buildV9(header, [{ template: tpl, records: mine.slice(k, k + 20).map(rec) }]))
  }
  return out
}

async function send(svc: TestService, from: string, flows: Flow[], bytes: number, noIf = false) {
  const count = async (): Promise<number> =>
    (await svc.query<{ n: number }>('SELECT count() AS n FROM flowloft.flows'))[0]?.n ?? 0
  const before = await count()
  await sendUdp(svc.netflowPort, datagrams(flows, bytes, noIf), {
    address: from,
    port: await freeUdpPort(),
  })
  await eventually(async () => (await count()) === before + flows.length)
}

/**
 * Until the flow writer has counted `n` rows stored: it counts once its insert returns,
 * which can be just after they are visible to a count.
 */
async function writerStored(svc: TestService, n: number): Promise<void> {
  await eventually(async () => metricValue(await svc.metrics(), 'flowloft_writer_rows_total') === n)
}

async function directions(svc: TestService, exporter: string, bytes: number) {
  const rows = await svc.query<{ src: string; d: string }>(
    `SELECT replaceRegexpOne(toString(src_addr), '^::ffff:', '') AS src, toString(direction) AS d
     FROM flowloft.flows WHERE exporter = toIPv6('::ffff:${exporter}') AND bytes = ${bytes}
     ORDER BY src`,
  )
  return Object.fromEntries(rows.map((r) => [r.src, r.d]))
}

void test('a delegated /64 is learned from the LAN interface and survives a restart', async () => {
  const svc = await startTestService({
    'enrich.exporter_prefixes': { [CONF]: ['10.99.0.0/16'] },
  })
  let second: TestService | undefined
  try {
    const collector = svc.service
    await send(svc, ROUTER, homeFlows(), 100)
    await send(svc, SOFT, homeFlows(), 100, true)
    await send(svc, CONF, homeFlows(), 100)
    // Before learning: the GUA host's traffic is transit, the private hosts' is not.
    const before = await directions(svc, ROUTER, 100)
    assert.equal(before[GUA], 'transit')
    assert.equal(before[REMOTE6], 'transit')
    assert.equal(before['192.168.1.10'], 'outbound')

    const run = await collector.learner.runNow()
    assert.deepEqual(
      run?.added.map((a) => [a.exporter, a.prefix, a.evidence]),
      [[ROUTER, '2001:db8:1::/64', 'inside_source']],
      'only the LAN /64 of the exporter that sends interfaces, not the internet addresses',
    )
    assert.equal(run?.refused, 0)
    assert.deepEqual(collector.learner.learned(SOFT), [])
    assert.deepEqual(collector.learner.learned(CONF), [])
    const m = await svc.metrics()
    assert.equal(metricValue(m, `flowloft_enrich_learned_prefixes{exporter="${ROUTER}"}`), 1)
    assert.equal(metricValue(m, 'flowloft_enrich_learn_runs_total{result="ok"}'), 1)

    const api = (await (await fetch(`${svc.httpBase}/api/exporters?from=-1h`)).json()) as {
      exporters: Array<{ exporter: string; local_prefixes: string[]; learned_prefixes: unknown[] }>
    }
    const byAddr = new Map(api.exporters.map((e) => [e.exporter, e]))
    assert.deepEqual(byAddr.get(ROUTER)?.local_prefixes, ['2001:db8:1::/64'])
    assert.equal(byAddr.get(ROUTER)?.learned_prefixes.length, 1)
    assert.deepEqual(byAddr.get(CONF)?.local_prefixes, ['10.99.0.0/16'])
    assert.deepEqual(byAddr.get(SOFT)?.local_prefixes, [])

    // Later flows: outbound / inbound for the router; unchanged for the other two.
    const later: Flow[] = [
      [GUA, REMOTE6, 2, 1],
      [REMOTE6, GUA, 1, 2],
    ]
    for (const e of [ROUTER, SOFT, CONF]) await send(svc, e, later, 200, e === SOFT)
    assert.deepEqual(await directions(svc, ROUTER, 200), {
      [GUA]: 'outbound',
      [REMOTE6]: 'inbound',
    })
    for (const e of [SOFT, CONF])
      assert.deepEqual(await directions(svc, e, 200), { [GUA]: 'transit', [REMOTE6]: 'transit' })

    // A restart reads the learned set back before any run.
    const dataDir = svc.dataDir
    const saved = JSON.parse(readFileSync(join(dataDir, 'learned-prefixes.json'), 'utf8')) as {
      exporters: Record<string, Array<{ prefix: string }>>
    }
    assert.deepEqual(
      saved.exporters[ROUTER]?.map((p) => p.prefix),
      ['2001:db8:1::/64'],
    )
    await svc.service.stop()
    second = await startTestService({ data_dir: dataDir })
    await send(second, ROUTER, later, 300)
    assert.deepEqual(await directions(second, ROUTER, 300), {
      [GUA]: 'outbound',
      [REMOTE6]: 'inbound',
    })
    assert.equal(
      metricValue(await second.metrics(), `flowloft_enrich_learned_prefixes{exporter="${ROUTER}"}`),
      1,
    )
  } finally {
    if (second) await second.stop()
    else await svc.stop()
  }
})

void test('a flood of public sources on the LAN stops at the cap and is counted', async () => {
  const svc = await startTestService()
  try {
    const flood: Flow[] = []
    for (let i = 0; i < 30; i++) flood.push([`192.168.1.${10 + i}`, '203.0.113.5', 2, 1])
    // 200 spoofed sources, each in a /64 of its own, entering on the LAN interface.
    for (let i = 0; i < 200; i++) flood.push([`2001:db8:100:${i.toString(16)}::1`, REMOTE6, 2, 1])
    await send(svc, ROUTER, flood, 100)
    const learner = svc.service.learner
    const first = await learner.runNow()
    const cap = LIMITS.perExporter
    assert.equal(first?.added.length, cap)
    assert.equal(first?.refused, 200 - cap)
    assert.equal(learner.learned(ROUTER).length, cap)
    const refused = 'flowloft_enrich_learned_prefixes_refused_total{cap="exporter"}'
    assert.equal(metricValue(await svc.metrics(), refused), 200 - cap)
    // The next run learns nothing more and counts again.
    const again = await learner.runNow()
    assert.equal(again?.added.length, 0)
    assert.equal(learner.learned(ROUTER).length, cap)
    const m = await svc.metrics()
    assert.equal(metricValue(m, refused), 2 * (200 - cap))
    assert.equal(metricValue(m, `flowloft_enrich_learned_prefixes{exporter="${ROUTER}"}`), cap)
  } finally {
    await svc.stop()
  }
})

void test('a scheduled run reads the flows only when some were stored since the last', async () => {
  const svc = await startTestService()
  try {
    const learner = svc.service.learner
    const runs = async (result: string): Promise<number | undefined> =>
      metricValue(await svc.metrics(), `flowloft_enrich_learn_runs_total{result="${result}"}`)
    await send(svc, ROUTER, homeFlows(), 100)
    await writerStored(svc, homeFlows().length)
    const first = await learner.scheduledRun()
    assert.notEqual(first, 'skipped', 'the first run always reads the flows')
    assert.deepEqual(
      first !== 'skipped' ? first?.added.map((a) => [a.exporter, a.prefix]) : 'skipped',
      [[ROUTER, '2001:db8:1::/64']],
    )
    // Nothing stored since: an idle collector's runs skip the query, and count it.
    assert.equal(await learner.scheduledRun(), 'skipped')
    assert.equal(await learner.scheduledRun(), 'skipped')
    assert.equal(await runs('skipped'), 2)
    assert.equal(await runs('ok'), 1)
    // A second exporter's flows arrive after the skips: the next run reads and learns.
    const other = '127.0.0.5'
    await send(svc, other, homeFlows(), 100)
    await writerStored(svc, 2 * homeFlows().length)
    const next = await learner.scheduledRun()
    assert.deepEqual(
      next !== 'skipped' ? next?.added.map((a) => [a.exporter, a.prefix]) : 'skipped',
      [[other, '2001:db8:1::/64']],
    )
    assert.equal(await learner.scheduledRun(), 'skipped')
    // An explicit run reads whatever was stored.
    const now = await learner.runNow()
    assert.deepEqual(now?.added, [])
    assert.equal(await runs('ok'), 3)
    assert.equal(await runs('skipped'), 3)
  } finally {
    await svc.stop()
  }
})

void test('a skipped run still forgets what was not seen for forgetSeconds', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-learn-forget-'))
  const gone = '127.0.0.9'
  // Learned long ago, last seen just under forgetSeconds ago: forgotten 15 s from now.
  const now = Math.floor(Date.now() / 1000)
  const lastSeen = now - LIMITS.forgetSeconds + 15
  const entry = {
    prefix: '2001:db8:9::/64',
    evidence: 'inside_source',
    learned_at: now - 20 * 86400,
    last_seen: lastSeen,
  }
  writeFileSync(
    join(dataDir, 'learned-prefixes.json'),
    JSON.stringify({ version: 1, exporters: { [gone]: [entry] } }),
  )
  const svc = await startTestService({ data_dir: dataDir })
  try {
    const learner = svc.service.learner
    assert.deepEqual(
      learner.learned(gone).map((p) => p.prefix),
      ['2001:db8:9::/64'],
    )
    await send(svc, ROUTER, homeFlows(), 100)
    await writerStored(svc, homeFlows().length)
    assert.notEqual(await learner.scheduledRun(), 'skipped')
    assert.equal(learner.learned(gone).length, 1, 'not yet past forgetSeconds')
    const wait = (lastSeen + LIMITS.forgetSeconds + 1) * 1000 - Date.now()
    await new Promise((r) => setTimeout(r, Math.max(0, wait)))
    assert.equal(await learner.scheduledRun(), 'skipped')
    assert.deepEqual(learner.learned(gone), [])
    assert.equal(learner.learned(ROUTER).length, 1, 'what was seen lately stays')
    const saved = JSON.parse(readFileSync(join(dataDir, 'learned-prefixes.json'), 'utf8')) as {
      exporters: Record<string, unknown[]>
    }
    assert.equal(saved.exporters[gone], undefined)
    assert.equal(saved.exporters[ROUTER]?.length, 1)
  } finally {
    await svc.stop()
  }
})

void test('enrich.learn_prefixes off: no run, nothing learned or saved', async () => {
  const svc = await startTestService({ 'enrich.learn_prefixes': false })
  try {
    await send(svc, ROUTER, homeFlows(), 100)
    assert.equal(await svc.service.learner.runNow(), undefined)
    assert.deepEqual(svc.service.learner.learned(ROUTER), [])
    assert.equal(existsSync(join(svc.dataDir, 'learned-prefixes.json')), false)
    assert.equal((await directions(svc, ROUTER, 100))[GUA], 'transit')
  } finally {
    await svc.stop()
  }
})

void test('pmacctd nfprobe as the exporter: the LAN /64 is learned, not the remote one', async (t) => {
  if (!requireTools(t, 'pmacctd')) return
  const dir = mkdtempSync(join(tmpdir(), 'fl-learn-pmacct-'))
  const at = Date.now() - 60_000
  const udp = (i: number, src: string, dst: string, sp: number, dp: number): Packet => ({
    timeMs: at + i * 10,
    src,
    dst,
    proto: 17,
    srcPort: sp,
    dstPort: dp,
    payloadBytes: 50,
  })
  const lan: Packet[] = []
  const wan: Packet[] = []
  for (let i = 0; i < 30; i++) {
    lan.push(udp(i, `192.168.1.${10 + (i % 5)}`, '203.0.113.5', 40000 + i, 443))
    wan.push(udp(i, '203.0.113.5', `192.168.1.${10 + (i % 5)}`, 443, 40000 + i))
  }
  for (let i = 0; i < 10; i++) {
    lan.push(udp(40 + i, GUA, REMOTE6, 50000 + i, 443))
    wan.push(udp(40 + i, REMOTE6, GUA, 443, 50000 + i))
  }
  writePcap(join(dir, 'lan.pcap'), lan)
  writePcap(join(dir, 'wan.pcap'), wan)
  const svc = await startTestService()
  try {
    nfprobeExport(join(dir, 'lan.pcap'), svc.netflowPort, 2)
    nfprobeExport(join(dir, 'wan.pcap'), svc.netflowPort, 1)
    await eventually(async () => {
      const [r] = await svc.query<{ n: number }>('SELECT count() AS n FROM flowloft.flows')
      return r?.n === 80
    })
    const run = await svc.service.learner.runNow()
    assert.deepEqual(
      run?.added.map((a) => [a.exporter, a.prefix]),
      [['127.0.0.1', '2001:db8:1::/64']],
    )
  } finally {
    await svc.stop()
  }
})
