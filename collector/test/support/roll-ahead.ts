// The scheduled rollups (clickhouse/rollup-schedule.ts) rolled past every stored row:
// the rows stored so far are rolled by the job's own code, and rows stored after (of
// times before the marks, now days ahead) reach them through their views, as a spool
// replayed after an outage does.
import type { ClickHouseClient } from '@clickhouse/client'
import { rollDue } from '../../dist/clickhouse/rollup-schedule.js'

export async function rollAhead(client: ClickHouseClient, days = 2): Promise<void> {
  await rollDue(client, { now: Math.floor(Date.now() / 1000) + days * 86400, settleSeconds: 0 })
}
