// Receives UDP datagrams on an ephemeral port and keeps them, so a test can write
// exactly what an exporter sent to a pcap file.
import { createSocket, type Socket } from 'node:dgram'
import type { CapturedDatagram } from '@flowloft/decoder-wasm'
import { type Packet, writePcap } from '@flowloft/decoder-wasm/testing'

/** A captured datagram as a packet to write again, received at `timeMs`. */
export function datagramPacket(d: CapturedDatagram, timeMs: number): Packet {
  return {
    timeMs,
    src: d.srcAddr,
    dst: d.dstAddr,
    proto: 17,
    srcPort: d.srcPort,
    dstPort: d.dstPort,
    payloadBytes: d.payload.byteLength,
    payload: d.payload,
  }
}

export class UdpRecorder {
  readonly packets: Packet[] = []
  #s: Socket | undefined
  port = 0

  async start(): Promise<void> {
    const s = createSocket('udp4')
    s.on('message', (msg, rinfo) => {
      this.packets.push({
        timeMs: Date.now(),
        src: rinfo.address,
        dst: '127.0.0.1',
        proto: 17,
        srcPort: rinfo.port,
        dstPort: this.port,
        payloadBytes: msg.byteLength,
        payload: new Uint8Array(msg),
      })
    })
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    this.port = s.address().port
    this.#s = s
  }

  async stop(): Promise<void> {
    const s = this.#s
    if (s) await new Promise<void>((r) => s.close(() => r()))
  }

  write(path: string): void {
    writePcap(path, this.packets)
  }
}
