// Where flowloft's tables live. On one server each table is itself. On a cluster each
// table users know (`flows`, `flows_1m`, ...) is a Distributed table over `<name>_local`,
// a Replicated table on every shard; DDL runs ON CLUSTER.
export interface Placement {
  /** remote_servers name; '' for one server. */
  cluster: string
}

export const ONE_SERVER: Placement = { cluster: '' }

export const LOCAL_SUFFIX = '_local'

/** The table that holds the rows of `table` (its shard's local table on a cluster). */
export function localTable(p: Placement, table: string): string {
  return p.cluster === '' ? table : `${table}${LOCAL_SUFFIX}`
}

/** ` ON CLUSTER name`, or '' on one server. */
export function onCluster(p: Placement): string {
  return p.cluster === '' ? '' : ` ON CLUSTER ${p.cluster}`
}
