// clickhouse.cluster, checked: the name is written into SQL (ON CLUSTER, Distributed),
// so only a plain identifier is taken, and a cluster needs a server.
import { ConfigError } from '../config/index.js'

const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function clusterName(cluster: string, url: string): string {
  if (cluster !== '' && !CLUSTER_NAME.test(cluster))
    throw new ConfigError(
      `clickhouse.cluster must be a name of letters, digits and _ (not starting with a digit), got ${JSON.stringify(cluster)}`,
    )
  if (cluster !== '' && url === '')
    throw new ConfigError(
      'clickhouse.cluster needs clickhouse.url: the embedded engine is one server (docs/scaling.md)',
    )
  return cluster
}
