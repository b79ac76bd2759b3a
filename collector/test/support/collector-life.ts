// The collector's work on ClickHouse, step by step, as the service does it: migrations,
// retention at start, an insert, the API's reads, the disk-limit job, a summaries run.
// For tests that take a grant away and ask which step the engine refuses.
import { openEngine } from '../../dist/clickhouse/engine.js'
import { FIXTURE_COLUMNS, fixtureRows } from './fixture-rows.js'
import { migrate } from '../../dist/clickhouse/migrate.js'
import { applyRetention, enforceDiskLimit } from '../../dist/clickhouse/retention.js'
import { createLogger } from '../../dist/observability/log.js'
import { summarizeWindow } from '../../dist/summaries/conversations.js'

export interface Refusal {
  step: string
  message: string
}

const RETENTION = {
  rawDays: 14,
  rollup1mDays: 6,
  rollup1hDays: 399,
  countersDays: 29,
  systemLogDays: 3,
}

/** Run every step on the embedded engine under `dataDir`; the first failure, if any. */
export async function collectorLife(dataDir: string): Promise<Refusal | undefined> {
  const engine = await openEngine({
    url: '',
    dataDir,
    limits: { maxExecutionSeconds: 30, maxResultRows: 1000 },
    log: createLogger('error'),
  })
  const now = Math.floor(Date.now() / 1000)
  const steps: [string, () => Promise<unknown>][] = [
    ['migrate', () => migrate(engine.client)],
    ['retention', () => applyRetention(engine.client, RETENTION)],
    [
      'insert',
      () =>
        engine.insertRows({
          table: 'flowloft.flows',
          columns: FIXTURE_COLUMNS,
          format: 'TabSeparated',
          body: [fixtureRows(0, 100, now - 60).tsv],
          settings: { async_insert: 0 },
        }),
    ],
    [
      'api read',
      () => engine.prepareReader().then(() => engine.read({ query: 'SELECT count() FROM flows' })),
    ],
    ['disk limit', () => enforceDiskLimit(engine.client, 1)],
    ['summaries', () => engine.jobs((c) => summarizeWindow(c, 5, now + 60, 10))],
  ]
  try {
    for (const [step, run] of steps) {
      try {
        await run()
      } catch (err) {
        return { step, message: (err as Error).message }
      }
    }
    return undefined
  } finally {
    await engine.close()
  }
}
