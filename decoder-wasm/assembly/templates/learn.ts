// Learning from the wire (or from imported events): store templates, withdrawals and
// options values, count them, announce changes as events and flag exporters whose held
// data may now be decodable.
import { E_DIRTY, E_HELD_COUNT, sessionAt } from '../sessions/sessions'
import {
  ALL_DATA,
  ALL_OPTIONS,
  emitAllWithdrawn,
  emitRate,
  emitSystemInit,
  emitTemplate,
  emitWithdrawn,
} from './events'
import {
  C_OPTION_TABLE_FULL,
  C_RATES_LEARNED,
  C_TEMPLATES_LEARNED,
  C_TEMPLATES_REFUSED_FULL,
  C_TEMPLATES_REFUSED_QUOTA,
  C_TEMPLATES_WITHDRAWN,
} from '../generated/flow-counters'
import { count, countN } from '../output/flow-counters'
import {
  OV_DOMAIN_RATE,
  OV_FIRST_SAMPLER_RATE,
  OV_SYS_INIT,
  SET_CHANGED,
  SET_FULL,
  getOptionValue,
  setOptionValue,
} from './option-values'
import { fcIndex } from './context'
import { KIND_DATA, KIND_OPTIONS, T_LEARNED_IN, T_VERSION } from './slot'
import {
  PUT_BAD,
  PUT_FULL,
  PUT_QUOTA,
  PUT_SAME,
  findTemplate,
  putTemplate,
  removeAllTemplates,
  removeTemplate,
  templateStaging,
} from './store'

export let dirtyExporters: u32 = 0 // exporters flagged since the last release pass

function markDirty(exp: u32): void {
  const e = sessionAt(exp)
  if (load<u32>(e + E_HELD_COUNT) != 0 && load<u32>(e + E_DIRTY) == 0) {
    store<u32>(e + E_DIRTY, 1)
    dirtyExporters++
  }
}

export function clearDirty(exp: u32): void {
  const e = sessionAt(exp)
  if (load<u32>(e + E_DIRTY) != 0) {
    store<u32>(e + E_DIRTY, 0)
    if (dirtyExporters > 0) dirtyExporters--
  }
}

/** Learn the template in the staging slot; false when it describes no record. */
export function learnTemplate(exp: u32, domain: u32, id: u32): bool {
  const r = putTemplate(exp, domain, id)
  if (r == PUT_BAD) return false
  if (r == PUT_FULL || r == PUT_QUOTA) {
    // Refused, counted: understood, but it displaces no one else's template.
    count(r == PUT_QUOTA ? C_TEMPLATES_REFUSED_QUOTA : C_TEMPLATES_REFUSED_FULL)
    return true
  }
  const slot = findTemplate(exp, load<u32>(templateStaging() + T_VERSION), domain, id)
  if (slot != 0) store<u32>(slot + T_LEARNED_IN, fcIndex)
  if (r != PUT_SAME) {
    count(C_TEMPLATES_LEARNED)
    emitTemplate(slot)
  }
  markDirty(exp)
  return true
}

export function withdrawTemplate(exp: u32, ver: u32, domain: u32, id: u32): void {
  if (removeTemplate(exp, ver, domain, id)) {
    count(C_TEMPLATES_WITHDRAWN)
    emitWithdrawn(exp, ver, domain, id)
  }
}

/** Withdraw all data (ALL_DATA) and/or options (ALL_OPTIONS) templates of a domain. */
export function withdrawAll(exp: u32, ver: u32, domain: u32, which: u8): void {
  let n: u32 = 0
  if ((which & ALL_DATA) != 0) n += removeAllTemplates(exp, ver, domain, KIND_DATA)
  if ((which & ALL_OPTIONS) != 0) n += removeAllTemplates(exp, ver, domain, KIND_OPTIONS)
  countN(C_TEMPLATES_WITHDRAWN, n)
  emitAllWithdrawn(exp, ver, domain, which)
}

/** A sampling rate from options data: keyKind OV_DOMAIN_RATE or a sampler/selector kind. */
export function learnRate(exp: u32, ver: u32, domain: u32, keyKind: u32, id: u64, rate: u32): void {
  const r = setOptionValue(exp, ver, domain, keyKind, id, rate)
  if (r == SET_FULL) {
    count(C_OPTION_TABLE_FULL)
    return
  }
  if (
    keyKind != OV_DOMAIN_RATE &&
    getOptionValue(exp, ver, domain, OV_FIRST_SAMPLER_RATE, 0) == 0
  ) {
    setOptionValue(exp, ver, domain, OV_FIRST_SAMPLER_RATE, 0, rate)
  }
  if (r == SET_CHANGED) {
    count(C_RATES_LEARNED)
    emitRate(exp, ver, domain, <u8>keyKind, id, rate)
  }
}

export function learnSystemInit(exp: u32, ver: u32, domain: u32, ms: u64): void {
  const r = setOptionValue(exp, ver, domain, OV_SYS_INIT, 0, ms)
  if (r == SET_FULL) count(C_OPTION_TABLE_FULL)
  else if (r == SET_CHANGED) emitSystemInit(exp, ver, domain, ms)
}
