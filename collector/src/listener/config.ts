// The listen.* settings: the UDP address of each protocol's socket (empty: none), the
// receive buffer asked for each and how often a quiet one is read.
import { int, listen, section, type ListenAddress } from '../config/index.js'

const netflow = listen({
  path: 'listen.netflow',
  default: '0.0.0.0:2055',
  help: 'UDP address for NetFlow v1/v5/v6/v7/v9 and IPFIX (told apart by version); empty disables',
})
const ipfix = listen({
  path: 'listen.ipfix',
  default: '0.0.0.0:4739',
  help: 'UDP address for IPFIX; empty disables',
})
const sflow = listen({
  path: 'listen.sflow',
  default: '0.0.0.0:6343',
  help: 'UDP address for sFlow v5; empty disables',
})
const receiveBuffer = int({
  path: 'listen.receive_buffer',
  default: 32 << 20,
  min: 65536,
  max: 1 << 30,
  help: 'SO_RCVBUF asked for each UDP socket, bytes (the kernel may grant less: see net.core.rmem_max)',
})

const quietReadMs = int({
  path: 'listen.quiet_read_ms',
  default: 1000,
  min: 0,
  max: 10000,
  help: 'a quiet listener is read once per this many ms instead of at each datagram: fewer wake-ups. Quiet: a whole such time of its traffic, each datagram counted as its size plus 4 KiB, came to under a quarter of its receive buffer as the kernel reports it. Never with a buffer under 4 MiB as reported (net.core.rmem_max or listen.receive_buffer under 2 MiB), in the first such time after start or after a silence of about that long, or for 600 such times after the kernel dropped datagrams on it; 0 reads each datagram as it comes',
})

export interface ListenConfig {
  netflow: ListenAddress | null
  ipfix: ListenAddress | null
  sflow: ListenAddress | null
  receiveBuffer: number
  quietReadMs: number
}

export const LISTEN = section(
  [netflow, ipfix, sflow, receiveBuffer, quietReadMs],
  (v): ListenConfig => ({
    netflow: v.get(netflow),
    ipfix: v.get(ipfix),
    sflow: v.get(sflow),
    receiveBuffer: v.get(receiveBuffer),
    quietReadMs: v.get(quietReadMs),
  }),
)
