// Deterministic synthetic traffic for tests and benchmarks: a home network talking to
// public hosts over TCP, UDP and ICMP, IPv4 and IPv6, with varied sizes and durations.
import type { Packet } from './pcap-write.js'

/** Small deterministic PRNG (mulberry32) so fixtures are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface TrafficOptions {
  flows: number
  seed?: number
  startMs?: number
  /** Share of IPv6 flows, 0..1 */
  ipv6?: number
  maxPacketsPerFlow?: number
}

const REMOTE_V4 = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '151.101.1.69',
  '140.82.112.3',
  '31.13.72.36',
]
const REMOTE_V6 = [
  '2001:4860:4860::8888',
  '2606:4700:4700::1111',
  '2a03:2880:f10c:83:face:b00c:0:25de',
]

/** Packets of `flows` conversations, sorted by time. */
export function syntheticTraffic(o: TrafficOptions): Packet[] {
  const rnd = prng(o.seed ?? 1)
  const start = o.startMs ?? 1_700_000_000_000
  const maxPk = o.maxPacketsPerFlow ?? 20
  const packets: Packet[] = []
  for (let f = 0; f < o.flows; f++) {
    const v6 = rnd() < (o.ipv6 ?? 0.2)
    const local = v6 ? `fd00::${(f % 200) + 10}` : `192.168.1.${(f % 200) + 10}`
    const remote = v6
      ? (REMOTE_V6[Math.floor(rnd() * REMOTE_V6.length)] ?? '2001:db8::1')
      : (REMOTE_V4[Math.floor(rnd() * REMOTE_V4.length)] ?? '192.0.2.1')
    const kind = rnd()
    const proto = kind < 0.6 ? 6 : kind < 0.9 ? 17 : v6 ? 58 : 1
    const srcPort = 1024 + ((f * 7919) % 60000)
    const dstPort =
      proto === 6 ? [443, 80, 22, 993][f % 4] : proto === 17 ? [53, 123, 443][f % 3] : 0
    const n = 1 + Math.floor(rnd() * maxPk)
    const t0 = start + Math.floor(rnd() * 20_000)
    const outbound = rnd() < 0.7
    for (let k = 0; k < n; k++) {
      const [src, dst] = outbound ? [local, remote] : [remote, local]
      const flags = proto !== 6 ? undefined : k === 0 ? 0x02 : k === n - 1 ? 0x11 : 0x18
      packets.push({
        timeMs: t0 + k * 50,
        src,
        dst,
        proto,
        srcPort: proto === 6 || proto === 17 ? srcPort : undefined,
        dstPort: proto === 6 || proto === 17 ? dstPort : undefined,
        tcpFlags: flags,
        icmpType: proto === 1 ? 8 : proto === 58 ? 128 : undefined,
        payloadBytes: Math.floor(rnd() * 1200),
        tos: f % 5 === 0 ? 0x28 : 0,
      })
    }
  }
  packets.sort((a, b) => a.timeMs - b.timeMs)
  return packets
}
