// One collector at a time applies migrations, also when several start together against
// one ClickHouse. The lock is a table: CREATE TABLE without IF NOT EXISTS succeeds for
// exactly one caller on a server (the others get TABLE_ALREADY_EXISTS), and on a
// cluster Keeper's DDL queue orders two ON CLUSTER creates the same way on every host.
// The holder's name and a nonce are the table's comment; the holder rewrites the
// comment every quarter lease (which moves the table's metadata_modification_time), so
// a lock whose holder died is recognised by its age and taken over under the next
// epoch's name (schema_lock_1, ...), which again only one caller can create. The holder
// drops the older epochs and then its own lock, if its comment is still its own.
// Migrations stay idempotent (IF NOT EXISTS), so a takeover from a holder that was only
// slow repeats nothing harmful.
import { randomUUID } from 'node:crypto'
import type { ClickHouseClient } from '@clickhouse/client'
import type { Logger } from '../observability/log.js'
import { DATABASE } from './engine-config.js'
import { clickhouseCode } from './insert-errors.js'
import { onCluster, type Placement } from './cluster-placement.js'

export interface SchemaLockOptions {
  /** Who holds it (collector.id), shown to the collectors that wait. */
  holder: string
  placement: Placement
  /** A lock not renewed for this long is taken over (default 60 s). */
  leaseMs?: number
  /** How often a waiting collector looks again (default 500 ms). */
  pollMs?: number
  log?: Logger
}

interface Lock {
  name: string
  epoch: number
  comment: string
  ageSeconds: number
}

const TABLE_ALREADY_EXISTS = 57

async function locks(client: ClickHouseClient): Promise<Lock[]> {
  const rs = await client.query({
    query: `SELECT name, comment, toUInt64(greatest(0, dateDiff('second', metadata_modification_time, now()))) AS age
      FROM system.tables WHERE database = '${DATABASE}' AND match(name, '^schema_lock_[0-9]+$')`,
    format: 'JSONEachRow',
  })
  const rows = await rs.json<{ name: string; comment: string; age: number | string }>()
  return rows
    .map((r) => ({
      name: r.name,
      epoch: Number(r.name.slice('schema_lock_'.length)),
      comment: r.comment,
      ageSeconds: Number(r.age),
    }))
    .sort((a, b) => a.epoch - b.epoch)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Run `fn` holding the schema lock; waits while another live collector holds it. */
export async function underSchemaLock<T>(
  client: ClickHouseClient,
  o: SchemaLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const leaseMs = o.leaseMs ?? 60_000
  const me = `${o.holder} ${randomUUID()}`
  const c = onCluster(o.placement)
  const table = (epoch: number): string => `${DATABASE}.schema_lock_${epoch}`
  let waitingFor = ''
  for (;;) {
    const top = (await locks(client)).at(-1)
    if (top && top.ageSeconds * 1000 <= leaseMs) {
      if (waitingFor !== top.comment) {
        waitingFor = top.comment
        o.log?.info('schema: another collector is migrating; waiting', {
          holder: top.comment.split(' ')[0],
          lock: top.name,
        })
      }
      await sleep(o.pollMs ?? 500)
      continue
    }
    if (top)
      o.log?.warn('schema: lock not renewed within its lease; taking over', {
        holder: top.comment.split(' ')[0],
        lock: top.name,
        age_s: top.ageSeconds,
      })
    const epoch = top ? top.epoch + 1 : 0
    try {
      await client.command({
        query: `CREATE TABLE ${table(epoch)}${c} (holder String) ENGINE = Memory COMMENT '${me}'`,
      })
    } catch (err) {
      if (clickhouseCode(err)?.code === TABLE_ALREADY_EXISTS) continue
      throw err
    }
    const renew = setInterval(() => {
      client
        .command({ query: `ALTER TABLE ${table(epoch)}${c} MODIFY COMMENT '${me}'` })
        .catch(() => undefined)
    }, leaseMs / 4)
    renew.unref()
    try {
      return await fn()
    } finally {
      clearInterval(renew)
      await release(client, c, epoch, me).catch((err: unknown) =>
        o.log?.warn('schema: lock not released; others take it over after its lease', {
          lock: table(epoch),
          error: (err as Error).message,
        }),
      )
    }
  }
}

/** Drop the stale epochs below ours, then ours if it is still ours. */
async function release(
  client: ClickHouseClient,
  c: string,
  epoch: number,
  me: string,
): Promise<void> {
  for (const l of await locks(client)) {
    if (l.epoch > epoch || (l.epoch === epoch && l.comment !== me)) continue
    await client.command({ query: `DROP TABLE IF EXISTS ${DATABASE}.${l.name}${c} SYNC` })
  }
}
