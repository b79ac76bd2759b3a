// What the fuzz runner and its workers exchange.
import type { Protocol } from './corpus.js'

export interface FuzzJob {
  protocol: Protocol
  seed: number
  /** Index of the first datagram (datagram i is fuzzDatagram(seed, protocol, i)). */
  start: number
  count: number
  /** Datagrams per decode call. */
  batch: number
  /** Int32 slots written by the worker: P_IN_CALL, P_FIRST, P_DONE. */
  progress: SharedArrayBuffer
}

/** 1 while a decode call runs. */
export const P_IN_CALL = 0
/** First datagram index of the call running or last run. */
export const P_FIRST = 1
/** Datagrams decoded so far. */
export const P_DONE = 2
export const PROGRESS_SLOTS = 3

export interface Trap {
  /** The batch that trapped: datagrams first .. first + count - 1. */
  first: number
  count: number
  error: string
  /** Datagrams of it that also trap alone in a fresh decoder. */
  alone: number[]
}

export interface ProtocolResult {
  protocol: Protocol
  datagrams: number
  flows: number
  /** Datagrams by result (ok or the reason they were rejected). */
  results: Record<string, number>
  /** Datagrams by the flow type the decoder saw (mutations change versions). */
  flowTypes: Record<string, number>
  /** Datagrams with no result (must be 0). */
  unaccounted: number
  traps: Trap[]
  /** Set when a decode call ran past the time limit: its batch, as in Trap. */
  hang: { first: number; count: number; ms: number } | null
  maxCallMs: number
  elapsedMs: number
}
