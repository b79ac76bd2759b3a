// The writers' inserts on a cluster go to the Distributed tables, synchronously to every
// shard they touch (distributed_foreground_insert): a shard that cannot take its rows
// fails the insert, so the batch goes to the collector's spool and is retried with the
// same deduplication token, rather than waiting in a server's local queue where the
// token no longer helps. Async inserts are off there (each batch is already ~1 s of
// flows), and each insert names its collector in system.query_log (log_comment).
import type { Engine, RowsInsert } from './engine.js'

export function clusterInsertSettings(
  settings: RowsInsert['settings'],
  collectorId: string,
): RowsInsert['settings'] {
  const out: RowsInsert['settings'] = {}
  for (const [k, v] of Object.entries(settings)) if (!k.startsWith('async_insert')) out[k] = v
  delete out['wait_for_async_insert']
  return {
    ...out,
    async_insert: 0,
    distributed_foreground_insert: 1,
    // A repeat deduplicated in flows_local is dropped in the rollups' local tables too.
    deduplicate_blocks_in_dependent_materialized_views: 1,
    log_comment: `flowloft collector ${collectorId}`,
  }
}

export function clusterInserts(
  engine: Pick<Engine, 'insertRows'>,
  collectorId: string,
): Pick<Engine, 'insertRows'> {
  return {
    insertRows: (req) =>
      engine.insertRows({ ...req, settings: clusterInsertSettings(req.settings, collectorId) }),
  }
}
