// Apps from DNS (docs/apps.md): which app each flow's remote host name belongs to. The
// list (bundled + `apps.overrides`) is loaded into ClickHouse at start, where the
// `app` column of flows is computed from it (schema/0006_apps.sql).
import type { ClickHouseClient } from '@clickhouse/client'
import type { AppsConfig } from './config.js'
import { loadBundledAppList, mergeAppLists } from './list.js'
import { loadAppDomains } from './table.js'

/** Loads the list into ClickHouse; the number of domains when the table changed, else 0. */
export async function loadAppList(client: ClickHouseClient, config: AppsConfig): Promise<number> {
  const list = mergeAppLists(loadBundledAppList(), config.overrides)
  return (await loadAppDomains(client, list)) ? list.length : 0
}
