// A home network's flows for the console's tests: a router (192.168.1.1) exporting
// NetFlow v9, a LAN 192.168.1.0/24 and 2001:db8:1::/64 with named devices (names as
// Pi-hole or DNS would give them) and one without a name, IPv4 and IPv6, requests and
// replies (so conversations pair), HTTPS, QUIC, DNS to the local Pi-hole, SSH.
// The router's interfaces: wan (1), lan (2) and wlan (3, the phone's).
// 30 minutes of flows, one per conversation and way each minute, all within the last hour.
import type { FixtureFlow } from './fixture-flows.js'

interface Remote {
  addr: string
  host: string
  as: number
  asName: string
  country: string
}

const NETFLIX: Remote = {
  addr: '198.51.100.10',
  host: 'www.netflix.com',
  as: 64496,
  asName: 'EXAMPLE-STREAM',
  country: 'US',
}
const VIDEO6: Remote = {
  addr: '2001:db8:ff::1',
  host: 'video.example.com',
  as: 64497,
  asName: 'EXAMPLE-VIDEO',
  country: 'NL',
}
const CLOUD: Remote = {
  addr: '203.0.113.7',
  host: 'cloud.example.net',
  as: 64500,
  asName: 'EXAMPLE-CLOUD',
  country: 'DE',
}
const BACKUP: Remote = {
  addr: '203.0.113.99',
  host: '',
  as: 64501,
  asName: 'EXAMPLE-BACKUP',
  country: 'FR',
}
const PIHOLE: Remote = { addr: '192.168.1.2', host: 'pihole.lan', as: 0, asName: '', country: '' }

/** One conversation: a local client, a server, bytes each way per minute. */
interface Talk {
  client: string
  clientHost: string
  server: Remote
  proto: 6 | 17
  port: number
  request: number
  reply: number
  internal?: boolean
}

/** The router's interfaces: index and name. */
export const HOME_INTERFACES = { wan: 1, lan: 2, wlan: 3 } as const
const IF_NAMES = ['', 'wan', 'lan', 'wlan']

export const HOME_DEVICES = {
  tv: { addr: '192.168.1.20', name: 'living-room-tv' },
  laptop: { addr: '192.168.1.30', name: 'laptop.lan' },
  phone: { addr: '2001:db8:1::40', name: 'phone.lan' },
  nas: { addr: '192.168.1.50', name: '' },
} as const

const TALKS: Talk[] = [
  {
    client: '192.168.1.20',
    clientHost: 'living-room-tv',
    server: NETFLIX,
    proto: 6,
    port: 443,
    request: 200_000,
    reply: 8_000_000,
  },
  {
    client: '2001:db8:1::40',
    clientHost: 'phone.lan',
    server: VIDEO6,
    proto: 17,
    port: 443,
    request: 100_000,
    reply: 3_000_000,
  },
  {
    client: '192.168.1.30',
    clientHost: 'laptop.lan',
    server: CLOUD,
    proto: 6,
    port: 443,
    request: 2_000_000,
    reply: 500_000,
  },
  {
    client: '192.168.1.30',
    clientHost: 'laptop.lan',
    server: PIHOLE,
    proto: 17,
    port: 53,
    request: 6_000,
    reply: 12_000,
    internal: true,
  },
  {
    client: '192.168.1.50',
    clientHost: '',
    server: BACKUP,
    proto: 6,
    port: 22,
    request: 1_500_000,
    reply: 40_000,
  },
]

export function homeNetworkFlows(minutes = 30): FixtureFlow[] {
  const flows: FixtureFlow[] = []
  for (let i = 0; i < minutes; i++) {
    const ago = 45 + i * 60
    for (const [k, t] of TALKS.entries()) {
      const cport = 40000 + k * 1000 + i
      const base = {
        exporter: '192.168.1.1',
        flow_type: 'netflow9',
        sampling_rate: 1,
        proto: t.proto,
        proto_name: t.proto === 6 ? 'TCP' : 'UDP',
        ago,
      } as const
      const s = t.server
      // Requests enter on the device's LAN side and leave on the WAN (or the LAN for the
      // Pi-hole); replies take the way back.
      const lan = t.client.includes(':') ? HOME_INTERFACES.wlan : HOME_INTERFACES.lan
      const far = t.internal ? HOME_INTERFACES.lan : HOME_INTERFACES.wan
      const ifs = (i: number, o: number) => ({
        in_if: i,
        out_if: o,
        in_if_name: IF_NAMES[i] ?? '',
        out_if_name: IF_NAMES[o] ?? '',
      })
      flows.push({
        ...base,
        ...ifs(lan, far),
        src_addr: t.client,
        dst_addr: s.addr,
        src_host: t.clientHost,
        dst_host: s.host,
        src_port: cport,
        dst_port: t.port,
        src_as: 0,
        dst_as: s.as,
        src_as_name: '',
        dst_as_name: s.asName,
        src_country: '',
        dst_country: s.country,
        direction: t.internal ? 'internal' : 'outbound',
        bytes: t.request,
        packets: Math.ceil(t.request / 1000),
      })
      flows.push({
        ...base,
        ...ifs(far, lan),
        src_addr: s.addr,
        dst_addr: t.client,
        src_host: s.host,
        dst_host: t.clientHost,
        src_port: t.port,
        dst_port: cport,
        src_as: s.as,
        dst_as: 0,
        src_as_name: s.asName,
        dst_as_name: '',
        src_country: s.country,
        dst_country: '',
        direction: t.internal ? 'internal' : 'inbound',
        bytes: t.reply,
        packets: Math.ceil(t.reply / 1000),
      })
    }
  }
  return flows
}
