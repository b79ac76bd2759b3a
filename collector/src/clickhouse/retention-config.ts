// The retention.* settings: how long each table keeps its rows (applied as TTLs at start,
// retention.ts) and the disk limit the jobs check on a schedule (jobs/).
import { int, section, text } from '../config/index.js'
import type { RetentionDays } from './retention.js'

const rawDays = int({
  path: 'retention.raw_days',
  default: 15,
  min: 1,
  max: 3650,
  help: 'days raw flows are kept (TTL of flowloft.flows, applied at start)',
})
const rollup1mDays = int({
  path: 'retention.rollup_1m_days',
  default: 7,
  min: 1,
  max: 3650,
  help: 'days the per-minute rollup flows_1m is kept',
})
const rollup1hDays = int({
  path: 'retention.rollup_1h_days',
  default: 400,
  min: 1,
  max: 36500,
  help: 'days the per-hour rollup flows_1h is kept',
})
const countersDays = int({
  path: 'retention.counters_days',
  default: 30,
  min: 1,
  max: 3650,
  help: 'days sFlow counter samples (sflow_counters) are kept',
})
const systemLogDays = int({
  path: 'retention.system_log_days',
  default: 3,
  min: 0,
  max: 365,
  help: "days ClickHouse's own log tables (system.query_log and others that exist) are kept; 0 leaves them to the server's config (the appliance sets them in its config.d)",
})
const maxDiskBytes = int({
  path: 'retention.max_disk_bytes',
  default: 0,
  min: 0,
  max: 2 ** 50,
  help: 'when flowloft tables pass this many bytes on disk, their oldest partitions are dropped (raw first); 0 turns it off',
})
const checkSchedule = text({
  path: 'retention.check_schedule',
  default: '*/5 * * * *',
  help: 'cron schedule of the disk-size check',
})

export interface RetentionConfig extends RetentionDays {
  maxDiskBytes: number
  checkSchedule: string
}

export const RETENTION = section(
  [rawDays, rollup1mDays, rollup1hDays, countersDays, systemLogDays, maxDiskBytes, checkSchedule],
  (v): RetentionConfig => ({
    rawDays: v.get(rawDays),
    rollup1mDays: v.get(rollup1mDays),
    rollup1hDays: v.get(rollup1hDays),
    countersDays: v.get(countersDays),
    systemLogDays: v.get(systemLogDays),
    maxDiskBytes: v.get(maxDiskBytes),
    checkSchedule: v.get(checkSchedule),
  }),
)
