// UDP listeners: receive datagrams and pack them into batches for the decode pool.
// Sockets only: no decoding happens here.
import { createSocket, type Socket } from 'node:dgram'
import { DatagramBatch, type PackedBatch } from '@flowloft/decoder-wasm'
import { formatListen, type ListenAddress } from '../config/index.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import { udpErrors, udpSocketStats } from '../observability/proc-net.js'
import { createAddressCache, createLaneMap } from './exporter-address.js'

export interface ListenerSpec {
  name: 'netflow' | 'ipfix' | 'sflow'
  address: ListenAddress
}

export interface ListenerOptions {
  specs: ListenerSpec[]
  receiveBuffer: number
  batchDatagrams: number
  batchMs: number
  log: Logger
  metrics: Registry
  /**
   * Decoder lanes: each exporter (source address) is kept to one lane, assigned in turn
   * as exporters are first heard, so its datagrams are decoded in order.
   */
  lanes?: number
  onBatch(batch: PackedBatch, lane: number): void
  /** Source check before decoding (authorized senders); false drops the datagram. */
  accept?: (address: string, listener: string) => boolean
}

export interface BoundListener {
  name: string
  address: string
  port: number
}

export interface Listeners {
  start(): Promise<BoundListener[]>
  /** Stop receiving and hand over the partly filled batch. */
  stop(): Promise<void>
  readonly bound: BoundListener[]
}

const BATCH_BYTES = 4 << 20

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
  const laneCount = Math.max(1, o.lanes ?? 1)
  const batches = Array.from(
    { length: laneCount },
    () => new DatagramBatch(BATCH_BYTES, o.batchDatagrams),
  )
  const addressOf = createAddressCache()
  const laneOf = createLaneMap(laneCount)
  const sockets: Socket[] = []
  const bound: BoundListener[] = []
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  const flushLane = (lane: number): void => {
    const batch = batches[lane]
    if (batch && batch.count > 0) o.onBatch(batch.take(), lane)
  }
  const flush = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
    for (let lane = 0; lane < laneCount; lane++) flushLane(lane)
  }
  // One timer, armed by the first datagram after a flush: a quiet network wakes nothing.
  const armed = (): void => {
    if (timer || stopped) return
    timer = setTimeout(flush, o.batchMs)
    timer.unref()
  }

  const open = (spec: ListenerSpec): Promise<BoundListener> =>
    new Promise((resolve, reject) => {
      const s = createSocket({
        type: spec.address.host.includes(':') ? 'udp6' : 'udp4',
        recvBufferSize: o.receiveBuffer,
      })
      s.on('message', (msg, rinfo) => {
        received.inc({ listener: spec.name })
        receivedBytes.inc({ listener: spec.name }, msg.byteLength)
        if (o.accept && !o.accept(rinfo.address, spec.name)) return
        const lane = laneOf(rinfo.address)
        const batch = batches[lane] as DatagramBatch
        if (!batch.fits(msg.byteLength)) flushLane(lane)
        batch.add(msg, addressOf(rinfo.address), rinfo.port, Date.now())
        if (batch.count >= o.batchDatagrams) flushLane(lane)
        else armed()
      })
      s.once('error', reject)
      s.bind(spec.address.port, spec.address.host, () => {
        s.removeListener('error', reject)
        s.on('error', (err) =>
          o.log.error('udp socket error', { listener: spec.name, error: err.message }),
        )
        const a = s.address()
        sockets.push(s)
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
      stopped = true
      if (timer) clearTimeout(timer)
      timer = undefined
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))))
      flush()
    },
  }
}
