// Oracle test: pmacctd (sfprobe plugin) turns a synthetic pcap into real sFlow v5, which
// we decode and compare sample by sample with tshark's sFlow dissector, and in total with
// the packets of the original pcap (every packet is sampled at rate 1).
//
// pmacctd 1.7.7 reading a savefile exits by itself at the end (pcap_savefile_wait is off
// by default; its exit code is 0 or 1 depending on which process notices first) but may
// drop the last few packets still in its core->plugin buffer; with pcap_savefile_wait and
// a signal it instead resends part of a buffer. So the pcap ends
// with a tail of sentinel packets (198.51.100.1 -> .2, UDP 9) that are not compared.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { syntheticTraffic } from './builders/traffic.js'
import { writePcap, type Packet } from './builders/pcap-write.js'
import { decodeSflowDatagrams, type FlowRow } from './harness/sflow-decode.js'
import { requireTools } from './oracles/tools.js'
import { PMACCT_SENTINEL, withPmacctTail } from './oracles/pmacct-tail.js'

const run = promisify(execFile)
const OUT = fileURLToPath(new URL('../test-output/sflow-oracle/', import.meta.url))
const SENTINEL = PMACCT_SENTINEL
const IF_UNKNOWN = 0x3fffffff

interface Received {
  payload: Uint8Array
  port: number
}

function traffic(): Packet[] {
  const packets = syntheticTraffic({ flows: 60, seed: 21, ipv6: 0.3, maxPacketsPerFlow: 15 })
  packets.forEach((p, i) => {
    if (i % 5 === 0) p.vlan = 100 + (i % 3)
  })
  const last = packets.at(-1)?.timeMs ?? 0
  const icmp = { timeMs: last + 1, payloadBytes: 48 }
  packets.push(
    {
      ...icmp,
      src: '192.168.1.9',
      dst: '192.168.1.1',
      proto: 1,
      icmpType: 3,
      icmpCode: 3,
      vlan: 7,
    },
    { ...icmp, src: 'fd00::9', dst: 'fd00::1', proto: 58, icmpType: 1, icmpCode: 4 },
    { ...icmp, src: 'fd00::1', dst: 'fd00::9', proto: 58, icmpType: 129, icmpCode: 0, tos: 0xb8 },
  )
  return withPmacctTail(packets, last)
}

/** Run pmacctd over `pcap` with an sfprobe plugin and collect what it sends. */
async function exportSflow(
  pmacctd: string,
  pcap: string,
  name: string,
  probe: Record<string, string | number>,
) {
  const socket = createSocket('udp4')
  const received: Received[] = []
  socket.on('message', (msg, rinfo) =>
    received.push({ payload: new Uint8Array(msg), port: rinfo.port }),
  )
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const port = socket.address().port
  const lines = [
    `pcap_savefile: ${pcap}`,
    'plugins: sfprobe[probe]',
    `sfprobe_receiver[probe]: 127.0.0.1:${port}`,
  ]
  for (const [k, v] of Object.entries(probe)) lines.push(`${k}[probe]: ${v}`)
  const conf = join(OUT, `${name}.conf`)
  writeFileSync(conf, `${lines.join('\n')}\n`)
  try {
    await run(pmacctd, ['-f', conf], { timeout: 30_000 }).catch((e: unknown) => {
      // At the end of the file the core may see its plugin exit first and return 1
      // ("connection lost"); what was exported is checked below. A timeout is a failure.
      if (!(e instanceof Error && 'code' in e && typeof e.code === 'number')) throw e
    })
    await new Promise((r) => setTimeout(r, 500)) // datagrams still in flight
  } finally {
    socket.close()
  }
  const capture = join(OUT, `${name}.pcap`)
  writePcap(
    capture,
    received.map((r, i) => ({
      timeMs: 1_700_000_000_000 + i,
      src: '127.0.0.1',
      dst: '127.0.0.1',
      proto: 17,
      srcPort: r.port,
      dstPort: port,
      payloadBytes: r.payload.byteLength,
      payload: r.payload,
    })),
  )
  return { received, port, capture }
}

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {})
const str = (o: Json, k: string): string | undefined =>
  typeof o[k] === 'string' ? o[k] : undefined
const num = (o: Json, k: string, dflt = 0): number => {
  const s = str(o, k)
  return s === undefined ? dflt : Number(s)
}

/** What tshark says about one flow sample, in the shape of our flow rows. */
interface Expected {
  row: Partial<FlowRow>
  /** frame_length - L2 header - stripped, which must equal the IP length. */
  frameL3: number
}

async function tsharkSamples(tshark: string, capture: string, port: number): Promise<Expected[]> {
  const { stdout } = await run(
    tshark,
    [
      '-r',
      capture,
      '-d',
      `udp.port==${port},sflow`,
      '-T',
      'json',
      '--no-duplicate-keys',
      '-J',
      'sflow',
    ],
    { maxBuffer: 1 << 28 },
  )
  const frames = JSON.parse(stdout) as unknown[]
  const out: Expected[] = []
  for (const f of frames) {
    const sflow = obj(obj(obj(obj(f)['_source'])['layers'])['sflow'])
    for (const [key, value] of Object.entries(sflow)) {
      if (!key.startsWith('Flow sample')) continue
      const s = obj(value)
      const sw = obj(s['Extended switch data'])
      const raw = obj(s['Raw packet header'])
      const h = obj(raw['sflow_245.header_tree'])
      const eth = obj(h['eth'])
      const vlan = obj(h['vlan'])
      const ip = obj(h['ip'])
      const ip6 = obj(h['ipv6'])
      const tcp = obj(h['tcp'])
      const udp = obj(h['udp'])
      const icmp = obj(h['icmp'] ?? h['icmpv6'])
      const v6 = h['ipv6'] !== undefined
      const rate = num(s, 'sflow.flow_sample.sampling_rate')
      const l3 = v6 ? 40 + num(ip6, 'ipv6.plen') : num(ip, 'ip.len')
      const outTree = obj(s['sflow.flow_sample.output_interface_tree'])
      const outFormat = num(outTree, 'sflow.flow_sample.output_interface_format')
      const outValue = num(outTree, 'sflow.flow_sample.output_interface_value')
      const input = num(s, 'sflow.flow_sample.input_interface')
      const icmpPrefix = h['icmpv6'] !== undefined ? 'icmpv6' : 'icmp'
      const row: Partial<FlowRow> = {
        src: str(v6 ? ip6 : ip, v6 ? 'ipv6.src' : 'ip.src'),
        dst: str(v6 ? ip6 : ip, v6 ? 'ipv6.dst' : 'ip.dst'),
        proto: v6 ? num(ip6, 'ipv6.nxt') : num(ip, 'ip.proto'),
        tos: v6
          ? parseInt(str(ip6, 'ipv6.tclass') ?? '0', 16)
          : parseInt(str(ip, 'ip.dsfield') ?? '0', 16),
        ipVersion: v6 ? 6 : 4,
        srcPort: num(tcp, 'tcp.srcport', num(udp, 'udp.srcport')),
        dstPort: num(tcp, 'tcp.dstport', num(udp, 'udp.dstport')),
        tcpFlags: parseInt(str(tcp, 'tcp.flags') ?? '0', 16) & 0xfff,
        icmpType: num(icmp, `${icmpPrefix}.type`),
        icmpCode: num(icmp, `${icmpPrefix}.code`),
        srcMac: str(eth, 'eth.src'),
        dstMac: str(eth, 'eth.dst'),
        vlan: num(vlan, 'vlan.id', num(sw, 'sflow_245.vlan.in')),
        srcVlan: num(sw, 'sflow_245.vlan.in'),
        dstVlan: num(sw, 'sflow_245.vlan.out'),
        rate,
        packets: rate,
        bytes: l3 * rate,
        inIf: input === IF_UNKNOWN ? 0 : input,
        outIf: outFormat === 0 && outValue !== IF_UNKNOWN ? outValue : 0,
        sequence: num(s, 'sflow.flow_sample.sequence_number'),
        domain: num(s, 'sflow.flow_sample.index'),
        flowType: 20,
      }
      const l2 = 14 + (h['vlan'] !== undefined ? 4 : 0)
      const frameL3 =
        num(raw, 'sflow_245.header.frame_length') -
        l2 -
        num(raw, 'sflow_245.header.payload_stripped')
      out.push({ row, frameL3 })
    }
  }
  return out
}

/** The original packets as tshark reads them: a key per packet and its L3 length. */
async function originalPackets(
  tshark: string,
  pcap: string,
): Promise<{ key: string; l3: number }[]> {
  const fields = [
    'ip.src',
    'ip.dst',
    'ipv6.src',
    'ipv6.dst',
    'ip.proto',
    'ipv6.nxt',
    'ip.len',
    'ipv6.plen',
  ]
  const ports = ['tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport']
  const args = ['-r', pcap, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f']
  for (const f of [...fields, ...ports]) args.push('-e', f)
  const { stdout } = await run(tshark, args, { maxBuffer: 1 << 26 })
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [s4, d4, s6, d6, p4, p6, len4, plen6, ts, td, us, ud] = line.split('\t')
      const v6 = (s6 ?? '') !== ''
      const l3 = v6 ? 40 + Number(plen6) : Number(len4)
      const src = v6 ? s6 : s4
      const dst = v6 ? d6 : d4
      const proto = Number(v6 ? p6 : p4)
      const sport = Number(ts || us || 0)
      const dport = Number(td || ud || 0)
      return { key: `${src} ${dst} ${proto} ${sport} ${dport} ${l3}`, l3 }
    })
}

const keyOf = (f: FlowRow): string =>
  `${f.src} ${f.dst} ${f.proto} ${f.srcPort} ${f.dstPort} ${f.bytes / f.rate}`

function compareWithTshark(flows: FlowRow[], expected: Expected[]): void {
  assert.equal(flows.length, expected.length, 'one flow record per tshark flow sample')
  flows.forEach((f, i) => {
    const e = expected[i]
    assert.ok(e)
    const picked = Object.fromEntries(Object.keys(e.row).map((k) => [k, f[k as keyof FlowRow]]))
    assert.deepEqual(picked, e.row, `sample ${i}`)
    assert.equal(f.bytes / f.rate, e.frameL3, `sample ${i}: frame_length - L2 - stripped`)
  })
}

void test(
  'sFlow from pmacctd: field by field against tshark, totals against the pcap',
  { timeout: 55_000 },
  async (t) => {
    const tools = requireTools(t, ['pmacctd', 'tshark'], 'pmacct tshark')
    if (!tools) return
    const pmacctd = tools.get('pmacctd') ?? 'pmacctd'
    const tshark = tools.get('tshark') ?? 'tshark'
    mkdirSync(OUT, { recursive: true })
    const input = join(OUT, 'traffic.pcap')
    writePcap(input, traffic())
    const original = (await originalPackets(tshark, input)).filter(
      (p) => !p.key.startsWith(SENTINEL),
    )

    await t.test('rate 1, ingress ifIndex 3: every packet sampled once', async () => {
      const probe = {
        sampling_rate: 1,
        sfprobe_agentip: '192.0.2.10',
        sfprobe_direction: 'in',
        sfprobe_ifindex: 3,
      }
      const { received, port, capture } = await exportSflow(pmacctd, input, 'rate1', probe)
      const decoded = decodeSflowDatagrams(
        received.map((r) => r.payload),
        { exporter: '127.0.0.1' },
      )
      assert.ok(
        decoded.statuses.every((s) => s === 'ok'),
        decoded.statuses.join(','),
      )
      compareWithTshark(decoded.flows, await tsharkSamples(tshark, capture, port))
      const flows = decoded.flows.filter((f) => f.src !== SENTINEL)
      assert.ok(flows.every((f) => f.inIf === 3 && f.outIf === 0 && f.rate === 1))
      assert.deepEqual(
        flows.map(keyOf),
        original.map((p) => p.key),
        'the same packets in the same order',
      )
      assert.equal(
        flows.reduce((n, f) => n + f.packets, 0),
        original.length,
      )
      assert.equal(
        flows.reduce((n, f) => n + f.bytes, 0),
        original.reduce((n, p) => n + p.l3, 0),
      )
      assert.ok(flows.some((f) => f.vlan !== 0) && flows.some((f) => f.ipVersion === 6))
    })

    await t.test('rate 10, egress ifIndex 9: counters multiplied by the rate', async () => {
      const probe = {
        sampling_rate: 10,
        sfprobe_agentip: '192.0.2.10',
        sfprobe_direction: 'out',
        sfprobe_ifindex: 9,
      }
      const { received, port, capture } = await exportSflow(pmacctd, input, 'rate10', probe)
      const decoded = decodeSflowDatagrams(
        received.map((r) => r.payload),
        { exporter: '127.0.0.1' },
      )
      assert.ok(decoded.statuses.every((s) => s === 'ok'))
      compareWithTshark(decoded.flows, await tsharkSamples(tshark, capture, port))
      const flows = decoded.flows.filter((f) => f.src !== SENTINEL)
      assert.ok(
        flows.length > original.length / 30,
        `${flows.length} samples of ${original.length}`,
      )
      assert.ok(flows.length < original.length / 3, `${flows.length} samples of ${original.length}`)
      const left = new Map<string, number>()
      for (const p of original) left.set(p.key, (left.get(p.key) ?? 0) + 1)
      for (const f of flows) {
        assert.equal(f.rate, 10)
        assert.equal(f.packets, 10)
        assert.equal(f.inIf, 0)
        assert.equal(f.outIf, 9)
        const k = keyOf(f)
        const n = left.get(k) ?? 0
        assert.ok(n > 0, `sampled packet ${k} is in the pcap`)
        left.set(k, n - 1)
      }
    })
  },
)
