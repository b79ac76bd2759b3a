// Batches ClickHouse refuses for their content, on the real embedded engine: spool files
// that cannot be parsed (by the writer or by ClickHouse) and a live batch of garbage are
// moved to spool/rejected/ with a note of why and when, counted and logged once each,
// and never block the batches behind them; the rejected folder keeps only the newest
// files past its cap. The error codes taken for content are the engine's own names.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ClickHouseError } from '@clickhouse/client'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { useMigratedEngine } from '../../support/engine.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { metricValue } from '../../support/service.js'
import { FIXTURE_COLUMNS, fixtureRows } from '../../support/fixture-rows.js'
import { classifyInsertError, CONTENT_ERRORS } from '../../../dist/clickhouse/insert-errors.js'
import { decodeSpool, Spool } from '../../../dist/clickhouse/spool.js'

const ch = useMigratedEngine('writer-rejected')

const count = async (): Promise<{ n: number; u: number }> => {
  const [r] = await ch.rows<{ n: string; u: string }>(
    'SELECT count() AS n, uniqExact(sequence) AS u FROM flowloft.flows',
  )
  return { n: Number(r?.n), u: Number(r?.u) }
}
const truncate = async (): Promise<void> => {
  for (const t of ['flows', 'flows_1m', 'flows_1h'])
    await ch.engine.client.command({ query: `TRUNCATE TABLE flowloft.${t}` })
}
const logged = (): { lines: Record<string, unknown>[]; log: ReturnType<typeof createLogger> } => {
  const lines: Record<string, unknown>[] = []
  const log = createLogger('warn', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>))
  return { lines, log }
}
const setAsideLines = (lines: Record<string, unknown>[]): Record<string, unknown>[] =>
  lines.filter((l) => String(l['msg']).includes('set aside'))

void test(
  'corrupt spool files present at start are set aside; the batches around them are stored',
  { timeout: 60_000 },
  async () => {
    await truncate()
    const spoolDir = join(ch.dataDir, 'spool', 'at-start')
    const rejectedDir = join(ch.dataDir, 'spool', 'rejected-at-start')
    const now = Math.floor(Date.now() / 1000)
    const a = fixtureRows(0, 1500, now)
    const b = fixtureRows(1500, 1500, now)
    const bad = fixtureRows(3000, 1500, now)
    const spool = new Spool(spoolDir)
    const header = (token: string, rows: number, format?: 'RowBinary') => ({
      token: `a0b1c2d3-0000-4000-8000-${token.padStart(12, '0')}`,
      rows,
      columns: [...FIXTURE_COLUMNS],
      ...(format ? { format } : {}),
    })
    assert.equal(spool.put(header('1', a.rows), [a.tsv], 1 << 30), 'ok')
    // No header line at all (the writer cannot parse it).
    const noHeader = `0000000000000002-a0b1c2d3-0000-4000-8000-000000000002.batch`
    writeFileSync(join(spoolDir, noHeader), Buffer.from([0xde, 0xad, 0xbe, 0xef]))
    // A whole header, rows cut mid-line (TSV: ClickHouse cannot parse the last row).
    writeFileSync(
      join(spoolDir, `0000000000000003-a0b1c2d3-0000-4000-8000-000000000003.batch`),
      Buffer.concat([
        Buffer.from(`${JSON.stringify(header('3', bad.rows))}\n`),
        bad.tsv.subarray(0, bad.tsv.length - 40),
      ]),
    )
    // Said to be RowBinary, holding text (ClickHouse reads past the end).
    writeFileSync(
      join(spoolDir, `0000000000000004-a0b1c2d3-0000-4000-8000-000000000004.batch`),
      Buffer.concat([
        Buffer.from(`${JSON.stringify(header('4', 10, 'RowBinary'))}\n`),
        Buffer.from('not rowbinary\n'),
      ]),
    )
    // What a crash mid-write leaves: removed at start.
    writeFileSync(join(spoolDir, '0000000000000005-a0b1c2d3.batch.tmp'), 'half')
    const reopened = new Spool(spoolDir)
    assert.equal(reopened.put(header('6', b.rows), [b.tsv], 1 << 30), 'ok')

    const metrics = new Registry()
    const { lines, log } = logged()
    const writer = fixtureWriter(ch, { spoolDir, rejectedDir, metrics, log, maxBackoffMs: 60_000 })
    writer.start()
    const live = fixtureRows(4500, 500, now)
    writer.add(live.tsv, live.rows)
    const t0 = Date.now()
    await writer.flush()
    await writer.stop()
    const took = Date.now() - t0

    assert.deepEqual(await count(), { n: 3500, u: 3500 }, 'the good files and the live rows')
    assert.deepEqual(readdirSync(spoolDir), [], 'spool emptied, the .tmp left by a crash gone')
    const rejected = readdirSync(rejectedDir)
      .filter((f) => f.endsWith('.batch'))
      .sort()
    assert.equal(rejected.length, 3)
    assert.ok(rejected.every((f) => f.includes('-at-start-')))
    assert.ok(rejected[0]?.endsWith('000000000002.batch'), 'oldest first')
    const text = metrics.render()
    const series = (source: string, code: string): number =>
      metricValue(text, `flowloft_writer_rejected_batches_total{source="${source}",code="${code}"}`)
    assert.equal(series('spool', 'BAD_SPOOL_FILE'), 1)
    // The cut TSV: ClickHouse reads past its end (the code depends on where it was cut).
    const cut = ['ATTEMPT_TO_READ_AFTER_EOF', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED']
    assert.equal(series('spool', cut[0] ?? '') + series('spool', cut[1] ?? ''), 1)
    assert.equal(series('spool', 'CANNOT_READ_ALL_DATA'), 1)
    // Rows as the headers say; none for the file without one.
    assert.equal(metricValue(text, 'flowloft_writer_dropped_rows_total{reason="rejected"}'), 1510)
    assert.equal(
      metricValue(text, 'flowloft_writer_batches_total{source="spool",result="error"}'),
      0,
      'never retried',
    )
    assert.ok(took < 30_000, `no backoff waited (${took} ms)`)
    const said = setAsideLines(lines)
    assert.equal(said.length, 3, 'one line per file')
    assert.equal(said[0]?.['code'], 'BAD_SPOOL_FILE')
    assert.ok(cut.includes(String(said[1]?.['code'])))
    assert.equal(said[2]?.['code'], 'CANNOT_READ_ALL_DATA')
    assert.ok(
      said.every((l) => String(l['file']).startsWith(rejectedDir)),
      'names where it went',
    )
    // Beside each batch, a note with the logged code and the time it was set aside.
    for (const [k, f] of rejected.entries()) {
      const note = JSON.parse(
        readFileSync(join(rejectedDir, f.replace(/\.batch$/, '.json')), 'utf8'),
      ) as Record<string, unknown>
      assert.equal(note['code'], said[k]?.['code'])
      assert.equal(note['source'], 'spool')
      assert.equal(note['table'], 'flowloft.flows')
      const at = Date.parse(String(note['rejected_at']))
      assert.ok(at >= t0 && at <= Date.now(), `rejected_at ${String(note['rejected_at'])}`)
    }
  },
)

void test(
  'a live batch refused for its content is set aside and later batches are stored',
  { timeout: 60_000 },
  async () => {
    await truncate()
    const spoolDir = join(ch.dataDir, 'spool', 'live')
    const rejectedDir = join(ch.dataDir, 'spool', 'rejected-live')
    const metrics = new Registry()
    const { lines, log } = logged()
    const writer = fixtureWriter(ch, {
      spoolDir,
      rejectedDir,
      rejectedMaxFiles: 2,
      batchRows: 1000,
      metrics,
      log,
      maxBackoffMs: 60_000,
    })
    writer.start()
    const now = Math.floor(Date.now() / 1000)
    let good = 0
    const tokens: string[] = []
    for (let k = 0; k < 3; k++) {
      const g = fixtureRows(good, 1000, now)
      writer.add(g.tsv, g.rows)
      good += g.rows
      await writer.flush()
      // A batch of its own (batchRows rows cut at once): a time ClickHouse cannot parse.
      writer.add(Buffer.from(`garbage-${k}\t1\n`.repeat(1000)), 1000)
      await writer.flush()
      const file =
        readdirSync(rejectedDir)
          .filter((f) => f.endsWith('.batch'))
          .sort()
          .at(-1) ?? ''
      tokens.push(file)
    }
    const g = fixtureRows(good, 1000, now)
    writer.add(g.tsv, g.rows)
    good += g.rows
    await writer.flush()
    await writer.stop()

    assert.deepEqual(await count(), { n: good, u: good }, 'every good row, once')
    const text = metrics.render()
    assert.equal(
      metricValue(
        text,
        'flowloft_writer_rejected_batches_total{source="memory",code="CANNOT_PARSE_DATETIME"}',
      ),
      3,
    )
    assert.equal(metricValue(text, 'flowloft_writer_dropped_rows_total{reason="rejected"}'), 3000)
    assert.equal(
      metricValue(text, 'flowloft_writer_batches_total{source="memory",result="error"}'),
      0,
    )
    assert.equal(setAsideLines(lines).length, 3)
    // Capped at 2 files: the oldest went, its note too; what is kept is the batch as it
    // was refused, and its note.
    const kept = readdirSync(rejectedDir)
      .filter((f) => f.endsWith('.batch'))
      .sort()
    assert.deepEqual(
      readdirSync(rejectedDir)
        .filter((f) => f.endsWith('.json'))
        .sort(),
      kept.map((f) => f.replace(/\.batch$/, '.json')),
    )
    assert.deepEqual(
      kept,
      tokens.slice(1).map((f) => f),
    )
    assert.ok(!existsSync(join(rejectedDir, tokens[0] ?? '')))
    const last = decodeSpool(readFileSync(join(rejectedDir, kept[1] ?? '')))
    assert.equal(last.header.rows, 1000)
    assert.equal(last.body.toString(), 'garbage-2\t1\n'.repeat(1000))
  },
)

void test('content errors are told from transient ones by ClickHouse code, on both engines', async () => {
  const attempt = (body: string, table = 'flowloft.flows'): Promise<unknown> =>
    ch.engine
      .insertRows({
        table,
        columns: FIXTURE_COLUMNS,
        format: 'TabSeparated',
        body: [Buffer.from(body)],
        settings: { async_insert: 0 },
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      )
  assert.deepEqual(classifyInsertError(await attempt('x\ty\n')), {
    kind: 'content',
    code: 'CANNOT_PARSE_DATETIME',
  })
  const row = fixtureRows(0, 1, Math.floor(Date.now() / 1000)).tsv.toString()
  // A table that is missing is a transient error, whether its columns were read before
  // it went (ClickHouse answers UNKNOWN_TABLE) or never (the file insert finds none).
  await ch.engine.client.command({ query: 'CREATE TABLE flowloft.gone AS flowloft.flows' })
  assert.equal(await attempt(row, 'flowloft.gone'), undefined)
  await ch.engine.client.command({ query: 'DROP TABLE flowloft.gone' })
  assert.deepEqual(classifyInsertError(await attempt(row, 'flowloft.gone')), {
    kind: 'transient',
    code: 'UNKNOWN_TABLE',
  })
  assert.equal(classifyInsertError(await attempt(row, 'flowloft.never')).kind, 'transient')
  // A server's answer as @clickhouse/client gives it.
  const server = (code: string, type: string): ClickHouseError =>
    new ClickHouseError({ message: `refused (${type})`, code, type })
  assert.equal(classifyInsertError(server('117', 'INCORRECT_DATA')).kind, 'content')
  assert.equal(classifyInsertError(server('252', 'TOO_MANY_PARTS')).kind, 'transient')
  assert.equal(classifyInsertError(server('241', 'MEMORY_LIMIT_EXCEEDED')).kind, 'transient')
  assert.equal(classifyInsertError(server('497', 'ACCESS_DENIED')).kind, 'transient')
  assert.equal(
    classifyInsertError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })).code,
    'ECONNREFUSED',
  )
})

void test("every code taken for the rows' content is the engine's name for it", async () => {
  const codes = [...CONTENT_ERRORS.keys()]
  const names = await ch.rows<{ code: number; name: string }>(
    `SELECT arrayJoin([${codes.join(', ')}]) AS code, errorCodeToName(code) AS name`,
  )
  assert.deepEqual(
    names.map((r) => [r.code, r.name]),
    [...CONTENT_ERRORS.entries()],
  )
})
