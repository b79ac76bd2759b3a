// The embedded engine's server configuration and users file, written under data_dir at
// every start. chdb enforces the users file on its `default` user (every session of the
// process runs as `default`), so `default` gets exactly what the collector needs: the
// flowloft database, reading system tables, nothing else. No file, URL or remote source
// grant: the writer reads its insert files with `INSERT ... FROM INFILE`, which needs
// none, and users' queries can reach no table function. The memory cap bounds every
// query and job together, so none of them can take the process down.
import { mkdirSync, writeFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { join } from 'node:path'

/** The database every flowloft table lives in. */
export const DATABASE = 'flowloft'

/** The grants of the collector on the flowloft database (the users.d `collector` user's). */
export const COLLECTOR_GRANTS = [
  'GRANT CREATE DATABASE ON flowloft.*',
  'GRANT ALL ON flowloft.*',
  'GRANT SELECT ON system.*',
] as const

export interface EngineFiles {
  /** `--config-file=` argument for the first session on the data directory. */
  configFile: string
  usersFile: string
}

/** Memory the host gives this process: the cgroup's limit where there is one. */
export function hostMemoryBytes(): number {
  const constrained = process.constrainedMemory()
  const total = totalmem()
  return constrained > 0 && constrained < total ? constrained : total
}

/** The engine's cap when none is configured: half of the host's memory. */
export function defaultEngineMemory(host = hostMemoryBytes()): number {
  return Math.floor(host / 2)
}

/** One user query's memory when none is configured: 1/8 of the host, 256 MiB to 4 GiB. */
export function defaultQueryMemory(host = hostMemoryBytes()): number {
  return Math.min(4 * 2 ** 30, Math.max(256 * 2 ** 20, Math.floor(host / 8)))
}

/** Text for an XML element's content. */
export function xmlText(t: string): string {
  return t.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/**
 * A users file whose only user, `default` (the one every chdb session runs as), has
 * these grants and profile settings, from loopback only.
 */
export function defaultUserXml(
  comment: string,
  grants: readonly string[],
  settings: Readonly<Record<string, string>> = {},
): string {
  const profile = Object.entries(settings)
    .map(([k, v]) => `      <${k}>${xmlText(v)}</${k}>`)
    .join('\n')
  const queries = grants.map((g) => `        <query>${xmlText(g)}</query>`).join('\n')
  return `<!-- ${comment} -->
<clickhouse>
  <profiles>
    <default>
${profile}
    </default>
  </profiles>
  <quotas><default></default></quotas>
  <users>
    <default>
      <password></password>
      <profile>default</profile>
      <quota>default</quota>
      <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
      <grants>
${queries}
      </grants>
    </default>
  </users>
</clickhouse>
`
}

/**
 * Server settings for a box that runs around the clock on a sliver of a core. ClickHouse's
 * memory worker reads the process's memory every 100 ms by default, and each of its ticks
 * cost about 1 ms of CPU on the 2-core bench machine: every 5 s, the engine alone used
 * 0.30% of a core idle against 0.40-0.42% at 1 s (docs/sizing.md). Every allocation is
 * still counted against the cap as it is made; a tick updates the resident memory the cap
 * is also checked against, and purges freed pages when memory runs short.
 */
export const ENGINE_SERVER_SETTINGS = {
  memory_worker_period_ms: 5000,
} as const

/**
 * How long each table's background tasks sleep after finding nothing to do; the sleep
 * grows x1.1 with each such run in a row, up to 600 s (an insert halves the count).
 * ClickHouse starts it at 0.1 s, so each of the schema's 19 MergeTree tables looked for a
 * merge about every second, and ran its second task (`BackgroundJobsAssignee:Streaming`)
 * as often: an idle engine woke about 35 times a second. An insert or a mutation still
 * starts the search at once, and a search that starts a merge runs again at once; only
 * the retries after "nothing to merge" wait longer (TTL merges, which nothing triggers,
 * within 10 minutes, as with ClickHouse's own backoff). Measured in docs/sizing.md.
 * ClickHouse reads these from the configuration at start; system.server_settings does
 * not list them.
 */
export const ENGINE_TASK_SLEEP = {
  background_processing_pool_thread_sleep_seconds_if_nothing_to_do: 5,
  background_streaming_processing_pool_thread_sleep_seconds_if_nothing_to_do: 60,
} as const

/** The engine's configuration: its users file, files and temporary paths under `dir`. */
export function engineConfigXml(dir: string, usersFile: string, maxMemoryBytes?: number): string {
  const serverSettings = Object.entries({ ...ENGINE_SERVER_SETTINGS, ...ENGINE_TASK_SLEEP })
    .map(([k, v]) => `  <${k}>${v}</${k}>`)
    .join('\n')
  const memory =
    maxMemoryBytes === undefined
      ? ''
      : `\n  <max_server_memory_usage>${Math.floor(maxMemoryBytes)}</max_server_memory_usage>`
  return `<clickhouse>
  <user_directories><users_xml><path>${xmlText(usersFile)}</path></users_xml></user_directories>${memory}
  <user_files_path>${xmlText(join(dir, 'user_files'))}/</user_files_path>
  <tmp_path>${xmlText(join(dir, 'tmp'))}/</tmp_path>
${serverSettings}
</clickhouse>
`
}

export function writeEngineFiles(dir: string, maxMemoryBytes: number): EngineFiles {
  mkdirSync(dir, { recursive: true })
  const usersFile = join(dir, 'users.xml')
  const configFile = join(dir, 'config.xml')
  writeFileSync(
    usersFile,
    defaultUserXml('Written by flowloft at start; edits are overwritten.', COLLECTOR_GRANTS),
  )
  writeFileSync(configFile, engineConfigXml(dir, usersFile, maxMemoryBytes))
  return { configFile, usersFile }
}
