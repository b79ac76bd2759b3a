// The writer's journal (writer-journal.ts) on the real embedded engine: what a run held
// in memory and left in the journal is read back by the next writer on the same spool
// directory and stored once. A crash is played by copying the journal files aside at the
// moment in question (or by abandoning a writer) and putting them back for a new writer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createLogger } from '../../../dist/observability/log.js'
import { fillDisk, mountTmpfs, tmpfsUnavailable, unmountTmpfs } from '../../support/tmpfs.js'
import { basename, dirname, join } from 'node:path'
import type { RowsInsert } from '../../../dist/clickhouse/engine.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { fixtureRows, type FixtureBatch } from '../../support/fixture-rows.js'
import { fixtureWriter } from '../../support/fixture-writer.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('writer-journal')
/** No batch timer cuts a batch in these tests: only flush() and fresh() do. */
const NEVER = 3_600_000

/** The journal directory of the writer whose spool is `spoolDir`. */
const journalOf = (spoolDir: string): string =>
  join(dirname(spoolDir), 'journal', basename(spoolDir))

/** The journal's files, by name. */
function snapshot(spoolDir: string): Map<string, Buffer> {
  const dir = journalOf(spoolDir)
  return new Map(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f))]),
  )
}

function putBack(spoolDir: string, files: Map<string, Buffer>): void {
  mkdirSync(journalOf(spoolDir), { recursive: true })
  for (const [f, data] of files) writeFileSync(join(journalOf(spoolDir), f), data)
}

/** Rows stored with `sequence` in [from, to): how many, how many distinct, their bytes. */
async function stored(
  from: number,
  to: number,
): Promise<{ n: number; uniq: number; bytes: number }> {
  const [r] = await ch.rows<{ n: string; uniq: string; bytes: string }>(
    `SELECT count() AS n, uniqExact(sequence) AS uniq, sum(bytes) AS bytes FROM flowloft.flows ` +
      `WHERE sequence >= ${from} AND sequence < ${to}`,
  )
  return { n: Number(r?.n), uniq: Number(r?.uniq), bytes: Number(r?.bytes) }
}

const now = (): number => Math.floor(Date.now() / 1000)
const sum = (bs: FixtureBatch[], f: (b: FixtureBatch) => number): number =>
  bs.reduce((n, b) => n + f(b), 0)

/** A new writer on `spoolDir` replays the journal: flushed and stopped. */
async function restart(spoolDir: string): Promise<Registry> {
  const metrics = new Registry()
  const w = fixtureWriter(ch, { spoolDir, batchMs: NEVER, metrics })
  w.start()
  await w.flush()
  await w.stop()
  return metrics
}

const value = (reg: Registry, name: string): number =>
  reg.read(name).reduce((n, s) => n + s.value, 0)

void test('a batch stored before its journal was removed is replayed with its token, once', async () => {
  const spoolDir = join(ch.dataDir, 'spool', 'stored-then-crash')
  const w = fixtureWriter(ch, { spoolDir, batchMs: NEVER })
  w.start()
  const batches = [fixtureRows(1_000_000, 300, now()), fixtureRows(1_000_300, 200, now())]
  for (const b of batches) w.add(b.tsv, b.rows)
  // flush() cuts the batch at once (its journal tied to its token), then inserts it.
  const flushed = w.flush()
  const atInsert = snapshot(spoolDir)
  await flushed
  await w.stop()
  const names = [...atInsert.keys()]
  assert.equal(names.length, 1, `one journal file for the batch: ${names.join(', ')}`)
  assert.match(names[0] ?? '', /^\d{16}-[0-9a-f-]{36}\.cut$/, 'named for its token')
  assert.equal(snapshot(spoolDir).size, 0, 'removed once the batch was stored')
  const want = { n: 500, uniq: 500, bytes: sum(batches, (b) => b.bytes) }
  assert.deepEqual(await stored(1_000_000, 1_000_500), want)

  // The crash came after the insert, before the journal was removed.
  putBack(spoolDir, atInsert)
  const m = await restart(spoolDir)
  assert.equal(value(m, 'flowloft_writer_journal_recovered_rows_total'), 500)
  assert.deepEqual(await stored(1_000_000, 1_000_500), want, 'not stored twice')
  assert.equal(snapshot(spoolDir).size, 0, 'the journal is gone after the replay')
})

void test('a batch joined to the one before it is replayed with that one token', async () => {
  const spoolDir = join(ch.dataDir, 'spool', 'joined')
  let release: () => void = () => undefined
  const gate = new Promise<void>((r) => (release = r))
  let calls = 0
  const engine = {
    insertRows: async (req: RowsInsert): Promise<void> => {
      // The first insert waits: the next two batches queue behind it and are joined.
      if (calls++ === 0) await gate
      return ch.engine.insertRows(req)
    },
  }
  const w = fixtureWriter(ch, { spoolDir, batchMs: NEVER, engine })
  w.start()
  const batches = [0, 1, 2].map((k) => fixtureRows(2_000_000 + k * 100, 100, now()))
  for (const b of batches) {
    w.add(b.tsv, b.rows)
    void w.fresh(-1, 0) // cut now
  }
  const files = snapshot(spoolDir)
  const tokens = [...files.keys()].map((f) => f.slice(17, -4))
  assert.equal(tokens.length, 3, 'a file per cut')
  assert.notEqual(tokens[0], tokens[1], 'the first batch has its own token')
  assert.equal(tokens[1], tokens[2], 'the third batch took the second one token')
  release()
  await w.flush()
  await w.stop()
  const want = { n: 300, uniq: 300, bytes: sum(batches, (b) => b.bytes) }
  assert.deepEqual(await stored(2_000_000, 2_000_300), want)

  // A crash while the joined batch's files were being removed (newest first) leaves its
  // oldest file: a part of a stored batch, which its token deduplicates.
  const [first, second] = [...files.entries()]
  putBack(spoolDir, new Map([first, second].filter((e) => e !== undefined)))
  const m = await restart(spoolDir)
  assert.equal(value(m, 'flowloft_writer_journal_recovered_rows_total'), 200)
  assert.deepEqual(await stored(2_000_000, 2_000_300), want, 'not stored twice')
  // All of it, as a crash before the removal leaves it.
  putBack(spoolDir, files)
  await restart(spoolDir)
  assert.deepEqual(await stored(2_000_000, 2_000_300), want, 'not stored twice')
})

void test('a torn last record: counted, the whole records before it stored', async () => {
  const spoolDir = join(ch.dataDir, 'spool', 'torn')
  // A writer that holds three chunks when it "crashes": never stopped, no timer.
  const w = fixtureWriter(ch, { spoolDir, batchMs: NEVER })
  const batches = [0, 1, 2].map((k) => fixtureRows(3_000_000 + k * 100, 100, now()))
  for (const b of batches) w.add(b.tsv, b.rows)
  assert.equal(w.pendingRows, 300)
  const files = snapshot(spoolDir)
  const [name, data] = [...files.entries()][0] ?? ['', Buffer.alloc(0)]
  assert.equal(files.size, 1)
  assert.match(name, /^\d{16}\.open$/, 'the open batch has no token yet')
  // The copy the next run finds, cut in the middle of the last chunk.
  const next = join(ch.dataDir, 'spool', 'torn-next')
  putBack(next, files)
  const path = join(journalOf(next), name)
  truncateSync(path, data.length - Math.floor((batches[2]?.tsv.length ?? 0) / 2))
  assert.ok(statSync(path).size < data.length)

  const m = await restart(next)
  assert.equal(value(m, 'flowloft_writer_journal_torn_files_total'), 1)
  assert.equal(value(m, 'flowloft_writer_journal_recovered_rows_total'), 200)
  const whole = batches.slice(0, 2)
  assert.deepEqual(await stored(3_000_000, 3_000_300), {
    n: 200,
    uniq: 200,
    bytes: sum(whole, (b) => b.bytes),
  })
  assert.equal(snapshot(next).size, 0, 'the journal is gone after the replay')
})

void test('a journal write on a full disk is counted and logged; the rows are still stored', async (t) => {
  const unavailable = tmpfsUnavailable()
  if (unavailable) {
    t.skip(unavailable)
    return
  }
  // The journal on a small disk of its own, filled but for a few KiB.
  const disk = mkdtempSync(join(tmpdir(), 'fl-journal-full-'))
  mountTmpfs(disk, 1 << 20)
  t.after(() => {
    unmountTmpfs(disk)
    rmSync(disk, { recursive: true, force: true })
  })
  const journalDir = join(disk, 'journal')
  const filler = join(disk, 'filler')
  fillDisk(filler)
  truncateSync(filler, statSync(filler).size - 8192)
  const lines: Record<string, unknown>[] = []
  const log = createLogger('warn', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>))
  const metrics = new Registry()
  const spoolDir = join(ch.dataDir, 'spool', 'journal-full')
  const w = fixtureWriter(ch, { spoolDir, journalDir, batchMs: NEVER, metrics, log })
  // Each chunk is larger than what is left: the first write fails short, the file then
  // takes no more, and every row stays in memory.
  const batches = [0, 1, 2].map((k) => fixtureRows(4_000_000 + k * 100, 100, now()))
  for (const b of batches) w.add(b.tsv, b.rows)
  assert.ok(
    batches.every((b) => b.tsv.length > 8192),
    'each chunk is larger than the room',
  )
  assert.equal(w.pendingRows, 300)
  const errors = metrics.read('flowloft_writer_io_errors_total')
  assert.ok(
    errors.some((e) => e.labels['op'] === 'journal_write' && e.labels['code'] === 'ENOSPC'),
    `ENOSPC counted: ${JSON.stringify(errors)}`,
  )
  const unjournaled = metrics.read('flowloft_writer_unjournaled_rows_total')
  assert.deepEqual(
    unjournaled.map((u) => [u.labels['reason'], u.value]),
    [['journal_error', 300]],
  )
  assert.ok(
    lines.some(
      (l) =>
        l['msg'] === 'writer: file operation failed, will retry' && l['op'] === 'journal_write',
    ),
    'the failed write is logged',
  )
  assert.ok(
    lines.some((l) => l['reason'] === 'journal_error'),
    'the rows without a record are logged',
  )
  w.start()
  await w.flush()
  await w.stop()
  assert.deepEqual(await stored(4_000_000, 4_000_300), {
    n: 300,
    uniq: 300,
    bytes: sum(batches, (b) => b.bytes),
  })
  assert.deepEqual(readdirSync(journalDir), [], 'no journal file left behind')
})

void test('writer.spool_max_bytes 0: no journal, nothing counted', async () => {
  const spoolDir = join(ch.dataDir, 'spool', 'no-journal')
  const metrics = new Registry()
  const w = fixtureWriter(ch, { spoolDir, spoolMaxBytes: 0, batchMs: NEVER, metrics })
  const b = fixtureRows(5_000_000, 100, now())
  w.add(b.tsv, b.rows)
  assert.equal(w.pendingRows, 100)
  assert.equal(snapshot(spoolDir).size, 0, 'no journal file')
  assert.equal(value(metrics, 'flowloft_writer_unjournaled_rows_total'), 0)
  await w.flush()
  await w.stop()
  assert.equal((await stored(5_000_000, 5_000_100)).n, 100)
})
