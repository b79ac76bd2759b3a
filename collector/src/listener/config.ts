// The listen.* settings: the UDP address of each protocol's socket (empty: none) and the
// receive buffer asked for each.
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

export interface ListenConfig {
  netflow: ListenAddress | null
  ipfix: ListenAddress | null
  sflow: ListenAddress | null
  receiveBuffer: number
}

export const LISTEN = section([netflow, ipfix, sflow, receiveBuffer], (v): ListenConfig => ({
  netflow: v.get(netflow),
  ipfix: v.get(ipfix),
  sflow: v.get(sflow),
  receiveBuffer: v.get(receiveBuffer),
}))
