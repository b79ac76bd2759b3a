// The highest sampling rate an exporter may announce (decode.max_sampling_rate). A flow
// announced with more is refused: it is not written, and its datagram's status entry
// counts it (with the rate, for the host's log). Refused flows decoded outside a batch
// datagram (held data released by imported templates) go to a cumulative counter.
import { addRefused } from '../output/status-table'
import { C_FLOWS_REFUSED } from '../generated/flow-counters'
import { count } from '../output/flow-counters'
import { DEFAULT_MAX_SAMPLING_RATE, NO_DATAGRAM } from '../generated/abi'

/** What rateWith() returns for a refused rate (a rate applied is never 0). */
export const RATE_REFUSED: u32 = 0

let maxRate: u32 = DEFAULT_MAX_SAMPLING_RATE
/** The announced rate behind the last RATE_REFUSED. */
let refusedRate: u32 = 0

/** Set the cap; 0 turns it off. */
export function setMaxRate(v: u32): void {
  maxRate = v == 0 ? 0xffffffff : v
}

/** `announced` when it is within the cap, else RATE_REFUSED (remembering it). */
@inline export function capRate(announced: u32): u32 {
  if (announced <= maxRate) return announced
  refusedRate = announced
  return RATE_REFUSED
}

/** Count one refused flow of datagram `index` of the current batch. */
export function refuseFlow(index: u32): void {
  if (index == NO_DATAGRAM || !addRefused(index, refusedRate)) count(C_FLOWS_REFUSED)
}
