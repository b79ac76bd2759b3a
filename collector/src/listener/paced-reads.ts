// A quiet socket read in bursts: once a whole listen.quiet_read_ms of reading shows its
// traffic small next to the socket's receive buffer, the socket is read once per that time
// instead of at each datagram. Every read wakes the process: at 1,000 flows/s, 33
// wake-ups a second become one, and Node's main thread works about half as much
// (docs/sizing.md). Read at each datagram, as without it: a busier socket, the first
// window after start or a silence, a socket whose buffer is too small to hold a burst
// through a pause, and for a while after the kernel dropped datagrams on it. Node's dgram
// has no pause, so this stops and starts the socket's libuv handle; where the handle
// cannot be found (another Node.js), every datagram is read as it comes.
import type { Socket } from 'node:dgram'
import { setImmediate as nextTurn } from 'node:timers/promises'

interface UdpHandle {
  recvStart(): number
  recvStop(): number
}

/** libuv reads at most this many datagrams per turn of the event loop. */
const PER_TURN = 32
/**
 * What a queued datagram takes of the receive buffer beyond its payload, bytes: the
 * kernel charges its whole buffer (about payload + 1.3 KB on loopback, more on some
 * NICs), so this errs high.
 */
const PER_DATAGRAM = 4096
/**
 * A window is quiet while what it charged, times this, stays under the receive buffer
 * (as the kernel reports it: the limit it holds queued datagrams to): room for traffic
 * to grow fourfold within one pause.
 */
const HEADROOM = 4
/**
 * The least receive buffer (as reported) a socket is paused with: about a thousand
 * datagrams, the burst of an exporter flushing its cache. The kernel reports twice what
 * it grants, so pausing needs net.core.rmem_max of 2 MiB or more.
 */
export const MIN_PACED_BUFFER = 4 << 20
/** Windows read at each datagram after the kernel dropped datagrams on the socket. */
const AFTER_DROPS = 600
/** Turns of the loop drain() waits at most for a paused socket's queue to be read. */
const DRAIN_TURNS = 1024

export interface PacedReadOptions {
  /** listen.quiet_read_ms; 0: every datagram as it comes. */
  quietMs: number
  /** The least reported receive buffer to pause with (MIN_PACED_BUFFER). */
  minBuffer?: number
  /** The kernel's count of datagrams dropped on this socket (/proc/net/udp). */
  drops?: () => number
}

export interface PacedReads {
  /** Each datagram read, with its size, from the socket's `message` handler. */
  saw(bytes: number): void
  /** Read what is queued, and every datagram as it comes from now on (before close). */
  drain(): Promise<void>
  /** Pauses so far. */
  readonly pauses: number
}

const ALWAYS: PacedReads = { saw: () => undefined, drain: () => Promise.resolve(), pauses: 0 }

/** The libuv handle under a bound socket, where this Node.js keeps it. */
function udpHandle(socket: Socket): UdpHandle | undefined {
  const fields = socket as unknown as Record<symbol, unknown>
  for (const key of Object.getOwnPropertySymbols(socket)) {
    const h = (fields[key] as { handle?: Partial<UdpHandle> } | null | undefined)?.handle
    if (typeof h?.recvStart === 'function' && typeof h.recvStop === 'function')
      return h as UdpHandle
  }
  return undefined
}

export function pacedReads(socket: Socket, o: PacedReadOptions): PacedReads {
  const quietMs = o.quietMs
  const room = socket.getRecvBufferSize()
  const handle =
    quietMs > 0 && room >= (o.minBuffer ?? MIN_PACED_BUFFER) ? udpHandle(socket) : undefined
  if (!handle) return ALWAYS
  let seen = 0
  let inTurn = 0
  let pauses = 0
  /** What the current window charged, and when it began (-Infinity: none yet). */
  let charged = 0
  let windowStart = -Infinity
  /** What the reads since the last check charged (a burst read over several turns). */
  let sinceCheck = 0
  /** The window ended with a pause: judge it at the first turn after, even a little early. */
  let resumed = false
  let checking = false
  let draining = false
  let closed = false
  let drops = o.drops?.() ?? 0
  let unpacedWindows = 0
  let pause: NodeJS.Timeout | undefined

  const resume = (): void => {
    pause = undefined
    if (closed) return
    resumed = true
    handle.recvStart()
  }
  /** Whether the kernel dropped datagrams since the last look. */
  const dropped = (): boolean => {
    if (!o.drops) return false
    const now = o.drops()
    const rose = now > drops
    drops = now
    return rose
  }
  // After each turn that read datagrams, once the queue is empty: judge the window if it
  // is over, and pause for the next one if it was quiet.
  const check = (): void => {
    const full = inTurn >= PER_TURN
    inTurn = 0
    if (full) {
      setImmediate(check)
      return
    }
    checking = false
    const burst = sinceCheck
    sinceCheck = 0
    if (draining || closed) return
    const now = performance.now()
    const elapsed = now - windowStart
    // After start or a silence (two windows since the current one began), nothing is
    // known yet: watch a whole window first, counting what this read brought.
    if (elapsed >= 2 * quietMs) {
      windowStart = now
      charged = burst
      resumed = false
      return
    }
    if (elapsed < quietMs && !resumed) return
    resumed = false
    const quiet = charged * HEADROOM < room
    charged = 0
    windowStart = now
    if (unpacedWindows > 0) {
      unpacedWindows--
      return
    }
    if (!quiet) return
    if (dropped()) {
      unpacedWindows = AFTER_DROPS
      return
    }
    handle.recvStop()
    pauses++
    pause = setTimeout(resume, quietMs)
  }
  socket.once('close', () => {
    closed = true
    clearTimeout(pause)
  })

  return {
    saw(bytes) {
      seen++
      inTurn++
      const c = bytes + PER_DATAGRAM
      charged += c
      sinceCheck += c
      if (checking) return
      checking = true
      setImmediate(check)
    },
    async drain() {
      draining = true
      if (closed) return
      if (pause) {
        clearTimeout(pause)
        resume()
      }
      // Turns of the loop until one reads nothing (the first may end before any read);
      // also when a pause just ended and its queue is still being read, 32 a turn.
      await nextTurn()
      for (let before = -1, turns = 0; before !== seen && turns < DRAIN_TURNS; turns++) {
        before = seen
        await nextTurn()
      }
    },
    get pauses() {
      return pauses
    },
  }
}
