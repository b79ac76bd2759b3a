// The settings of the ClickHouse side: where it is and how much memory the embedded
// engine takes (clickhouse.*), the limits of users' queries (query.*) and the writer's
// batches and spool (writer.*). Retention is retention-config.ts.
import { bool, int, section, text, url as urlSetting } from '../config/index.js'
import { collectorId } from './collector-id.js'
import { clusterName } from './cluster-name.js'
import type { QueryLimits } from './read-sessions.js'

const url = urlSetting({
  path: 'clickhouse.url',
  default: '',
  flag: 'clickhouse-url',
  secret: true,
  help: 'ClickHouse server URL (http://user:pass@host:8123/db); empty runs the embedded engine under data_dir',
})
const maxMemoryBytes = int({
  path: 'clickhouse.max_memory_bytes',
  default: 0,
  min: 0,
  max: 2 ** 42,
  help: 'memory cap of the embedded engine (all queries, inserts and merges); 0 means half of the host or its cgroup limit',
})

export interface ClickHouseConfig {
  url: string
  maxMemoryBytes: number
  /** A remote_servers name to run on (clickhouse/cluster-*.ts); empty: one server. */
  cluster: string
  /** The rollup job (jobs/rollups.ts); false: the views feed every row. */
  scheduledRollups: boolean
}

const collectorIdSetting = text({
  path: 'collector.id',
  default: '',
  help: "this collector's name among several writing to one ClickHouse (letters, digits, . _ -, at most 64): on /metrics (flowloft_collector_info), in the schema lock and schema_migrations.applied_by; empty: the host name",
})

/** This collector among several on one ClickHouse. */
export const COLLECTOR = section([collectorIdSetting], (v) => ({
  id: collectorId(v.get(collectorIdSetting)),
}))

const cluster = text({
  path: 'clickhouse.cluster',
  default: '',
  help: 'ClickHouse cluster (a remote_servers name: letters, digits, _) to run on: migrations ON CLUSTER, Replicated tables per shard behind Distributed ones under the usual names (docs/scaling.md); needs clickhouse.url; empty: one server',
})

const scheduledRollups = bool({
  path: 'clickhouse.scheduled_rollups',
  default: true,
  help: 'fill flows_hosts_1h, flows_hosts_1d and flows_pairs_1d by the rollup job once an hour or a day is over instead of on every insert (less CPU per flow); set false on every collector when several write to one server (docs/scaling.md): their views then feed every row',
})

export const CLICKHOUSE = section([url, maxMemoryBytes, cluster, scheduledRollups], (v) => ({
  url: v.get(url),
  maxMemoryBytes: v.get(maxMemoryBytes),
  cluster: clusterName(v.get(cluster), v.get(url)),
  scheduledRollups: v.get(scheduledRollups),
}))

const maxExecutionSeconds = int({
  path: 'query.max_execution_seconds',
  default: 30,
  min: 1,
  max: 3600,
  help: 'time limit of a query from the API or CLI',
})
const maxResultRows = int({
  path: 'query.max_result_rows',
  default: 100000,
  min: 1,
  max: 100000000,
  help: 'most rows a query from the API may return',
})
const maxResultBytes = int({
  path: 'query.max_result_bytes',
  default: 64 << 20,
  min: 1024,
  max: 1 << 30,
  help: 'largest answer, in bytes, a query from the API or CLI may return',
})
const queryMemoryBytes = int({
  path: 'query.max_memory_bytes',
  default: 0,
  min: 0,
  max: 2 ** 40,
  help: 'memory one query from the API or CLI, or one job, may use; 0 means 1/8 of the host (256 MiB to 4 GiB)',
})
const concurrency = int({
  path: 'query.concurrency',
  default: 2,
  min: 1,
  max: 16,
  help: 'queries from the API or CLI that run at once; more wait in order (32 at most, then 503)',
})

export type QueryConfig = Required<QueryLimits>

export const QUERY = section(
  [maxExecutionSeconds, maxResultRows, maxResultBytes, queryMemoryBytes, concurrency],
  (v): QueryConfig => ({
    maxExecutionSeconds: v.get(maxExecutionSeconds),
    maxResultRows: v.get(maxResultRows),
    maxResultBytes: v.get(maxResultBytes),
    maxMemoryBytes: v.get(queryMemoryBytes),
    concurrency: v.get(concurrency),
  }),
)

const batchRows = int({
  path: 'writer.batch_rows',
  default: 500000,
  min: 1,
  max: 10000000,
  help: 'rows per insert into ClickHouse; at most max(1 M, 4 x batch_rows) rows wait in memory, and batches waiting behind a running insert are joined up to half that',
})
const batchMs = int({
  path: 'writer.batch_ms',
  default: 5000,
  min: 10,
  max: 600000,
  help: 'longest a decoded flow waits before it is inserted (every insert makes parts that ClickHouse merges again: fewer, larger inserts cost less CPU per flow)',
})
const quietBatchMs = int({
  path: 'writer.quiet_batch_ms',
  default: 30000,
  min: 0,
  max: 600000,
  help: "embedded engine: while traffic is light (a writer.batch_ms window holds fewer than writer.batch_rows / 10 rows), the window stretches up to this, cut sooner once it holds writer.batch_rows / 10 rows; an API or console read first inserts what has waited longer than writer.batch_ms; the rows held are journaled under data_dir/spool/journal, so a crash or power cut loses only what the OS had not yet written; past about 30 s (the kernel's dirty-page expiry) the journal is written to disk as well, about 240 bytes a flow; 0 or below writer.batch_ms: no stretch",
})
const spoolMaxBytes = int({
  path: 'writer.spool_max_bytes',
  default: 1 << 30,
  min: 0,
  max: 2 ** 42,
  help: 'bytes of batches kept under data_dir/spool while ClickHouse is away, the journal of the rows in memory (data_dir/spool/journal) included; past it new batches are dropped and rows are held without a journal record (counted); 0: no spool and no journal',
})

export interface WriterConfig {
  batchRows: number
  batchMs: number
  quietBatchMs: number
  spoolMaxBytes: number
}

export const WRITER = section(
  [batchRows, batchMs, quietBatchMs, spoolMaxBytes],
  (v): WriterConfig => ({
    batchRows: v.get(batchRows),
    batchMs: v.get(batchMs),
    quietBatchMs: v.get(quietBatchMs),
    spoolMaxBytes: v.get(spoolMaxBytes),
  }),
)
