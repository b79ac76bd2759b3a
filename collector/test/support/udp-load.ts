// Sends datagrams to a collector at a steady rate (a live exporter) or as fast as the
// socket takes them (a burst), counting what the kernel accepted from us.
import { createSocket, type Socket } from 'node:dgram'

export class SteadySender {
  /** Datagrams handed to the kernel without error. */
  sent = 0
  /** Datagrams whose send reported an error. */
  failed = 0
  readonly #s: Socket
  readonly #port: number
  readonly #make: (i: number) => Uint8Array
  readonly #perTick: number
  #timer: NodeJS.Timeout | undefined
  #next = 0

  /**
   * `make(i)` builds the i-th datagram; `perSecond` is sent in 10 ms steps. With
   * `sourcePort` the sender keeps that port (shared: sendUdp may send from it too), as an
   * exporter does: its templates belong to its address and port.
   */
  constructor(
    port: number,
    make: (i: number) => Uint8Array,
    perSecond: number,
    sourcePort?: number,
  ) {
    this.#s = createSocket({ type: 'udp4', reuseAddr: sourcePort !== undefined })
    if (sourcePort !== undefined) this.#s.bind(sourcePort, '127.0.0.1')
    this.#port = port
    this.#make = make
    this.#perTick = Math.max(1, Math.round(perSecond / 100))
  }

  start(): void {
    this.#timer = setInterval(() => {
      for (let k = 0; k < this.#perTick; k++) this.#send(this.#next++)
    }, 10)
  }

  /** Stop sending at once (synchronously): nothing is sent after this returns. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Datagrams built so far (sent, failed or still in the socket's send path). */
  get made(): number {
    return this.#next
  }

  async close(): Promise<void> {
    this.stop()
    await new Promise<void>((r) => this.#s.close(() => r()))
  }

  #send(i: number): void {
    this.#s.send(this.#make(i), this.#port, '127.0.0.1', (err) => {
      if (err) this.failed++
      else this.sent++
    })
  }
}

/**
 * Send `count` datagrams as fast as the socket takes them, keeping `inFlight` sends
 * outstanding; resolves with how many the kernel accepted from us.
 */
export async function burst(
  port: number,
  make: (i: number) => Uint8Array,
  count: number,
  inFlight = 256,
): Promise<{ sent: number; failed: number }> {
  const s = createSocket('udp4')
  let sent = 0
  let failed = 0
  let next = 0
  await new Promise<void>((resolve) => {
    let pending = 0
    const pump = (): void => {
      while (pending < inFlight && next < count) {
        pending++
        s.send(make(next++), port, '127.0.0.1', (err) => {
          pending--
          if (err) failed++
          else sent++
          if (next < count) pump()
          else if (pending === 0) resolve()
        })
      }
    }
    pump()
  })
  await new Promise<void>((r) => s.close(() => r()))
  return { sent, failed }
}
