// The writer's spool side (writer.ts). keep() writes a batch that cannot be inserted now
// to the spool: counted; past spoolMaxBytes dropped and counted; while the spool or the
// disk under it refuses writes, the batch stays in memory and the spool is not tried
// again for maxBackoffMs. oldest() replays the spool's oldest file: deleted once stored,
// set aside (writer-set-aside.ts) when ClickHouse refuses its content, and otherwise left
// in place, still the oldest, for the writer to try again after its backoff.
import { classifyInsertError, IoError } from './insert-errors.js'
import type { Spool, SpoolEntry, SpoolHeader } from './spool.js'
import type { WriterMetrics } from './writer-metrics.js'
import type { SetAside } from './writer-set-aside.js'

export interface ReplayDeps {
  spool: Spool
  spoolMaxBytes: number
  maxBackoffMs: number
  metrics: Pick<WriterMetrics, 'spooledRows' | 'dropped'>
  insert(body: readonly Buffer[], h: SpoolHeader): Promise<void>
  reject: SetAside
  ioError(e: IoError): void
}

/** What became of the oldest file: its rows stored, set aside, gone, or still there. */
export type Replayed =
  | { kind: 'stored'; rows: number }
  | { kind: 'set_aside' | 'gone' }
  | { kind: 'failed'; err: unknown; rows: number }

export interface Replay {
  /** Write a batch to the spool; `kept` when it must stay in memory (written nowhere). */
  keep(h: SpoolHeader, chunks: readonly Buffer[], force?: boolean): 'spooled' | 'dropped' | 'kept'
  oldest(e: SpoolEntry): Promise<Replayed>
  /** An insert succeeded: the spool may be written again at once. */
  resume(): void
}

const LOW_SPACE = new Error('less free space left than a replay of the spool needs')

export function createReplay(d: ReplayDeps): Replay {
  /** Until then batches stay in memory: the spool (or the disk under it) refused a write. */
  let pausedUntil = 0
  return {
    keep(h, chunks, force = false) {
      if (!force && Date.now() < pausedUntil) return 'kept'
      const r = d.spool.put(h, chunks, d.spoolMaxBytes)
      if (r === 'ok') {
        d.metrics.spooledRows.inc({}, h.rows)
        return 'spooled'
      }
      if (r === 'full') {
        d.metrics.dropped.inc({ reason: 'spool_full' }, h.rows)
        return 'dropped'
      }
      d.ioError(r === 'low_space' ? new IoError('spool_write', LOW_SPACE, 'LOW_SPACE') : r)
      pausedUntil = Date.now() + d.maxBackoffMs
      return 'kept'
    },
    async oldest(e) {
      let h: SpoolHeader | undefined
      try {
        const file = d.spool.read(e)
        h = file.header
        await d.insert([file.body], h)
      } catch (err) {
        if (err instanceof IoError && err.op === 'spool_read' && err.code === 'ENOENT') {
          // Deleted by someone else since the start: nothing to replay.
          d.ioError(err)
          d.spool.removeOldest()
          return { kind: 'gone' }
        }
        const fault = classifyInsertError(err)
        if (fault.kind === 'content') {
          d.reject.spooled(d.spool, e.name, h?.rows ?? 0, fault.code, err)
          return { kind: 'set_aside' }
        }
        return { kind: 'failed', err, rows: h?.rows ?? 0 }
      }
      // Not deleted: forgotten until the next start, whose replay the token deduplicates.
      const left = d.spool.removeOldest()
      if (left) d.ioError(left)
      return { kind: 'stored', rows: h.rows }
    },
    resume() {
      pausedUntil = 0
    },
  }
}
