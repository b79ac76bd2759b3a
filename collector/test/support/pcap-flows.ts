// What a capture holds, per flow, as tshark reads it: the oracle for exporters that turn
// that capture into flow records. Bytes are IP lengths (IPv6: payload length + 40), as
// NetFlow, IPFIX and sFlow collectors count them.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface FlowTotals {
  packets: number
  bytes: number
}

/** A flow's key: addresses and protocol, and ports for TCP and UDP only. */
export function flowKey(src: string, dst: string, proto: number, sport = 0, dport = 0): string {
  const ports = proto === 6 || proto === 17 ? `${sport}|${dport}` : ''
  return `${src}|${dst}|${proto}|${ports}`
}

/** Per-flow packets and bytes of `pcap`, by flowKey. */
export async function pcapFlows(pcap: string): Promise<Map<string, FlowTotals>> {
  const fields = ['ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'ip.proto', 'ipv6.nxt']
  fields.push('tcp.srcport', 'udp.srcport', 'tcp.dstport', 'udp.dstport', 'ip.len', 'ipv6.plen')
  const { stdout } = await run(
    'tshark',
    ['-r', pcap, '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])],
    { maxBuffer: 1 << 28 },
  )
  const out = new Map<string, FlowTotals>()
  for (const line of stdout.split('\n')) {
    if (line === '') continue
    const [s4, s6, d4, d6, p4, p6, ts, us, td, ud, len4, plen6] = line.split('\t')
    const v6 = (s6 ?? '') !== ''
    const proto = Number(v6 ? p6 : p4)
    const key = flowKey(
      (v6 ? s6 : s4) ?? '',
      (v6 ? d6 : d4) ?? '',
      proto,
      Number(ts || us || 0),
      Number(td || ud || 0),
    )
    const bytes = v6 ? Number(plen6) + 40 : Number(len4)
    const t = out.get(key) ?? { packets: 0, bytes: 0 }
    t.packets += 1
    t.bytes += bytes
    out.set(key, t)
  }
  return out
}
