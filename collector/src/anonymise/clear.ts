// anonymise.clear_days: the last N days of flows also in clear. With it on, the decode
// workers store rows as decoded into flowloft.flows_clear (its TTL is the N days) and
// the view flows_clear_mv (clear-sql.ts) writes each one anonymised on to flowloft.flows,
// so rows older than N days exist only anonymised. At every start the collector loads
// the key into flowloft.anonymise_key (in memory only, sent as data: never in a
// statement's text, a stored definition or a file of the database) and makes the view
// for the configured mode; with clear_days 0 it drops the view and empties the key.
import type { ClickHouseClient } from '@clickhouse/client'
import type { Logger } from '../observability/log.js'
import { ttlDays } from '../clickhouse/retention.js'
import type { AnonymiseMode } from './config.js'
import { cryptoPanParts } from './crypto-pan.js'
import { CLEAR_TABLE, CLEAR_VIEW, clearViewSql, KEY_TABLE } from './clear-sql.js'

export interface ClearStorage {
  mode: Exclude<AnonymiseMode, 'none'>
  /** The key, 64 hex digits. */
  key: string
  days: number
}

/** Put the key into flowloft.anonymise_key (replacing what it held). */
export async function loadClearKey(client: ClickHouseClient, hexKey: string): Promise<void> {
  const { aes, pad } = cryptoPanParts(Buffer.from(hexKey, 'hex'))
  await client.command({ query: `TRUNCATE TABLE ${KEY_TABLE}` })
  await client.insert({
    table: KEY_TABLE,
    values: [{ id: 1, aes: aes.toString('hex'), pad: pad.toString('hex') }],
    format: 'JSONEachRow',
  })
}

/** Whether flowloft.anonymise_key holds a key (it is empty after a server restart). */
export async function clearKeyLoaded(client: ClickHouseClient): Promise<boolean> {
  const rs = await client.query({
    query: `SELECT length(joinGet('${KEY_TABLE}', 'aes', toUInt8(1))) = 32 AS loaded`,
    format: 'JSONEachRow',
  })
  const [row] = await rs.json<{ loaded: number | boolean }>()
  return Number(row?.loaded ?? 0) === 1
}

/** Make the database match the setting: key, view and TTL (on), or no view and no key (off). */
export async function prepareClearStorage(
  client: ClickHouseClient,
  clear: ClearStorage | null,
  log: Logger,
): Promise<void> {
  await client.command({ query: `DROP VIEW IF EXISTS ${CLEAR_VIEW}` })
  if (!clear) {
    await client.command({ query: `TRUNCATE TABLE ${KEY_TABLE}` })
    return
  }
  await loadClearKey(client, clear.key)
  await client.command({ query: clearViewSql(clear.mode) })
  const rs = await client.query({
    query: `SELECT engine_full FROM system.tables WHERE database = 'flowloft' AND name = 'flows_clear'`,
    format: 'JSONEachRow',
  })
  const [t] = await rs.json<{ engine_full: string }>()
  if (t && ttlDays(t.engine_full) !== clear.days)
    await client.command({
      query: `ALTER TABLE ${CLEAR_TABLE} MODIFY TTL time_received + INTERVAL ${clear.days} DAY`,
    })
  log.info('anonymise: flows of the last days are kept in clear in flows_clear', {
    clear_days: clear.days,
  })
}
