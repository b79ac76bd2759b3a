// What a collector took in and stored over its life, summed from its own metrics. The
// last log line of `serve` states it, so a stop can be checked against the database.
import type { Registry } from './metrics.js'

export interface LifetimeTotals {
  /** Datagrams read from the listener sockets. */
  datagrams: number
  /** Datagrams dropped before decoding (decode queue full, worker error). */
  datagramsDropped: number
  /** Flow records decoded. */
  flows: number
  /** Flow rows inserted into ClickHouse (including rows replayed from the spool). */
  rowsInserted: number
  /** Flow rows written to the spool (replayed at the next start). */
  rowsSpooled: number
  /** Flow rows dropped by the writer (memory bound, spool full). */
  rowsDropped: number
}

export function lifetimeTotals(m: Registry): LifetimeTotals {
  const sum = (name: string): number => m.read(name).reduce((n, s) => n + s.value, 0)
  return {
    datagrams: sum('flowloft_listener_datagrams_total'),
    datagramsDropped: sum('flowloft_decode_dropped_datagrams_total'),
    flows: sum('flowloft_decoder_flows_total'),
    rowsInserted: sum('flowloft_writer_rows_total'),
    rowsSpooled: sum('flowloft_writer_spooled_rows_total'),
    rowsDropped: sum('flowloft_writer_dropped_rows_total'),
  }
}
