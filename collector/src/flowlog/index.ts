// The optional flow log: the decoded TSV blocks the writer inserts, appended as they are
// to data_dir/flowlog/flows.log (one line per flow, columns as in flowloft.flows and
// named by a `#fields` first line), rotated by size. Off the hot path: blocks are queued
// (bounded) and written asynchronously; what does not fit is counted, never waited for.
import { join } from 'node:path'
import { INSERT_COLUMNS } from '@flowloft/decoder-wasm'
import { createRotatingFile, type RotatingFile } from '../logfile/rotating-file.js'
import { rateLimited, type Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'
import type { FlowLogConfig } from './config.js'

export type { FlowLogConfig }

/** Blocks waiting for the disk beyond this are dropped (counted). */
const MAX_QUEUE_BYTES = 32 << 20

export const FLOW_LOG_HEADER = `#fields\t${INSERT_COLUMNS.join('\t')}`

export function flowLogPath(dataDir: string): string {
  return join(dataDir, 'flowlog', 'flows.log')
}

export interface FlowLog {
  /** One decoded TSV block of `rows` lines. */
  add(tsv: Buffer, rows: number): void
  /** Write what is queued and close the file. */
  stop(): Promise<void>
}

export interface FlowLogDeps {
  dataDir: string
  log: Logger
  metrics: Registry
}

export function createFlowLog(config: FlowLogConfig, d: FlowLogDeps): FlowLog {
  const written = d.metrics.counter(
    'flowloft_flow_log_rows_total',
    'Flows handed to the flow log, by outcome (queued for the file, or dropped because the queue was full)',
    ['result'],
  )
  const errors = d.metrics.counter(
    'flowloft_flow_log_write_errors_total',
    'Blocks of flows lost because writing or rotating the flow log failed',
  )
  const rotations = d.metrics.counter(
    'flowloft_flow_log_rotations_total',
    'Times the flow log reached flow_log.max_bytes and was rotated',
  )
  const warn = rateLimited(d.log)
  const file: RotatingFile = createRotatingFile({
    path: flowLogPath(d.dataDir),
    maxBytes: config.maxBytes,
    files: config.files,
    maxQueueBytes: MAX_QUEUE_BYTES,
    header: FLOW_LOG_HEADER,
    onError: (err) => {
      errors.inc()
      warn('flowlog-error', 'flow log: write failed, block lost', { error: err.message })
    },
    onRotate: () => rotations.inc(),
  })
  return {
    add(tsv, rows) {
      if (rows === 0) return
      if (file.write(tsv)) {
        written.inc({ result: 'queued' }, rows)
        return
      }
      written.inc({ result: 'dropped' }, rows)
      warn('flowlog-full', 'flow log: the disk is behind, flows dropped from the log', {
        queued_bytes: file.queuedBytes,
      })
    },
    stop: () => file.close(),
  }
}
