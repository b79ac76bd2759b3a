// UDP listeners: bind the sockets, count what arrives and hand each datagram on.
// Sockets only: batching and decoding happen in decode/.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { formatListen, type ListenAddress } from '../config/index.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { udpErrors, udpSocketStats } from '../observability/proc-net.js'
import { pacedReads, type PacedReads } from './paced-reads.js'

export interface ListenerSpec {
  name: 'netflow' | 'ipfix' | 'sflow'
  address: ListenAddress
}

export interface ListenerOptions {
  specs: ListenerSpec[]
  receiveBuffer: number
  /** listen.quiet_read_ms: a quiet socket is read once per this time (0: at each datagram). */
  quietReadMs?: number
  /** The least receive buffer, as the kernel reports it, to pause a socket with (paced-reads.ts). */
  quietReadMinBuffer?: number
  log: Logger
  metrics: Registry
  /** Every datagram received, after it is counted. */
  onDatagram(datagram: Buffer, from: RemoteInfo, listener: ListenerSpec['name']): void
}

export interface BoundListener {
  name: string
  address: string
  port: number
}

export interface Listeners {
  start(): Promise<BoundListener[]>
  /** Stop receiving: what the sockets hold is read, then every socket closed. */
  stop(): Promise<void>
  readonly bound: BoundListener[]
}

export function createListeners(o: ListenerOptions): Listeners {
  const received = o.metrics.counter('flowloft_listener_datagrams_total', 'Datagrams received', [
    'listener',
  ])
  const receivedBytes = o.metrics.counter(
    'flowloft_listener_bytes_total',
    'Bytes of datagrams received',
    ['listener'],
  )
  // The kernel's side: datagrams dropped before we read them (receive buffer full).
  const socketStats = (): Map<number, { drops: number; rxQueue: number }> =>
    udpSocketStats(bound.map((b) => b.port))
  o.metrics.counter(
    'flowloft_listener_kernel_drops_total',
    'Datagrams the kernel dropped on the listener sockets, receive buffer full (/proc/net/udp drops)',
    ['listener'],
    (m) => {
      const st = socketStats()
      for (const b of bound) m.set({ listener: b.name }, st.get(b.port)?.drops ?? 0)
    },
  )
  o.metrics.gauge(
    'flowloft_listener_receive_queue_bytes',
    "Bytes waiting in the listener sockets' kernel receive queues",
    ['listener'],
    (m) => {
      const st = socketStats()
      for (const b of bound) m.set({ listener: b.name }, st.get(b.port)?.rxQueue ?? 0)
    },
  )
  o.metrics.counter(
    'flowloft_kernel_udp_receive_buffer_errors_total',
    'Host-wide UDP datagrams dropped for a full receive buffer, by IP version (/proc/net/snmp RcvbufErrors)',
    ['ip'],
    (m) => {
      for (const e of udpErrors()) m.set({ ip: e.ip }, e.rcvbufErrors)
    },
  )
  o.metrics.counter(
    'flowloft_kernel_udp_in_errors_total',
    'Host-wide UDP datagrams that could not be delivered, by IP version (/proc/net/snmp InErrors)',
    ['ip'],
    (m) => {
      for (const e of udpErrors()) m.set({ ip: e.ip }, e.inErrors)
    },
  )
  const sockets: Socket[] = []
  const paces: PacedReads[] = []
  const bound: BoundListener[] = []

  const open = (spec: ListenerSpec): Promise<BoundListener> =>
    new Promise((resolve, reject) => {
      const s = createSocket({
        type: spec.address.host.includes(':') ? 'udp6' : 'udp4',
        recvBufferSize: o.receiveBuffer,
      })
      let pace: PacedReads | undefined
      s.on('message', (msg, rinfo) => {
        received.inc({ listener: spec.name })
        receivedBytes.inc({ listener: spec.name }, msg.byteLength)
        o.onDatagram(msg, rinfo, spec.name)
        pace?.saw(msg.byteLength)
      })
      s.once('error', reject)
      s.bind(spec.address.port, spec.address.host, () => {
        s.removeListener('error', reject)
        s.on('error', (err) =>
          o.log.error('udp socket error', { listener: spec.name, error: err.message }),
        )
        const a = s.address()
        sockets.push(s)
        pace = pacedReads(s, {
          quietMs: o.quietReadMs ?? 0,
          ...(o.quietReadMinBuffer !== undefined ? { minBuffer: o.quietReadMinBuffer } : {}),
          drops: () => udpSocketStats([a.port]).get(a.port)?.drops ?? 0,
        })
        paces.push(pace)
        resolve({ name: spec.name, address: a.address, port: a.port })
      })
    })

  return {
    bound,
    async start() {
      const short: string[] = []
      let granted = 0
      for (const spec of o.specs) {
        const b = await open(spec)
        bound.push(b)
        granted = sockets.at(-1)?.getRecvBufferSize() ?? 0
        o.log.info('listening', {
          listener: b.name,
          address: formatListen({ host: b.address, port: b.port }),
          receiveBuffer: granted,
        })
        // Linux reports twice what it grants, up to twice net.core.rmem_max.
        if (granted > 0 && granted < o.receiveBuffer) short.push(b.name)
      }
      // One warning for every listener the kernel shorted (the limit is system-wide).
      if (short.length > 0)
        o.log.warn(
          'the kernel gave a smaller UDP receive buffer than asked: bursts may be dropped',
          {
            listeners: short,
            asked: o.receiveBuffer,
            granted,
            fix: `sysctl -w net.core.rmem_max=${o.receiveBuffer} (and put net.core.rmem_max=${o.receiveBuffer} in /etc/sysctl.d/90-flowloft.conf)`,
          },
        )
      return bound
    },
    async stop() {
      // What a paused socket holds was received: read it before closing.
      await Promise.all(paces.map((p) => p.drain()))
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))))
    },
  }
}
