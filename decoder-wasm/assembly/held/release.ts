// Decoding held data sets once their template is known: per exporter after a datagram
// taught it a template, and for every flagged exporter when the host asks (after a batch
// or an event import). A set is decoded whole or left held for the next pass.
import { E_DIRTY, E_HELD_COUNT, E_HELD_HEAD, sessionAt, sessionCount } from '../sessions/sessions'
import {
  C_HELD_DECODED,
  C_HELD_EXPIRED,
  C_HELD_RECORDS,
  C_HELD_RECORDS_DROPPED,
} from '../generated/flow-counters'
import { count, countN } from '../output/flow-counters'
import { NO_DATAGRAM } from '../generated/abi'
import { restoreFlowContext, saveFlowContext } from '../templates/context'
import {
  dropHeld,
  enterHeldContext,
  entryAt,
  expireExporter,
  heldDomain,
  heldLength,
  heldNext,
  heldPayload,
  heldTemplate,
  heldVersion,
  isExpired,
} from './held'
import { advanceClock } from '../templates/clock'
import { clearDirty, dirtyExporters } from '../templates/learn'
import { decodeOptionsSet } from '../templates/options-decode'
import { outCount, rewindTo } from '../output/records'
import { TOO_MANY_RECORDS } from '../generated/status'
import { decodeDataSet } from '../templates/decode'
import { KIND_DATA, T_KIND, T_LEARNED_IN } from '../templates/slot'
import { addRecords } from '../output/status-table'
import { findTemplate } from '../templates/store'

/**
 * Decode the exporter's held sets whose template is now known. Inside a datagram
 * (`index` = that datagram) records count for it; after the batch loop (NO_DATAGRAM)
 * they count for the datagram that sent their template, if in this batch. False when
 * the output filled up (the rest stays held and flagged).
 */
export function releaseExporter(exp: u32, index: u32): bool {
  const e = sessionAt(exp)
  let i = load<u32>(e + E_HELD_HEAD)
  while (i != 0) {
    const h = entryAt(i - 1)
    const next = heldNext(h)
    if (isExpired(h)) {
      dropHeld(i - 1, C_HELD_EXPIRED)
      i = next
      continue
    }
    const t = findTemplate(exp, heldVersion(h), heldDomain(h), heldTemplate(h))
    if (t != 0) {
      const before = outCount
      const owner = index != NO_DATAGRAM ? index : load<u32>(t + T_LEARNED_IN)
      saveFlowContext()
      enterHeldContext(h, e, owner)
      const p = heldPayload(h)
      const end = p + heldLength(h)
      const st =
        load<u32>(t + T_KIND) == KIND_DATA ? decodeDataSet(t, p, end) : decodeOptionsSet(t, p, end)
      restoreFlowContext()
      if (st == TOO_MANY_RECORDS) {
        if (before > 0) {
          rewindTo(before) // decoded whole on the next pass, with an empty output
          return false
        }
        count(C_HELD_RECORDS_DROPPED)
      }
      count(C_HELD_DECODED)
      countN(C_HELD_RECORDS, outCount - before)
      if (index == NO_DATAGRAM && owner != NO_DATAGRAM) addRecords(owner, outCount - before)
      dropHeld(i - 1, -1)
    }
    i = next
  }
  clearDirty(exp)
  return true
}

/** Release for every flagged exporter; false when the output filled (call again). */
export function releaseHeld(): bool {
  if (dirtyExporters == 0) return true
  for (let exp: u32 = 0; exp < sessionCount; exp++) {
    if (load<u32>(sessionAt(exp) + E_DIRTY) != 0 && !releaseExporter(exp, NO_DATAGRAM)) return false
  }
  return true
}

/** Age held data against `nowMs` (or the latest receive time, if later). */
export function expireHeld(nowMs: u64): void {
  advanceClock(nowMs)
  for (let exp: u32 = 0; exp < sessionCount; exp++) {
    if (load<u32>(sessionAt(exp) + E_HELD_COUNT) != 0) expireExporter(exp)
  }
}
