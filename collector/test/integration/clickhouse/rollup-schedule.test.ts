// The rollups filled on a schedule (schema/0011, clickhouse/rollup-schedule.ts) on the
// real embedded engine. With the marks set back two days: times before a mark reach
// flows_hosts_1h/_1d and flows_pairs_1d through their views, later ones only the
// minutes until the job rolls them; the API's reads (rollupRows) give raw flows' sums
// before and after the roll; the roll fills exactly the raw sums and moves the marks;
// rows of a time already rolled come through the views; a roll tried again after a
// crash before its mark moved is not stored twice; the writer's hold keeps a roll from
// running beside an insert, or while a batch already tried is unconfirmed; emptied
// marks are set again as the migration sets them (also on the upgrade's day, reads are
// whole), NOT_ROLLED turns rolling off, and the disk limit keeps what is not rolled.
// `npm test` runs it again with the engine in Asia/Kolkata (UTC+5:30): the hours and
// days are UTC's whatever the engine's time zone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { NOT_ROLLED, rollDue, stopRolling } from '../../../dist/clickhouse/rollup-schedule.js'
import { rollupRows } from '../../../dist/api/sides-sql.js'
import { enforceDiskLimit } from '../../../dist/clickhouse/retention.js'
import type { RollupSource } from '../../../dist/api/source.js'
import { fixtureRows } from '../../support/fixture-rows.js'
import { fixtureWriter, writeFixtureBatches } from '../../support/fixture-writer.js'
import { useMigratedEngine } from '../../support/engine.js'
import { assertRollupEqualsRaw } from '../../support/rollup-oracle.js'

const ch = useMigratedEngine('rollup-schedule')

const HOUR = 3600
const DAY = 86400
const now = Math.floor(Date.now() / 1000)
const today = Math.floor(now / DAY) * DAY
/** The marks the test starts from: days rolled up to two days ago, hours 5 h further. */
const DAYS_MARK = today - 2 * DAY
const HOURS_MARK = DAYS_MARK + 5 * HOUR

const HOSTS_KEY = `toString(direction) AS dir, proto AS pr, service_port AS svc,
  toString(src_addr) AS src, toString(dst_addr) AS dst, src_host AS sh, dst_host AS dh,
  src_country AS sc, dst_country AS dc, src_as AS sa, dst_as AS da, app AS a`
const PAIRS_KEY = `toString(direction) AS dir, toString(src_addr) AS src, toString(dst_addr) AS dst,
  src_host AS sh, dst_host AS dh, src_country AS sc, dst_country AS dc, src_as AS sa, dst_as AS da`
const SUMS = (flows: string): string =>
  `toString(sum(bytes)) AS b, toString(sum(packets)) AS p, toString(${flows}) AS f`

const HOSTS_GROUP = 'dir, pr, svc, src, dst, sh, dh, sc, dc, sa, da, a'
const PAIRS_GROUP = 'dir, src, dst, sh, dh, sc, dc, sa, da'

interface Target {
  table: RollupSource
  /** Seconds: UTC's hours and days, whatever the engine's time zone. */
  grain: number
  key: string
  group: string
}

const utc = (col: string, grain: number): string =>
  `toDateTime(intDiv(toUInt32(${col}), ${grain}) * ${grain})`

/** Raw flows per grain and key, of the times before `until`. */
const raw = (t: Target, until: number): string =>
  `SELECT toString(${utc('time_received', t.grain)}) AS t, ${t.key}, ${SUMS('count()')}
   FROM (SELECT *, app, if(least(src_port, dst_port) < 1024, least(src_port, dst_port), 0) AS service_port
         FROM flowloft.flows WHERE ${utc('time_received', t.grain)} < toDateTime(${until}))
   GROUP BY t, ${t.group}`
const rolled = (t: Target, until: number): string =>
  `SELECT toString(time) AS t, ${t.key}, ${SUMS('sum(flows)')}
   FROM flowloft.${t.table} WHERE time < toDateTime(${until})
   GROUP BY t, ${t.group}`

const TARGETS: readonly Target[] = [
  { table: 'flows_hosts_1h', grain: HOUR, key: HOSTS_KEY, group: HOSTS_GROUP },
  { table: 'flows_hosts_1d', grain: DAY, key: HOSTS_KEY, group: HOSTS_GROUP },
  { table: 'flows_pairs_1d', grain: DAY, key: PAIRS_KEY, group: PAIRS_GROUP },
]

async function marks(): Promise<Record<string, number>> {
  const rs = await ch.rows<{ target: string; until: number }>(
    `SELECT toString(target) AS target, toUInt32(max(filled_until)) AS until
     FROM flowloft.rollup_fill GROUP BY target`,
  )
  return Object.fromEntries(rs.map((r) => [r.target, r.until]))
}

async function setMarks(hours: number, days: number): Promise<void> {
  await ch.engine.client.command({ query: 'TRUNCATE TABLE flowloft.rollup_fill' })
  await ch.engine.client.command({
    query: `INSERT INTO flowloft.rollup_fill VALUES
      ('flows_hosts_1h', toDateTime(${hours})), ('flows_hosts_1d', toDateTime(${days})),
      ('flows_pairs_1d', toDateTime(${days}))`,
  })
}

/** Each target, up to its mark, holds raw flows' sums per grain and key, also merged. */
async function assertFilledToMarks(when: string): Promise<void> {
  const m = await marks()
  for (const t of TARGETS) {
    const until = m[t.table] ?? 0
    await assertRollupEqualsRaw(ch, t.table, raw(t, until), rolled(t, until), when)
  }
}

/** What the API reads of each target over the whole window equals raw flows' sums. */
async function assertReadsEqualRaw(when: string): Promise<void> {
  await ch.engine.prepareReader()
  const from = today - 4 * DAY
  const to = today + DAY
  const [want] = await ch.rows<{ b: string; f: string }>(
    `SELECT toString(sum(bytes)) AS b, toString(count()) AS f FROM flowloft.flows
     WHERE time_received >= toDateTime(${from}) AND time_received < toDateTime(${to})`,
  )
  for (const t of TARGETS) {
    for (const stitch of [false, true]) {
      const rows = await ch.engine.read<{ b: string; f: string }>({
        query: `SELECT toString(sum(bytes)) AS b, toString(sum(flows)) AS f
          FROM ${rollupRows(t.table, stitch)}`,
        query_params: { from, to },
      })
      assert.deepEqual(rows, [want], `${t.table} read (stitch ${stitch}) ${when}`)
    }
  }
}

void test('the job rolls hours and days from the level below; reads see every row', async () => {
  await setMarks(HOURS_MARK, DAYS_MARK)
  // Every 40 minutes over the last three and a half days, and the current minute.
  await writeFixtureBatches(ch, 126, 0, 400, (k) => now - k * 2400)

  // The views passed the times before the marks only.
  const [split] = await ch.rows<{ before: string; after: string; minutes: string }>(
    `SELECT toString(countIf(time < toDateTime(${HOURS_MARK}))) AS before,
       toString(countIf(time >= toDateTime(${HOURS_MARK}))) AS after,
       toString((SELECT count() FROM flowloft.flows_hosts_1m
                 WHERE time >= toDateTime(${HOURS_MARK}))) AS minutes
     FROM flowloft.flows_hosts_1h`,
  )
  assert.ok(Number(split?.before) > 0, JSON.stringify(split))
  assert.equal(split?.after, '0', 'no hour after the mark before the roll')
  assert.ok(Number(split?.minutes) > 0, JSON.stringify(split))
  await assertFilledToMarks('before the roll')
  await assertReadsEqualRaw('before the roll')

  const done = await rollDue(ch.engine.client, { now, settleSeconds: 120 })
  const hoursTo = Math.floor((now - 120) / HOUR) * HOUR
  const daysTo = Math.floor(hoursTo / DAY) * DAY
  assert.deepEqual(await marks(), {
    flows_hosts_1h: hoursTo,
    flows_hosts_1d: daysTo,
    flows_pairs_1d: daysTo,
  })
  // One grain per insert: every hour from the hours' mark, every day from the days'.
  const times = (n: number, target: string): string[] => Array.from({ length: n }, () => target)
  const days = (daysTo - DAYS_MARK) / DAY
  assert.deepEqual(
    done.map((d) => d.target),
    [
      ...times((hoursTo - HOURS_MARK) / HOUR, 'flows_hosts_1h'),
      ...times(days, 'flows_hosts_1d'),
      ...times(days, 'flows_pairs_1d'),
    ],
  )
  // The roll's settings stay in its statements: the session (on the embedded engine,
  // shared with the other jobs) keeps its own.
  const [limit] = await ch.rows<{ s: string }>(
    "SELECT toString(getSetting('max_execution_time')) AS s",
  )
  assert.notEqual(limit?.s, '60')
  await assertFilledToMarks('after the roll')
  await assertReadsEqualRaw('after the roll')
  assert.deepEqual(await rollDue(ch.engine.client, { now, settleSeconds: 120 }), [], 'nothing due')

  // Rows of times already rolled (a spool replayed late) come through the views.
  await writeFixtureBatches(ch, 3, 100_000, 300, (k) => DAYS_MARK + 7 * HOUR + k * 60)
  await assertFilledToMarks('after late rows')
  await assertReadsEqualRaw('after late rows')

  // A crash after the inserts and before the marks moved: the same rolls again are
  // deduplicated by their tokens.
  await setMarks(HOURS_MARK, DAYS_MARK)
  const again = await rollDue(ch.engine.client, { now, settleSeconds: 120 })
  assert.deepEqual(again, done)
  await assertFilledToMarks('after the rolls were repeated')
  await assertReadsEqualRaw('after the rolls were repeated')
})

void test('a roll waits for the insert in flight, and the next insert waits for it', async () => {
  const order: string[] = []
  let release = (): void => undefined
  const gate = new Promise<void>((r) => (release = r))
  let first = true
  const w = fixtureWriter(ch, {
    engine: {
      ...ch.engine,
      insertRows: async (req) => {
        order.push('insert')
        if (first) {
          first = false
          await gate
        }
        await ch.engine.insertRows(req)
        order.push('inserted')
      },
    },
  })
  w.start()
  const a = fixtureRows(200_000, 10, now)
  w.add(a.tsv, a.rows)
  const flushed = w.flush()
  while (order.length === 0) await new Promise((r) => setTimeout(r, 5))
  let rollRelease = (): void => undefined
  const rollGate = new Promise<void>((r) => (rollRelease = r))
  const roll = w.exclusive(async () => {
    order.push('roll')
    await rollGate
    order.push('rolled')
  })
  await new Promise((r) => setTimeout(r, 50))
  assert.deepEqual(order, ['insert'], 'the roll waits for the insert in flight')
  release()
  await flushed
  while (!order.includes('roll')) await new Promise((r) => setTimeout(r, 5))
  const b = fixtureRows(200_010, 10, now)
  w.add(b.tsv, b.rows)
  const second = w.flush()
  await new Promise((r) => setTimeout(r, 250))
  assert.deepEqual(order, ['insert', 'inserted', 'roll'], 'the next insert waits for the roll')
  rollRelease()
  await roll
  await second
  await w.stop()
  assert.deepEqual(order, ['insert', 'inserted', 'roll', 'rolled', 'insert', 'inserted'])
})

void test('a roll waits while a batch already tried is unconfirmed', async () => {
  let fail = true
  const w = fixtureWriter(ch, {
    maxBackoffMs: 10,
    engine: {
      ...ch.engine,
      insertRows: async (req) => {
        if (fail) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        await ch.engine.insertRows(req)
      },
    },
  })
  w.start()
  const a = fixtureRows(300_000, 10, now)
  w.add(a.tsv, a.rows)
  void w.flush()
  while (w.spool.files === 0) await new Promise((r) => setTimeout(r, 5))
  let ran = 0
  const job = (): Promise<number> => Promise.resolve(++ran)
  assert.equal(await w.exclusive(job), undefined, 'not while the spool holds a tried batch')
  assert.equal(ran, 0)
  fail = false
  await w.flush()
  assert.equal(await w.exclusive(job), 1, 'once it is stored')
  await w.stop()
})

void test('marks: set again as the migration does when emptied; NOT_ROLLED turns rolling off', async () => {
  const client = ch.engine.client
  const hour = Math.floor(now / HOUR) * HOUR
  const empty = async (raw = false): Promise<void> => {
    const tables = ['rollup_fill', ...TARGETS.map((x) => x.table)]
    for (const t of raw ? ['flows', 'flows_hosts_1m', ...tables] : tables)
      await client.command({ query: `TRUNCATE TABLE flowloft.${t}` })
  }
  // A new install: nothing of this hour or day yet, the job rolls them.
  await empty()
  assert.deepEqual(await rollDue(client, { now, settleSeconds: 120 }), [])
  assert.deepEqual(await marks(), {
    flows_hosts_1h: hour,
    flows_hosts_1d: today,
    flows_pairs_1d: today,
  })
  // An upgrade: the views filled part of this hour and day, and go on filling them.
  await empty()
  for (const t of TARGETS)
    await client.command({
      query: `INSERT INTO flowloft.${t.table} (time, direction, src_addr, dst_addr, bytes, packets, flows)
        VALUES (${t.grain === HOUR ? hour : today}, 'outbound', '::1', '::2', 1, 1, 1)`,
    })
  await rollDue(client, { now, settleSeconds: 120 })
  assert.deepEqual(await marks(), {
    flows_hosts_1h: hour + HOUR,
    flows_hosts_1d: today + DAY,
    flows_pairs_1d: today + DAY,
  })
  // The upgrade's day: the days marked at its end, the hours past their mark only in
  // the minutes; reads through the days and pairs still see them.
  await empty(true)
  await setMarks(hour, today + DAY)
  await writeFixtureBatches(ch, 6, 500_000, 200, (k) => now - k * 1200)
  await assertReadsEqualRaw('on the upgrade day')

  // Turned off: what is not rolled yet (this hour, today) is rolled first, nothing lost.
  assert.equal(await stopRolling(client, { now }), true)
  await assertFilledToMarks('rolling turned off')
  await assertReadsEqualRaw('rolling turned off')
  assert.deepEqual(await rollDue(client, { now: now + 3 * DAY, settleSeconds: 0 }), [])
  assert.deepEqual(await marks(), {
    flows_hosts_1h: NOT_ROLLED,
    flows_hosts_1d: NOT_ROLLED,
    flows_pairs_1d: NOT_ROLLED,
  })
  // Every row through the views, and the reads see them all in the tables.
  await empty(true)
  assert.equal(await stopRolling(client, { now }), true)
  await writeFixtureBatches(ch, 2, 400_000, 300, (k) => now - k * HOUR)
  await assertFilledToMarks('with rolling off')
  await assertReadsEqualRaw('with rolling off')
})

void test('the disk limit never drops minutes the job has yet to roll', async () => {
  const client = ch.engine.client
  for (const t of ['flows', 'flows_hosts_1m', ...TARGETS.map((x) => x.table)])
    await client.command({ query: `TRUNCATE TABLE flowloft.${t}` })
  const mark = today - 2 * DAY
  await setMarks(mark, mark - DAY)
  // Minutes of today and the four days before it, one partition each.
  await writeFixtureBatches(ch, 5, 600_000, 100, (k) => today - k * DAY + HOUR)
  const [m] = await ch.rows<{ day: number }>(`SELECT toYYYYMMDD(toDateTime(${mark})) AS day`)
  const markDay = m?.day ?? 0
  const dropped = await enforceDiskLimit(client, 1, ['flows_hosts_1m'])
  const left = await ch.rows<{ id: string }>(
    `SELECT DISTINCT partition_id AS id FROM system.parts
     WHERE database = 'flowloft' AND table = 'flows_hosts_1m' AND active ORDER BY id`,
  )
  assert.equal(dropped.length, 2, JSON.stringify(dropped))
  assert.ok(
    dropped.every((d) => Number(d.partition) < markDay),
    JSON.stringify(dropped),
  )
  assert.equal(left.length, 3, JSON.stringify(left))
  assert.ok(
    left.every((x) => Number(x.id) >= markDay),
    JSON.stringify(left),
  )
})
