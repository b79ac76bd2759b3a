// The embedded engine's file insert (synchronous inserts) against its inline-data insert
// (async inserts), on the real engine: the same rows land the same, Enum columns
// included; the file is gone afterwards; a column the table lacks is named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { fileInsert } from '../../../dist/clickhouse/file-insert.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../../support/fixture-rows.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('file-insert')

interface Sum {
  flow_type: string
  direction: string
  src_country: string
  n: string
  bytes: string
  h: string
}

const summary = (table: string): Promise<Sum[]> =>
  ch.rows<Sum>(
    `SELECT flow_type, direction, src_country, count() AS n, sum(bytes) AS bytes,
            toString(groupBitXor(cityHash64(sequence, src_addr, dst_addr, dst_port, flow_start))) AS h
     FROM ${table} GROUP BY flow_type, direction, src_country
     ORDER BY flow_type, direction, src_country`,
  )

void test('a file insert stores what an inline insert stores, and leaves no file', async () => {
  const copy = 'flowloft.flows_inline_copy'
  await ch.engine.client.command({ query: `CREATE TABLE ${copy} AS flowloft.flows` })
  const now = Math.floor(Date.now() / 1000)
  const b = fixtureRows(0, 5000, now)
  // The file insert writes the chunks as they are: split mid-row here.
  const cuts = [0, 7, 4096, 4097, 100_000, b.tsv.byteLength]
  await ch.engine.insertRows({
    table: 'flowloft.flows',
    columns: FIXTURE_COLUMNS,
    format: 'TabSeparated',
    body: cuts.slice(1).map((end, k) => b.tsv.subarray(cuts[k], end)),
    settings: { async_insert: 0, insert_deduplication_token: randomUUID() },
  })
  await ch.engine.insertRows({
    table: copy,
    columns: FIXTURE_COLUMNS,
    format: 'TabSeparated',
    body: [b.tsv],
    settings: {
      async_insert: 1,
      wait_for_async_insert: 1,
      insert_deduplication_token: randomUUID(),
    },
  })
  const viaFile = await summary('flowloft.flows')
  const inline = await summary(copy)
  assert.equal(
    viaFile.reduce((n, r) => n + Number(r.n), 0),
    5000,
  )
  assert.ok(new Set(viaFile.map((r) => r.direction)).size > 1, 'rows of several directions')
  assert.deepEqual(viaFile, inline)
  assert.deepEqual(readdirSync(join(ch.dataDir, 'inserting')), [])
})

void test('a column the table lacks is named; files left by a crash are removed at start', async () => {
  await assert.rejects(
    ch.engine.insertRows({
      table: 'flowloft.flows',
      columns: ['time_received', 'no_such_column'],
      format: 'TabSeparated',
      body: [Buffer.from('1\t2\n')],
      settings: { async_insert: 0 },
    }),
    /no column "no_such_column"/,
  )
  const dir = join(ch.dataDir, 'inserting-crash')
  const queries: string[] = []
  const first = fileInsert({
    dir,
    query: (sql) => {
      queries.push(sql)
      return Promise.resolve()
    },
    columnTypes: () => Promise.resolve(new Map([['a', "Enum8('x' = 1)"]])),
  })
  writeFileSync(join(dir, 'left-over.tsv'), 'x\n')
  fileInsert({ dir, query: () => Promise.resolve(), columnTypes: () => Promise.resolve(new Map()) })
  assert.deepEqual(readdirSync(dir), [])
  await first.insert({
    table: 'flowloft.t',
    columns: ['a'],
    format: 'TabSeparated',
    body: [Buffer.from('x\n')],
    settings: { async_insert: 0, token: "it's" },
  })
  await first.insert({
    table: 'flowloft.t',
    columns: ['a'],
    format: 'RowBinary',
    body: [Buffer.from([1])],
    settings: {},
  })
  // The file is read with FROM INFILE (no file grant needed) in the body's format; the
  // setting's quote is escaped.
  assert.match(
    queries[0] ?? '',
    /^INSERT INTO flowloft\.t \(a\) FROM INFILE '[^']+\.tsv' SETTINGS async_insert = 0, token = 'it\\'s' FORMAT TabSeparated$/,
  )
  assert.match(
    queries[1] ?? '',
    /^INSERT INTO flowloft\.t \(a\) FROM INFILE '[^']+\.bin' FORMAT RowBinary$/,
  )
})
