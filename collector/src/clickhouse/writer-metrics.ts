// The writer's metrics, named `<prefix>_...` (flowloft_writer for flows,
// flowloft_ifstats_writer for sFlow interface counters).
import type { Histogram, Metric, Registry } from '../observability/metrics.js'

export interface WriterMetrics {
  rows: Metric<never>
  batches: Metric<'source' | 'result'>
  dropped: Metric<'reason'>
  spooledRows: Metric<never>
  ioErrors: Metric<'op' | 'code'>
  rejected: Metric<'source' | 'code'>
  lastInsertSeconds: Metric<never>
  insertSeconds: Histogram<'result'>
  unjournaled: Metric<'reason'>
  journalRecoveredRows: Metric<never>
  journalTorn: Metric<never>
}

export interface WriterGauges {
  pendingRows(): number
  spoolBytes(): number
  spoolFiles(): number
  journalBytes(): number
  stalled(): boolean
}

export function writerMetrics(reg: Registry, prefix: string, g: WriterGauges): WriterMetrics {
  const m: WriterMetrics = {
    rows: reg.counter(`${prefix}_rows_total`, 'Rows inserted into ClickHouse'),
    batches: reg.counter(
      `${prefix}_batches_total`,
      'Insert attempts by source (memory, spool) and result',
      ['source', 'result'],
    ),
    dropped: reg.counter(
      `${prefix}_dropped_rows_total`,
      'Rows dropped: memory (too many waiting), spool_full (writer.spool_max_bytes), ' +
        'rejected (refused by ClickHouse for their content), spool_error (not written at shutdown)',
      ['reason'],
    ),
    spooledRows: reg.counter(
      `${prefix}_spooled_rows_total`,
      'Rows written to the spool because ClickHouse could not take them',
    ),
    ioErrors: reg.counter(
      `${prefix}_io_errors_total`,
      'Failed file operations (spool_write, spool_read, spool_remove, spool_reject, ' +
        'rejected_write, insert_file, journal_write, journal_rename, journal_remove, ' +
        'journal_read), by errno code (LOW_SPACE: a spool write refused to keep ' +
        'room for its replay); each is retried, none is fatal',
      ['op', 'code'],
    ),
    rejected: reg.counter(
      `${prefix}_rejected_batches_total`,
      'Batches ClickHouse refused for their content (by its error code), set aside under spool/rejected',
      ['source', 'code'],
    ),
    lastInsertSeconds: reg.gauge(`${prefix}_last_insert_seconds`, 'Duration of the last insert'),
    insertSeconds: reg.histogram(
      `${prefix}_insert_duration_seconds`,
      'Duration of inserts into ClickHouse, by result (ok, error)',
      ['result'],
    ),
    unjournaled: reg.counter(
      `${prefix}_unjournaled_rows_total`,
      'Rows held in memory without a journal record, which a crash would lose: journal_full ' +
        '(journal and spool at writer.spool_max_bytes), journal_error (the write failed, see ' +
        'io_errors_total); each is still inserted',
      ['reason'],
    ),
    journalRecoveredRows: reg.counter(
      `${prefix}_journal_recovered_rows_total`,
      'Rows read back from the journal at start (held in memory when the last run ended ' +
        'without a flush) and queued for insert',
    ),
    journalTorn: reg.counter(
      `${prefix}_journal_torn_files_total`,
      'Journal files read back at start whose last record was cut short or corrupt (a crash ' +
        'mid-write): the whole records before it were kept',
    ),
  }
  reg.gauge(`${prefix}_pending_rows`, 'Rows waiting in memory', [], (x) =>
    x.set({}, g.pendingRows()),
  )
  reg.gauge(`${prefix}_spool_bytes`, 'Bytes waiting in the spool', [], (x) =>
    x.set({}, g.spoolBytes()),
  )
  reg.gauge(`${prefix}_spool_files`, 'Batches waiting in the spool', [], (x) =>
    x.set({}, g.spoolFiles()),
  )
  reg.gauge(`${prefix}_journal_bytes`, 'Bytes of the journal of the rows in memory', [], (x) =>
    x.set({}, g.journalBytes()),
  )
  reg.gauge(
    `${prefix}_stalled`,
    '1 while rows wait and no insert has succeeded for longer than the stall bound',
    [],
    (x) => x.set({}, g.stalled() ? 1 : 0),
  )
  return m
}
