// Scheduled jobs (node-cron). Inert until start(); stop() waits for a run in progress.
import cron, { type ScheduledTask } from 'node-cron'
import type { ClickHouseClient } from '@clickhouse/client'
import { clickhouseCode } from '../clickhouse/insert-errors.js'
import type { OptionalStatements } from '../clickhouse/optional-statements.js'
import { enforceDiskLimit } from '../clickhouse/retention.js'
import type { Placement } from '../clickhouse/cluster-placement.js'
import type { Logger } from '../observability/log.js'
import type { Registry } from '../observability/metrics.js'

export interface JobsOptions {
  client: ClickHouseClient
  /** retention.max_disk_bytes; 0 schedules nothing. */
  maxDiskBytes: number
  /** retention.check_schedule, a cron expression. */
  schedule: string
  /** One server (default) or a cluster, where the limit holds per shard. */
  placement?: Placement
  /** A refused partition drop is counted there and tried again at the next check. */
  optional?: OptionalStatements
  log: Logger
  metrics: Registry
}

export interface Jobs {
  start(): void
  stop(): Promise<void>
  /** One disk-size check now (what the schedule runs). */
  checkDisk(): Promise<void>
}

export function createJobs(o: JobsOptions): Jobs {
  if (!cron.validate(o.schedule)) {
    throw new Error(
      `retention.check_schedule is not a cron expression: ${JSON.stringify(o.schedule)}`,
    )
  }
  const droppedParts = o.metrics.counter(
    'flowloft_retention_dropped_partitions_total',
    'Partitions dropped because flowloft tables passed retention.max_disk_bytes',
    ['table'],
  )
  const droppedBytes = o.metrics.counter(
    'flowloft_retention_dropped_bytes_total',
    'Bytes on disk of the partitions dropped by the size limit',
    ['table'],
  )
  let task: ScheduledTask | undefined
  let running: Promise<void> | undefined

  const checkDisk = async (): Promise<void> => {
    try {
      for (const d of await enforceDiskLimit(o.client, o.maxDiskBytes, undefined, o.placement)) {
        droppedParts.inc({ table: d.table })
        droppedBytes.inc({ table: d.table }, d.bytes)
        o.log.warn('retention: dropped partition over the disk limit', { ...d })
      }
    } catch (err) {
      if (o.optional && clickhouseCode(err)?.name === 'ACCESS_DENIED')
        o.optional.refused('disk_limit_drop', 'flowloft.*', err)
      else o.log.error('retention: disk check failed', { error: (err as Error).message })
    }
  }

  return {
    checkDisk,
    start() {
      if (o.maxDiskBytes <= 0) return
      task = cron.schedule(
        o.schedule,
        async () => {
          running = checkDisk()
          await running
        },
        { name: 'retention-disk', noOverlap: true },
      )
    },
    async stop() {
      await task?.destroy()
      await running
    },
  }
}
