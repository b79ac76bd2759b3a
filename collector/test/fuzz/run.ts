// Runs fuzz jobs in worker threads, a few at a time, with a watchdog: a decode call
// that has not returned within the time limit is a hang, and its worker is ended.
import { Worker } from 'node:worker_threads'
import type { Protocol } from './corpus.js'
import {
  P_DONE,
  P_FIRST,
  P_IN_CALL,
  PROGRESS_SLOTS,
  type FuzzJob,
  type ProtocolResult,
} from './job.js'

export interface FuzzOptions {
  protocols: readonly Protocol[]
  /** Datagrams per protocol. */
  count: number
  seed: number
  /** Datagrams per decode call (default 512). */
  batch?: number
  /** Protocols fuzzed at once, one worker each (default 1). */
  parallel?: number
  /** Longest one decode call may take before it counts as a hang (default 10 s). */
  callTimeoutMs?: number
  onResult?(r: ProtocolResult): void
}

function runOne(job: Omit<FuzzJob, 'progress'>, callTimeoutMs: number): Promise<ProtocolResult> {
  const progress = new SharedArrayBuffer(PROGRESS_SLOTS * 4)
  const slots = new Int32Array(progress)
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: { ...job, progress } satisfies FuzzJob,
  })
  return new Promise((resolve, reject) => {
    let done = -1
    let since = performance.now()
    let settled = false
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      clearInterval(watchdog)
      f()
    }
    const watchdog = setInterval(() => {
      const now = performance.now()
      const d = Atomics.load(slots, P_DONE)
      if (d !== done || Atomics.load(slots, P_IN_CALL) === 0) {
        done = d
        since = now
        return
      }
      if (now - since < callTimeoutMs) return
      const hang = { first: Atomics.load(slots, P_FIRST), count: job.batch, ms: now - since }
      finish(() => {
        void worker.terminate()
        resolve({
          protocol: job.protocol,
          datagrams: d,
          flows: 0,
          results: {},
          flowTypes: {},
          unaccounted: 0,
          traps: [],
          hang,
          maxCallMs: hang.ms,
          elapsedMs: 0,
        })
      })
    }, 100)
    worker.once('message', (r: ProtocolResult) => finish(() => resolve(r)))
    worker.once('error', (err) => finish(() => reject(err)))
    worker.once('exit', (code) =>
      finish(() =>
        reject(new Error(`fuzz worker for ${job.protocol} exited (${code}) with no result`)),
      ),
    )
  })
}

/** Fuzz every protocol; results in the order given. */
export async function runFuzz(o: FuzzOptions): Promise<ProtocolResult[]> {
  const results: ProtocolResult[] = []
  const queue = o.protocols.map((protocol, i) => ({ protocol, i }))
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const r = await runOne(
        { protocol: next.protocol, seed: o.seed, start: 0, count: o.count, batch: o.batch ?? 512 },
        o.callTimeoutMs ?? 10_000,
      )
      results[next.i] = r
      o.onResult?.(r)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, o.parallel ?? 1) }, lane))
  return results
}

/** Datagrams per second of one result. */
export function rate(r: ProtocolResult): number {
  return r.elapsedMs > 0 ? Math.round((r.datagrams / r.elapsedMs) * 1000) : 0
}

/** One line per protocol: count, speed, results by reason. */
export function formatResult(r: ProtocolResult): string {
  const reasons = Object.entries(r.results)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}=${n}`)
    .join(' ')
  const problems = [
    r.traps.length > 0 ? `TRAPS=${r.traps.length}` : '',
    r.hang ? `HANG at datagram ${r.hang.first}` : '',
    r.unaccounted !== 0 ? `NO RESULT=${r.unaccounted}` : '',
  ].filter((s) => s !== '')
  return (
    `${r.protocol.padEnd(8)} ${String(r.datagrams).padStart(9)} datagrams ${String(r.flows).padStart(10)} flows ` +
    `${String(rate(r)).padStart(8)}/s ${(r.elapsedMs / 1000).toFixed(1).padStart(6)} s ` +
    `max call ${r.maxCallMs.toFixed(1)} ms  ${problems.length > 0 ? `${problems.join(' ')}  ` : ''}${reasons}`
  )
}
