// Users' SQL on the embedded engine, attacked the way a hostile page or user would:
// - what the engine enforces by itself (the users file engine-config.ts writes, and
//   readonly=1), checked on sessions that skip the parser guard;
// - what escapes an in-process engine's grants (scalar file(), INTO OUTFILE, several
//   statements in one call), refused by sql-guard.ts from ClickHouse's own parser;
// - limits: memory, answer size, time; and isolation between requests.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  openEngine,
  QueryRefused,
  type Engine,
  type QueryLimits,
} from '../../../dist/clickhouse/engine.js'
import { migrate } from '../../../dist/clickhouse/migrate.js'
import { defaultQueryMemory } from '../../../dist/clickhouse/engine-config.js'
import { GateFull, QueryGate } from '../../../dist/clickhouse/query-gate.js'
import { createLogger } from '../../../dist/observability/log.js'

async function withEngine(
  limits: Partial<QueryLimits>,
  fn: (e: Engine, dir: string) => Promise<void>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-user-query-'))
  const engine = await openEngine({
    url: '',
    dataDir: dir,
    limits: { maxExecutionSeconds: 10, maxResultRows: 100_000, ...limits },
    log: createLogger('error'),
  })
  try {
    await migrate(engine.client)
    await engine.prepareReader()
    await fn(engine, dir)
  } finally {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The ClickHouse error code a promise rejects with (0 when it resolves). */
async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p
    return 0
  } catch (err) {
    return Number((err as { code?: string }).code ?? -1)
  }
}

const READONLY = 164
const ACCESS_DENIED = 497

void test('the engine refuses writes, other databases and file, URL and remote sources', async () => {
  await withEngine({}, async (e, dir) => {
    // The API's own read sessions: the same settings as users' sessions, no parser guard.
    const onReader = (q: string): Promise<number> => codeOf(e.read({ query: q }))
    // readonly=1 on every read session: no writes, no DDL, no table functions.
    for (const q of [
      "INSERT INTO flows (flow_type) VALUES ('netflow5')",
      'CREATE TABLE t (a UInt8) ENGINE = Memory',
      'DROP TABLE flows',
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      "SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')",
    ])
      assert.ok([READONLY, ACCESS_DENIED].includes(await onReader(q)), q)
    // The users file: even the writer's own session may not reach files, URLs, other
    // hosts or other databases (the grants of the appliance's collector user).
    const w = (q: string): Promise<number> => codeOf(e.client.command({ query: q }))
    for (const q of [
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      `INSERT INTO FUNCTION file('${join(dir, 'planted')}', 'TSV', 'a String') VALUES ('x')`,
      "SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')",
      "SELECT * FROM remote('127.0.0.1:1', system.one)",
      'CREATE TABLE default.t (a UInt8) ENGINE = Memory',
      'CREATE DATABASE other',
    ])
      assert.equal(await w(q), ACCESS_DENIED, q)
    assert.equal(existsSync(join(dir, 'planted')), false)
    // What the grants do not cover in an in-process engine: the scalar file() reads any
    // path. This is why users' SQL passes sql-guard.ts (next test); if a chdb release
    // starts refusing it, this line says so.
    const [read] = await e.read<{ n: number }>({
      query: "SELECT length(file('/etc/hostname')) AS n",
    })
    assert.ok((read?.n ?? 0) > 0)
  })
})

void test('every read session has a memory limit derived from the host by default', async () => {
  assert.equal(defaultQueryMemory(24 * 2 ** 30), 3 * 2 ** 30)
  assert.equal(defaultQueryMemory(2 ** 30), 256 * 2 ** 20)
  assert.equal(defaultQueryMemory(64 * 2 ** 30), 4 * 2 ** 30)
  await withEngine({}, async (e) => {
    const [s] = await e.read<{ m: string }>({ query: "SELECT getSetting('max_memory_usage') AS m" })
    assert.equal(Number(s?.m), defaultQueryMemory())
    assert.ok(Number(s?.m) >= 256 * 2 ** 20)
    const answer = await e.userQuery("SELECT getSetting('max_memory_usage') AS m", 'JSONEachRow')
    assert.equal(Number((JSON.parse(answer) as { m: string }).m), defaultQueryMemory())
  })
})

void test("users' SQL: file access, several statements and state changes are refused", async () => {
  await withEngine({}, async (e, dir) => {
    const out = join(dir, 'written')
    const refused: [string, RegExp][] = [
      ["SELECT file('/etc/passwd')", /file\(\) function is not allowed/],
      ["SELECT FILE('/proc/self/environ') AS x", /function is not allowed/],
      ["SELECT arrayMap(p -> file(p), ['/etc/passwd'])", /function is not allowed/],
      ["SELECT 1 WHERE 1 IN (SELECT length(file('/etc/passwd')))", /function is not allowed/],
      ["SELECT * FROM file('/etc/passwd', 'LineAsString')", /function is not allowed/],
      [`SELECT 'payload' INTO OUTFILE '${out}' FORMAT RawBLOB`, /INTO OUTFILE is not allowed/],
      [`SELECT 'payload' INTO OUTFILE '${out}' TRUNCATE`, /INTO OUTFILE is not allowed/],
      [`SELECT 'payload' INTO OUTFILE '${out}' APPEND COMPRESSION 'gzip'`, /INTO OUTFILE/],
      [`SHOW TABLES INTO OUTFILE '${out}'`, /INTO OUTFILE is not allowed/],
      [`SELECT 'payload' INTO OUTFILE '${out}' FORMAT RawBLOB; SELECT 1`, /Multi-statements/],
      ['SELECT 1; SELECT 2', /Multi-statements/],
      ['SYSTEM STOP MERGES', /not allowed/],
      ['KILL QUERY WHERE 1', /not allowed/],
      ['USE system', /not allowed/],
      ['SET readonly = 0', /not allowed/],
      ['OPTIMIZE TABLE flows FINAL', /not allowed/],
      ["INSERT INTO flows (flow_type) VALUES ('netflow5')", /not allowed/],
      ['EXPLAIN SELECT 1', /not allowed/],
      ['SELECT count() FROM flows FORMAT CSV', /FORMAT clause is not allowed/],
      ['SELEC 1', /Syntax error/],
      // The key of anonymise.clear_days, by name or spelt in parts.
      ['SELECT * FROM flowloft.anonymise_key', /anonymise_key is not readable/],
      ['SELECT aes FROM flowloft.anonymise_key', /anonymise_key is not readable/],
      [
        "SELECT joinGet(concat('flowloft.anonymise', '_key'), 'aes', 1)",
        /joinGet\(\) .*not allowed/,
      ],
      ["SELECT * FROM merge('flowloft', '^anonymise')", /merge\(\) .*not allowed/],
    ]
    for (const [sql, why] of refused) {
      await assert.rejects(e.userQuery(sql, 'JSON'), (err: unknown) => {
        assert.ok(err instanceof QueryRefused, `${sql}: ${String(err)}`)
        assert.match(err.message, why, sql)
        return true
      })
    }
    assert.equal(existsSync(out), false, 'INTO OUTFILE wrote a file')
    // Raising a limit on the statement is the engine's to refuse (readonly=1); one in a
    // subquery got past readonly, so the syntax tree refuses it.
    assert.equal(
      await codeOf(e.userQuery('SELECT 1 SETTINGS max_memory_usage = 0', 'JSON')),
      READONLY,
    )
    await assert.rejects(
      e.userQuery(
        "SELECT * FROM (SELECT getSetting('max_memory_usage') SETTINGS max_memory_usage = 0)",
        'JSON',
      ),
      /SETTINGS clause is not allowed/,
    )
    // Nothing persisted: the database is still flowloft, and reading works.
    const ok = JSON.parse(await e.userQuery('SELECT currentDatabase() AS db', 'JSON')) as {
      data: { db: string }[]
    }
    assert.deepEqual(ok.data, [{ db: 'flowloft' }])
    assert.match(await e.userQuery('SHOW TABLES', 'JSONEachRow'), /"name":"flows"/)
    assert.match(await e.userQuery('DESCRIBE TABLE flows', 'JSONEachRow'), /"name":"bytes"/)
  })
})

void test('a memory bomb and a huge answer are stopped by the engine, the next query runs', async () => {
  await withEngine({ maxMemoryBytes: 256 << 20, maxResultBytes: 8 << 20 }, async (e) => {
    const rss0 = process.memoryUsage().rss
    assert.equal(
      await codeOf(e.userQuery('SELECT groupArray(number) FROM numbers(2000000000)', 'JSON')),
      241,
    )
    assert.equal(
      await codeOf(e.userQuery("SELECT repeat('x', 1000) FROM numbers(1000000)", 'JSON')),
      396,
    )
    const grown = process.memoryUsage().rss - rss0
    assert.ok(grown < 1 << 30, `RSS grew by ${grown} bytes`)
    assert.match(await e.userQuery('SELECT 42 AS answer', 'JSONEachRow'), /"answer":42/)
    console.log(`memory bomb and 1 GB answer refused; RSS grew ${(grown / 2 ** 20).toFixed(0)} MiB`)
  })
})

void test('requests are isolated: a timed-out query leaves nothing for the next, reads are not starved', async () => {
  await withEngine({ maxExecutionSeconds: 1, concurrency: 1 }, async (e) => {
    const slow = e.userQuery(
      'SELECT number FROM system.numbers WHERE sleepEachRow(0.001) = 0',
      'JSON',
    )
    const next = e.userQuery("SELECT 'second' AS who", 'JSONEachRow')
    // TIMEOUT_EXCEEDED, or TOO_SLOW when the engine foresees it will not finish in time.
    assert.ok([159, 160].includes(await codeOf(slow)))
    assert.equal(await next, '{"who":"second"}\n')
    // Two heavy queries hold both users' sessions; the API's own reads have a session of
    // their own and answer at once.
  })
  await withEngine({ maxExecutionSeconds: 4, concurrency: 2 }, async (e) => {
    const heavy = [1, 2].map(() =>
      codeOf(e.userQuery('SELECT count() FROM numbers(100000000000)', 'JSON')),
    )
    await new Promise((r) => setTimeout(r, 300))
    const t0 = performance.now()
    assert.deepEqual(await e.read({ query: 'SELECT count() AS n FROM flows' }), [{ n: 0 }])
    const ms = performance.now() - t0
    assert.ok(ms < 1000, `the console's read waited ${ms.toFixed(0)} ms behind heavy queries`)
    for (const code of await Promise.all(heavy)) assert.ok([159, 160].includes(code), String(code))
  })
})

void test('the gate runs queries in arrival order and refuses past its waiting room', async () => {
  const gate = new QueryGate(['s'], 2)
  const order: number[] = []
  let release = (): void => undefined
  const first = gate.run(() => new Promise<void>((r) => (release = r)))
  const waiting = [1, 2].map((i) => gate.run(() => Promise.resolve(order.push(i))))
  await assert.rejects(
    gate.run(() => Promise.resolve(0)),
    GateFull,
  )
  assert.equal(gate.waiting, 2)
  release()
  await first
  await Promise.all(waiting)
  assert.deepEqual(order, [1, 2])
  assert.equal(gate.free, 1)
})
