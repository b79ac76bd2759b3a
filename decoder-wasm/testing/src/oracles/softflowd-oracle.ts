// One oracle run: synthetic traffic -> pcap -> softflowd export (NetFlow v9 or IPFIX)
// -> our decoder, tshark's dissection of the same datagrams and nfdump's totals of them,
// each reduced to comparable flow tuples.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticTraffic } from '../builders/traffic.js'
import { writePcap, type Packet } from '../builders/pcap-write.js'
import { FlowHarness, type FlowRow } from '../harness/flow-harness.js'
import {
  nfdumpTotals,
  softflowdExport,
  tsharkFlows,
  type NfdumpTotals,
  type TsharkFields,
} from './oracle-tools.js'
import { writeUdpPcap } from '../builders/udp-capture.js'

export interface OracleRun {
  rows: FlowRow[]
  statuses: string[]
  /** Our records as tuples (counters divided back by the sampling rate). */
  ours: string[]
  /** tshark's records as the same tuples. */
  theirs: string[]
  nfdump: NfdumpTotals
  packets: Packet[]
  datagrams: number
}

/** [src, dst, srcPort, dstPort, proto, bytes, packets, tcpFlags, tos, direction, icmpType, icmpCode, start, end] */
type Tuple = [
  string,
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
]

const first = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[0] : v
const second = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[1] : undefined
const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v))

function ourTuple(r: FlowRow): Tuple {
  const rate = r.rate || 1
  return [
    r.src,
    r.dst,
    r.srcPort,
    r.dstPort,
    r.proto,
    r.bytes / rate,
    r.packets / rate,
    r.tcpFlags,
    r.tos,
    r.direction,
    r.icmpType,
    r.icmpCode,
    r.start,
    r.end,
  ]
}

/** tshark's "Nov 22, 2026 13:18:53.976000000 UTC" as unix ms. */
function tsharkDateMs(text: string): number {
  const m = /^(\w{3}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(text)
  if (!m) return NaN
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ]
  return Date.UTC(
    num(m[3]),
    months.indexOf(m[1] ?? ''),
    num(m[2]),
    num(m[4]),
    num(m[5]),
    num(m[6]),
    num(m[7]),
  )
}

const seconds = (v: string | undefined): number => Math.round(num(v) * 1000)

/** Flow times as the RFCs define them, from tshark's raw relative values. */
function times(f: TsharkFields, h: TsharkFields, sysInitMs: number | undefined): [number, number] {
  const startUp = seconds(first(f['cflow.timestart']))
  const endUp = seconds(first(f['cflow.timeend']))
  if (h['cflow.version'] === '9') {
    const exportMs = num(first(h['cflow.unix_secs'])) * 1000
    const up = seconds(first(h['cflow.sysuptime']))
    const at = (t: number): number => exportMs - ((up - t) | 0)
    return [at(startUp), at(endUp)]
  }
  if (sysInitMs === undefined) throw new Error('IPFIX flow before any systemInitTimeMilliseconds')
  // flowStart/EndSysUpTime are unsigned32 ms since init: near the uptime at export.
  const exportMs = num(first(h['cflow.exporttime'])) * 1000
  const up = exportMs - sysInitMs
  const at = (t: number): number => exportMs - ((up - t) | 0)
  return [at(startUp), at(endUp)]
}

function theirTuples(f: TsharkFields, h: TsharkFields, sysInitMs: number | undefined): Tuple[] {
  const [start, end] = times(f, h, sysInitMs)
  const src = first(f['cflow.srcaddr']) ?? first(f['cflow.srcaddrv6']) ?? ''
  const dst = first(f['cflow.dstaddr']) ?? first(f['cflow.dstaddrv6']) ?? ''
  const sport = num(first(f['cflow.srcport']))
  const dport = num(first(f['cflow.dstport']))
  const proto = num(first(f['cflow.protocol']))
  const tos = num(first(f['cflow.tos']))
  const direction = num(first(f['cflow.direction']))
  const v4icmp = first(f['cflow.icmp_type_code_ipv4'])
  const icmpType = v4icmp !== undefined ? num(v4icmp) >> 8 : num(first(f['cflow.icmp_ipv6_type']))
  const icmpCode = v4icmp !== undefined ? num(v4icmp) & 0xff : num(first(f['cflow.icmp_ipv6_code']))
  const bytes = num(first(f['cflow.octets']))
  const packets = num(first(f['cflow.packets']))
  const flags = num(first(f['cflow.tcpflags']))
  const rBytes = num(second(f['cflow.octets']))
  const rPackets = num(second(f['cflow.packets']))
  const out: Tuple[] = []
  const hasReverse = rBytes !== 0 || rPackets !== 0
  if (bytes !== 0 || packets !== 0 || !hasReverse) {
    out.push([
      src,
      dst,
      sport,
      dport,
      proto,
      bytes,
      packets,
      flags,
      tos,
      direction,
      icmpType,
      icmpCode,
      start,
      end,
    ])
  }
  if (hasReverse) {
    const rFlags = num(second(f['cflow.tcpflags']))
    const rDir = direction <= 1 ? 1 - direction : direction
    out.push([
      dst,
      src,
      dport,
      sport,
      proto,
      rBytes,
      rPackets,
      rFlags,
      tos,
      rDir,
      icmpType,
      icmpCode,
      start,
      end,
    ])
  }
  return out
}

export interface OracleOptions {
  version: 9 | 10
  softflowdArgs?: string[]
  flows?: number
  seed?: number
}

export async function runOracle(o: OracleOptions): Promise<OracleRun> {
  const dir = mkdtempSync(join(tmpdir(), `flowloft-oracle-v${o.version}-`))
  try {
    // Traffic from a minute ago: softflowd's 32-bit uptimes reach it from the export time.
    const packets = syntheticTraffic({
      flows: o.flows ?? 300,
      seed: o.seed ?? 7,
      startMs: Date.now() - 60_000,
      ipv6: 0.25,
    })
    writePcap(`${dir}/traffic.pcap`, packets)
    const exp = await softflowdExport(`${dir}/traffic.pcap`, dir, [
      '-v',
      String(o.version),
      ...(o.softflowdArgs ?? []),
    ])
    const h = new FlowHarness()
    const { rows, statuses } = h.decode(
      exp.datagrams.map((d) => d.payload),
      { exporter: '127.0.0.1', receivedMs: Date.now() },
    )
    // softflowd's v9 header count leaves some flowsets out and tshark stops at the count;
    // the copy tshark reads says 65535 so it dissects every flowset, as collectors do.
    const forTshark = exp.datagrams.map((d) => {
      const payload = d.payload.slice()
      if (o.version === 9) payload.set([0xff, 0xff], 2)
      return { ...d, payload }
    })
    writeUdpPcap(`${dir}/exports.pcap`, forTshark, exp.exporterPort, exp.port)
    const theirs: string[] = []
    let sysInitMs: number | undefined
    for (const { header, fields } of tsharkFlows(`${dir}/exports.pcap`, exp.port)) {
      const init = first(fields['cflow.sys_init_time'])
      if (init !== undefined) sysInitMs = tsharkDateMs(init)
      if (fields['cflow.octets'] === undefined) continue // options data
      for (const t of theirTuples(fields, header, sysInitMs)) theirs.push(JSON.stringify(t))
    }
    const nfdump = await nfdumpTotals(exp.datagrams, dir)
    return {
      rows,
      statuses,
      ours: rows.map((r) => JSON.stringify(ourTuple(r))).sort(),
      theirs: theirs.sort(),
      nfdump,
      packets,
      datagrams: exp.datagrams.length,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** First and last packet time of each synthetic flow, by endpoints, protocol and ports. */
export function truthTimes(
  packets: readonly Packet[],
): Map<string, { first: number; last: number; packets: number }> {
  const out = new Map<string, { first: number; last: number; packets: number }>()
  for (const p of packets) {
    const key = `${p.src}|${p.dst}|${p.proto}|${p.srcPort ?? 0}|${p.dstPort ?? 0}`
    const t = out.get(key)
    if (t) {
      t.first = Math.min(t.first, p.timeMs)
      t.last = Math.max(t.last, p.timeMs)
      t.packets++
    } else {
      out.set(key, { first: p.timeMs, last: p.timeMs, packets: 1 })
    }
  }
  return out
}
