// Applying events learned by another decoder instance (or a saved snapshot): the same
// learning paths as the wire, with event output muted so nothing is announced twice.
// Input is untrusted bytes (a file on disk): every length is checked, bad events skipped.
import { internSession } from '../sessions/sessions'
import {
  EV_ALL_WITHDRAWN,
  EV_FORMAT,
  EV_HEADER,
  EV_OPTIONS_TEMPLATE,
  EV_SAMPLING_RATE,
  EV_STREAM,
  EV_SYSTEM_INIT,
  EV_TEMPLATE,
  EV_WITHDRAWN,
  muteEvents,
} from './events'
import {
  C_EVENTS_IMPORTED,
  C_EVENTS_REJECTED,
  C_EXPORTER_TABLE_FULL,
} from '../generated/flow-counters'
import { count, countN } from '../output/flow-counters'
import { learnRate, learnSystemInit, learnTemplate, withdrawAll, withdrawTemplate } from './learn'
import { OV_SELECTOR_RATE } from './option-values'
import {
  KIND_DATA,
  KIND_OPTIONS,
  MAX_FIELDS,
  SPEC_SIZE,
  T_FIELDS,
  T_KIND,
  T_SCOPE,
  T_SPECS,
  T_VERSION,
} from './slot'
import { templateStaging } from './store'

const APPLIED: i32 = 1
const IGNORED: i32 = 0
const REJECTED: i32 = -1

function applyTemplate(
  e: usize,
  size: usize,
  kind: u8,
  ver: u32,
  exp: u32,
  domain: u32,
  id: u32,
): i32 {
  if (size < EV_HEADER + 4) return REJECTED
  const n = <u32>load<u16>(e + EV_HEADER)
  const scope = <u32>load<u16>(e + EV_HEADER + 2)
  if (n == 0 || n > MAX_FIELDS || size != EV_HEADER + 4 + <usize>n * SPEC_SIZE || id < 256)
    return REJECTED
  const options = kind == EV_OPTIONS_TEMPLATE
  if (options ? scope > n || (ver == 10 && scope == 0) : scope != 0) return REJECTED
  const t = templateStaging()
  store<u32>(t + T_VERSION, ver)
  store<u32>(t + T_KIND, options ? KIND_OPTIONS : KIND_DATA)
  store<u32>(t + T_FIELDS, n)
  store<u32>(t + T_SCOPE, scope)
  memory.copy(t + T_SPECS, e + EV_HEADER + 4, <usize>n * SPEC_SIZE)
  return learnTemplate(exp, domain, id) ? APPLIED : REJECTED
}

function applyOne(e: usize, size: usize): i32 {
  const kind = load<u8>(e + 3)
  if (kind == EV_STREAM) return IGNORED
  if (size < EV_HEADER) return REJECTED
  const ver = <u32>load<u8>(e + 4)
  if (ver != 9 && ver != 10) return REJECTED
  const flags = load<u8>(e + 5)
  const id = <u32>load<u16>(e + 6)
  const domain = load<u32>(e + 8)
  if (kind > EV_SYSTEM_INIT) return IGNORED // a session notice, or from a newer writer
  const slot = internSession(e + 12, <u32>load<u16>(e + 28), false)
  if (slot < 0) {
    count(C_EXPORTER_TABLE_FULL)
    return REJECTED
  }
  const exp = <u32>slot
  if (kind == EV_TEMPLATE || kind == EV_OPTIONS_TEMPLATE) {
    return applyTemplate(e, size, kind, ver, exp, domain, id)
  }
  if (kind == EV_WITHDRAWN) {
    withdrawTemplate(exp, ver, domain, id)
    return APPLIED
  }
  if (kind == EV_ALL_WITHDRAWN) {
    withdrawAll(exp, ver, domain, flags & 3)
    return APPLIED
  }
  if (size < EV_HEADER + 12) return REJECTED
  if (kind == EV_SAMPLING_RATE) {
    if (<u32>flags > OV_SELECTOR_RATE) return REJECTED
    learnRate(exp, ver, domain, <u32>flags, load<u64>(e + EV_HEADER + 4), load<u32>(e + EV_HEADER))
    return APPLIED
  }
  learnSystemInit(exp, ver, domain, load<u64>(e + EV_HEADER + 4))
  return APPLIED
}

/** Apply the events in `p`..`p + len`; returns how many were applied. */
export function importEventBytes(p: usize, len: usize): u32 {
  muteEvents(true)
  const end = p + len
  let applied: u32 = 0
  while (end - p >= 4) {
    const size = <usize>load<u16>(p)
    if (size < 4 || size > end - p) {
      count(C_EVENTS_REJECTED)
      break
    }
    if (load<u8>(p + 2) == EV_FORMAT) {
      const r = applyOne(p, size)
      if (r == APPLIED) applied++
      else if (r == REJECTED) count(C_EVENTS_REJECTED)
    }
    p += size
  }
  muteEvents(false)
  countN(C_EVENTS_IMPORTED, applied)
  return applied
}
