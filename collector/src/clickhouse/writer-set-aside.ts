// Batches ClickHouse refused for their content leave the writer's queue for the
// rejected folder (spool-quarantine.ts): a spool file is moved there (a rename, no
// space needed), a batch from memory is written there, and a note beside it says why
// and when. Either way its rows are counted as the `rejected` drop, the batch by the
// error's code, and one line is logged.
import type { Logger } from '../observability/log.js'
import { errorSummary, type IoError } from './insert-errors.js'
import { encodeSpool, type Spool, type SpoolHeader } from './spool.js'
import type { Quarantine } from './spool-quarantine.js'
import type { WriterMetrics } from './writer-metrics.js'

export interface SetAsideDeps {
  table: string
  quarantine: Quarantine
  metrics: Pick<WriterMetrics, 'rejected' | 'dropped'>
  log: Logger
  ioError(e: IoError): void
}

export interface SetAside {
  /** The spool's oldest file (`rows` from its header, 0 when unreadable). */
  spooled(spool: Spool, name: string, rows: number, code: string, err: unknown): void
  /** A batch from memory. */
  batch(h: SpoolHeader, chunks: readonly Buffer[], code: string, err: unknown): void
}

export function setAside(d: SetAsideDeps): SetAside {
  const done = (source: string, rows: number, code: string, err: unknown, file: string) => {
    if (file) {
      const error = errorSummary(err)
      const at = new Date().toISOString()
      const failed = d.quarantine.note(file, {
        table: d.table,
        source,
        code,
        error,
        rows,
        rejected_at: at,
      })
      if (failed) d.ioError(failed)
    }
    d.metrics.rejected.inc({ source, code })
    d.metrics.dropped.inc({ reason: 'rejected' }, rows)
    const pruned = d.quarantine.prune()
    d.log.warn('writer: ClickHouse refused a batch for its content; set aside, not retried', {
      table: d.table,
      source,
      code,
      rows,
      file: file || '(not kept: the file operation failed)',
      ...(pruned > 0 ? { prunedOldest: pruned } : {}),
      error: errorSummary(err),
    })
  }
  return {
    spooled(spool, name, rows, code, err) {
      const to = d.quarantine.pathFor(name)
      const failed = spool.moveOldest(to)
      if (failed) d.ioError(failed)
      done('spool', rows, code, err, failed ? '' : to)
    },
    batch(h, chunks, code, err) {
      const to = d.quarantine.pathFor(h.token)
      const failed = d.quarantine.write(to, encodeSpool(h, chunks))
      if (failed) d.ioError(failed)
      done('memory', h.rows, code, err, failed ? '' : to)
    },
  }
}
