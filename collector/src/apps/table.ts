// Loading the domain -> app list into ClickHouse's flowloft.app_domains (a Join table,
// schema/0006_apps.sql), which the MATERIALIZED `app` column of flows reads at every
// insert. Done at start, before any flow is written: the table is rewritten only when
// its rows differ from the list (another collector on the same server with the same
// list leaves it alone). On a cluster it is the table of the server the collector talks to.
import type { ClickHouseClient } from '@clickhouse/client'
import type { AppDomain } from './list.js'

const TABLE = 'flowloft.app_domains'

const key = (d: AppDomain): string => `${d.suffix}\t${d.app}\t${d.category}`

/** Makes the table hold exactly `list`; returns whether it changed it. */
export async function loadAppDomains(
  client: ClickHouseClient,
  list: readonly AppDomain[],
): Promise<boolean> {
  const r = await client.query({
    query: `SELECT suffix, app, category FROM ${TABLE}`,
    format: 'JSONEachRow',
  })
  const now = (await r.json<AppDomain>()).map(key).sort()
  const want = list.map(key).sort()
  if (now.length === want.length && now.every((k, i) => k === want[i])) return false
  await client.command({ query: `TRUNCATE TABLE ${TABLE}` })
  if (list.length > 0)
    await client.insert({
      table: TABLE,
      values: list.map((d) => ({ ...d })),
      format: 'JSONEachRow',
    })
  return true
}
