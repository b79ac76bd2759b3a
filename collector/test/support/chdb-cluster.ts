// The embedded engine standing in for a cluster's servers, where it can: its
// configuration names a cluster (two shards of two replicas on loopback ports where
// nothing listens), so Distributed tables over it can be created and described, and a
// client that rewrites the cluster DDL into what one server without Keeper runs: ON
// CLUSTER dropped, each Replicated*MergeTree('path', '{replica}', args) as its plain
// twin, the Distributed system.parts as a view of this server's parts (shard 1). Reads
// through a Distributed table skip its unreachable shards (they return no rows), and
// inserts into one are queued in the background (a foreground insert fails at once),
// and INSERT ... SELECT between two runs here rather than on each shard.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ClickHouseClient } from '@clickhouse/client'
import { Session } from 'chdb'

export const TEST_CLUSTER = 'flowloft'

function configXml(cluster: string): string {
  const replica = (port: number): string =>
    `<replica><host>127.0.0.1</host><port>${port}</port></replica>`
  const shard = (a: number, b: number): string =>
    `<shard><internal_replication>true</internal_replication>${replica(a)}${replica(b)}</shard>`
  return `<clickhouse>
  <macros><shard>01</shard><replica>test-1-1</replica></macros>
  <remote_servers><${cluster}>${shard(1, 2)}${shard(3, 4)}</${cluster}></remote_servers>
</clickhouse>
`
}

/**
 * Open the engine directory under `dataDir` with a cluster in its configuration; every
 * later session on it in this process (openEngine's) shares that configuration.
 */
export function openChdbWithCluster(dataDir: string, cluster = TEST_CLUSTER): { close(): void } {
  const dir = resolve(dataDir, 'cluster-config')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'config.xml')
  writeFileSync(file, configXml(cluster))
  const holder = new Session(resolve(dataDir, 'clickhouse'), {
    connectionArgs: [`--config-file=${file}`],
  })
  return { close: () => holder.close() }
}

/** Cluster DDL as one server without Keeper runs it. */
export function substitute(sql: string, cluster = TEST_CLUSTER): string {
  return sql
    .replaceAll(` ON CLUSTER ${cluster}`, '')
    .replace(/Replicated(\w*MergeTree)\('[^']*', '[^']*'(?:, )?/g, '$1(')
    .replace(
      /^CREATE TABLE IF NOT EXISTS (\w+)\.cluster_parts AS system\.parts\s+ENGINE = Distributed\(\w+, system, parts\)$/,
      'CREATE VIEW IF NOT EXISTS $1.cluster_parts AS SELECT *, 1 AS _shard_num FROM system.parts',
    )
}

/**
 * A client that runs `substitute` on every statement it is given; `sent` sees each one
 * first, as flowloft wrote it.
 */
export function substituting(
  client: ClickHouseClient,
  sent: (statement: string) => void = () => undefined,
  cluster = TEST_CLUSTER,
): ClickHouseClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'command' && prop !== 'query')
        return Reflect.get(target, prop, receiver) as unknown
      return (params: { query: string; clickhouse_settings?: Record<string, unknown> }) => {
        sent(params.query)
        const fn = target[prop].bind(target) as (p: unknown) => unknown
        return fn({
          ...params,
          query: substitute(params.query, cluster),
          clickhouse_settings: {
            ...params.clickhouse_settings,
            skip_unavailable_shards: 1,
            distributed_foreground_insert: 0,
            parallel_distributed_insert_select: 0,
          },
        })
      }
    },
  })
}
