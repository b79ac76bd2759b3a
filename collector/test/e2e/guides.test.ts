// The exporter guide is the source of truth: the softflowd lines and pmacct configurations
// docs/exporters.md marks with `<!-- guide-test: NAME -->` are run here as written, with
// only the collector address (to this test's listeners) and the capture source (a pcap in
// place of `-i eth0` / `pcap_interface`) substituted. Each runs the real exporter into a
// real `flowloft serve` child (embedded engine, its own data dir), and what is stored is
// compared with tshark's reading of the same capture, flow by flow: equal totals, each
// record stored once, and for pmacct's sFlow the guide's sampling rate applied.
import { after, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Packet,
  PMACCT_SENTINEL as SENTINEL,
  syntheticTraffic,
  withPmacctTail,
  writePcap,
} from '@flowloft/decoder-wasm/testing'
import { SETTINGS } from '../../dist/settings.js'
import { collectorSettled } from '../support/collector-settled.js'
import { startChildService, type ChildService } from '../support/child-service.js'
import { runSoftflowd } from '../support/exporters.js'
import {
  guideBlock,
  pmacctConfig,
  pmacctValue,
  softflowdArgv,
  softflowdLines,
} from '../support/guide-blocks.js'
import { flowKey, pcapFlows, type FlowTotals } from '../support/pcap-flows.js'
import { runPmacctd } from '../support/pmacctd.js'
import { requireTools } from '../support/tools.js'

const LONG_FLOW = { src: '192.168.1.5', dst: '203.0.113.9', seconds: 150 }

/** pmacctd may cut the end of a savefile short: a tail of sentinels, compared apart. */
function withSentinels(packets: Packet[]): Packet[] {
  return withPmacctTail(
    packets,
    packets.reduce((t, p) => Math.max(t, p.timeMs), 0),
  )
}

/** Home traffic (TCP, UDP, ICMP, IPv4 and IPv6) and one download longer than 2 minutes. */
function homeTraffic(): Packet[] {
  const packets = syntheticTraffic({ flows: 300, seed: 7, ipv6: 0.2 })
  const t0 = packets[0]?.timeMs ?? 0
  for (let i = 0; i < LONG_FLOW.seconds; i++) {
    packets.push({
      timeMs: t0 + i * 1000,
      src: LONG_FLOW.src,
      dst: LONG_FLOW.dst,
      proto: 6,
      srcPort: 40000,
      dstPort: 443,
      tcpFlags: 0x18,
      payloadBytes: 1000,
    })
  }
  packets.sort((a, b) => a.timeMs - b.timeMs)
  return withSentinels(packets)
}

/** Enough equal packets (IP length 500) for 1-in-N sampling to be judged. */
const SAMPLED = { packets: 30_000, ipBytes: 500 }
function sampledTraffic(): Packet[] {
  const packets: Packet[] = []
  for (let i = 0; i < SAMPLED.packets; i++) {
    packets.push({
      timeMs: 1_700_000_000_000 + i,
      src: `192.168.1.${10 + (i % 50)}`,
      dst: '93.184.216.34',
      proto: 17,
      srcPort: 5000 + (i % 50),
      dstPort: 443,
      payloadBytes: SAMPLED.ipBytes - 28,
    })
  }
  return withSentinels(packets)
}

interface Capture {
  pcap: string
  /** tshark's per-flow totals of it, read once. */
  flows(): Promise<Map<string, FlowTotals>>
}

const captures = mkdtempSync(join(tmpdir(), 'fl-guides-'))
after(() => rmSync(captures, { recursive: true, force: true }))
const made = new Map<string, Capture>()

/** A capture written once for every test that replays it. */
function capture(name: string, packets: () => Packet[]): Capture {
  const known = made.get(name)
  if (known) return known
  const pcap = join(captures, `${name}.pcap`)
  writePcap(pcap, packets())
  let flows: Promise<Map<string, FlowTotals>> | undefined
  const c = { pcap, flows: () => (flows ??= pcapFlows(pcap)) }
  made.set(name, c)
  return c
}

interface Run {
  svc: ChildService
  /** Guide port (flowloft's default listen ports) -> this run's listener port. */
  ports: Map<number, number>
}

const LISTENERS = ['netflow', 'ipfix', 'sflow'] as const

/** A collector with its own data dir, listening for everything the guide may send to. */
async function start(t: TestContext): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'fl-guides-'))
  const svc = await startChildService(dir, {
    'listen-ipfix': '127.0.0.1:0',
    'listen-sflow': '127.0.0.1:0',
    'writer-batch-ms': 100,
  })
  t.after(async () => {
    await svc.kill()
    rmSync(dir, { recursive: true, force: true })
  })
  const ports = new Map<number, number>()
  for (const name of LISTENERS) {
    const fallback = SETTINGS.find((s) => s.path === `listen.${name}`)?.default
    if (typeof fallback !== 'string') throw new Error(`no default for listen.${name}`)
    const line = svc.logs.find((l) => l.msg === 'listening' && l['listener'] === name)
    ports.set(portOf(fallback), portOf(String(line?.['address'])))
  }
  return { svc, ports }
}

const portOf = (address: string): number => Number(address.split(':').pop())

interface StoredFlow extends FlowTotals {
  records: number
  types: string[]
  rates: number[]
}

/** What the collector stored, per flow (the key of pcapFlows). */
async function storedFlows(svc: ChildService): Promise<Map<string, StoredFlow>> {
  const rows = await svc.query<{
    src: string
    dst: string
    proto: number
    sport: number
    dport: number
    packets: string
    bytes: string
    records: string
    types: string[]
    rates: number[]
  }>(`SELECT replaceRegexpOne(IPv6NumToString(src_addr), '^::ffff:', '') AS src,
             replaceRegexpOne(IPv6NumToString(dst_addr), '^::ffff:', '') AS dst,
             proto, src_port AS sport, dst_port AS dport,
             sum(packets) AS packets, sum(bytes) AS bytes, count() AS records,
             groupUniqArray(toString(flow_type)) AS types,
             groupUniqArray(sampling_rate) AS rates
      FROM flows GROUP BY src, dst, proto, sport, dport`)
  const out = new Map<string, StoredFlow>()
  for (const r of rows) {
    const key = flowKey(r.src, r.dst, r.proto, r.sport, r.dport)
    const f = out.get(key) ?? { packets: 0, bytes: 0, records: 0, types: [], rates: [] }
    f.packets += Number(r.packets)
    f.bytes += Number(r.bytes)
    f.records += Number(r.records)
    f.types = [...new Set([...f.types, ...r.types])]
    f.rates = [...new Set([...f.rates, ...r.rates])]
    out.set(key, f)
  }
  return out
}

const totals = (m: Map<string, FlowTotals>): Record<string, FlowTotals> =>
  Object.fromEntries([...m].map(([k, v]) => [k, { packets: v.packets, bytes: v.bytes }]))
const isSentinel = (key: string): boolean => key.startsWith(`${SENTINEL}|`)
const records = (m: Map<string, StoredFlow>): number =>
  [...m.values()].reduce((n, f) => n + f.records, 0)

const FLOW_TYPE: Record<string, string> = { '5': 'netflow5', '9': 'netflow9', '10': 'ipfix' }

for (const line of softflowdLines(guideBlock('softflowd'))) {
  void test(`softflowd as the guide runs it: ${line}`, { timeout: 60_000 }, async (t) => {
    if (!requireTools(t, 'softflowd', 'tshark')) return
    const home = capture('home', homeTraffic)
    const [oracle, run] = await Promise.all([home.flows(), start(t)])
    const argv = softflowdArgv(line, home.pcap, run.ports)
    const exported = await runSoftflowd(argv)
    await collectorSettled(run.svc, [...run.ports.values()])

    const stored = await storedFlows(run.svc)
    assert.deepEqual(totals(stored), totals(oracle), 'per-flow packets and bytes as tshark')
    assert.equal(records(stored), exported, 'each record softflowd exported is stored once')
    const version = argv[argv.indexOf('-v') + 1] ?? '5'
    const types = new Set([...stored.values()].flatMap((f) => f.types))
    assert.deepEqual([...types], [FLOW_TYPE[version]])
    assert.deepEqual([...new Set([...stored.values()].flatMap((f) => f.rates))], [1])
  })
}

/** pmacctd's warnings about the configuration: none may be an unknown key. */
function assertKeysKnown(log: string): void {
  const unknown = log.split('\n').filter((l) => /Unknown key/i.test(l))
  assert.deepEqual(unknown, [], 'pmacctd knows every key of the guide')
}

void test('pmacct IPFIX (nfprobe) as the guide configures it', { timeout: 60_000 }, async (t) => {
  if (!requireTools(t, 'pmacctd', 'tshark')) return
  const block = guideBlock('pmacct-ipfix')
  const home = capture('home', homeTraffic)
  const [oracle, run] = await Promise.all([home.flows(), start(t)])
  const log = await runPmacctd(pmacctConfig(block, home.pcap, run.ports))
  assertKeysKnown(log)
  const timeouts = new Map(
    (pmacctValue(block, 'nfprobe_timeouts') ?? '').split(':').map((kv) => {
      const [k, v] = kv.split('=')
      return [k, v] as const
    }),
  )
  const maxlife = Number(timeouts.get('maxlife'))
  assert.ok(maxlife > 0 && maxlife < LONG_FLOW.seconds, `the guide's maxlife (${maxlife})`)
  assert.match(log, new RegExp(`Maximum lifetime: ${maxlife}s`))
  assert.match(log, new RegExp(`Expiry interval: ${timeouts.get('expint')}s`))
  await collectorSettled(run.svc, [...run.ports.values()])

  const expected = new Map(oracle)
  const stored = await storedFlows(run.svc)
  const sentinel = [...stored].find(([k]) => isSentinel(k))?.[1]
  assert.ok((sentinel?.packets ?? 0) <= 64, 'the tail pmacctd may cut is never counted twice')
  for (const m of [expected, stored]) for (const k of [...m.keys()]) if (isSentinel(k)) m.delete(k)
  assert.deepEqual(totals(stored), totals(expected), 'per-flow packets and bytes as tshark')

  const version = pmacctValue(block, 'nfprobe_version') ?? '10'
  const types = new Set([...stored.values()].flatMap((f) => f.types))
  assert.deepEqual([...types], [FLOW_TYPE[version]])
  // maxlife is an active timeout: the 150 s download is cut into several records (with
  // the default of a week it is one), which together hold its packets once.
  const long = stored.get(flowKey(LONG_FLOW.src, LONG_FLOW.dst, 6, 40000, 443))
  assert.ok((long?.records ?? 0) >= 2, `long flow in ${long?.records} records`)
  assert.equal(long?.packets, LONG_FLOW.seconds)
})

void test('pmacct sFlow (sfprobe) as the guide configures it', { timeout: 60_000 }, async (t) => {
  if (!requireTools(t, 'pmacctd')) return
  const block = guideBlock('pmacct-sflow')
  const rate = Number(pmacctValue(block, 'sampling_rate'))
  assert.ok(rate > 1, `the guide samples (sampling_rate: ${rate})`)
  const sampled = capture('sampled', sampledTraffic)
  const run = await start(t)
  const log = await runPmacctd(pmacctConfig(block, sampled.pcap, run.ports))
  assertKeysKnown(log)
  assert.match(log, new RegExp(`Sampling at: 1/${rate}\\b`))
  await collectorSettled(run.svc, [...run.ports.values()])

  const rows = await run.svc.query<{ rate: number; packets: string; bytes: string }>(
    `SELECT sampling_rate AS rate, packets, bytes FROM flows
      WHERE IPv6NumToString(src_addr) != '::ffff:${SENTINEL}'`,
  )
  // One row per sample, scaled by the rate the sample carries: the guide's.
  for (const r of rows) {
    assert.deepEqual(
      { rate: r.rate, packets: Number(r.packets), bytes: Number(r.bytes) },
      { rate, packets: rate, bytes: rate * SAMPLED.ipBytes },
    )
  }
  // pmacct picks 1 in N at random. The count of samples has mean P/N and a variance no
  // larger than binomial (its skips are uniform on 1..2N-1, which varies less); 5 sd
  // fails a correct run about once in 1.7 million. Sampling every packet (an ignored
  // key), or storing each sample twice, lands far outside.
  const p = 1 / rate
  const mean = SAMPLED.packets * p
  const sd = Math.sqrt(SAMPLED.packets * p * (1 - p))
  const estimate = rows.length * rate * SAMPLED.ipBytes
  assert.ok(
    Math.abs(rows.length - mean) <= 5 * sd,
    `${rows.length} samples of ${SAMPLED.packets} packets at 1/${rate}: expected ${mean} ± ${Math.ceil(5 * sd)}; ` +
      `bytes estimated ${estimate} for ${SAMPLED.packets * SAMPLED.ipBytes}`,
  )
})
