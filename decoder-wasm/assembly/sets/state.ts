// The NetFlow v9 / IPFIX decoders' state (templates, sessions, options values, held data,
// events) and the functions index.ts exports for it. Allocated once, by initFlowState()
// or with the defaults of contract/abi.json (stateDefaults) on first use.
import { importEventBytes } from '../templates/event-import'
import { clearEvents, eventsLength, eventsRegion, initEvents } from '../templates/events'
import { initAddresses } from '../sessions/addresses'
import { initSessions } from '../sessions/sessions'
import { NO_DATAGRAM } from '../generated/abi'
import { setFlowDatagram } from '../templates/context'
import { COUNTERS } from '../generated/flow-counters'
import { countersRegion } from '../output/flow-counters'
import { initHeld } from '../held/held'
import { expireHeld, releaseHeld } from '../held/release'
import { initOptionValues } from '../templates/option-values'
import { resetOutput } from '../output/records'
import { initTemplates } from '../templates/store'
import {
  DEFAULT_EVENT_BYTES,
  DEFAULT_HELD_BYTES,
  DEFAULT_HELD_MAX_AGE_MS,
  DEFAULT_HELD_PER_EXPORTER,
  DEFAULT_HELD_SETS,
  DEFAULT_OPTION_VALUES,
  DEFAULT_SESSIONS,
  DEFAULT_TEMPLATE_IDLE_MS,
  DEFAULT_TEMPLATES,
  DEFAULT_TEMPLATES_PER_EXPORTER,
} from '../generated/abi'

let ready = false

/**
 * Size the state. `templates` bounds all templates, `templatesPerAddress` each exporter
 * address's (a template idle `templateIdleMs` may give way to its address's new one);
 * `sessions` bounds transport sessions and addresses. `heldSets` / `heldBytes` bound all
 * held data, `heldPerExporter` and `heldMaxAgeMs` each session's. Later calls are ignored.
 */
export function initFlowState(
  templates: u32,
  templatesPerAddress: u32,
  templateIdleMs: u32,
  sessions: u32,
  optionValues: u32,
  heldSets: u32,
  heldBytes: u32,
  heldPerExporter: u32,
  heldMaxAgeMs: u32,
  eventBytes: u32,
): void {
  if (ready) return
  ready = true
  initTemplates(templates, templatesPerAddress, templateIdleMs)
  initSessions(sessions)
  initAddresses(sessions)
  initOptionValues(optionValues)
  initHeld(heldSets, heldBytes, heldPerExporter, heldMaxAgeMs)
  initEvents(eventBytes)
}

export function ensureFlowState(): void {
  if (!ready)
    initFlowState(
      DEFAULT_TEMPLATES,
      DEFAULT_TEMPLATES_PER_EXPORTER,
      DEFAULT_TEMPLATE_IDLE_MS,
      DEFAULT_SESSIONS,
      DEFAULT_OPTION_VALUES,
      DEFAULT_HELD_SETS,
      DEFAULT_HELD_BYTES,
      DEFAULT_HELD_PER_EXPORTER,
      DEFAULT_HELD_MAX_AGE_MS,
      DEFAULT_EVENT_BYTES,
    )
}

export function flowEventsRegion(): usize {
  ensureFlowState()
  return eventsRegion()
}
export function flowEventsLength(): u32 {
  return eventsLength
}
export function flowEventsClear(): void {
  clearEvents()
}

/** Apply events at `p` (the host wrote them into the input region); returns how many. */
export function importEvents(p: usize, len: u32): u32 {
  ensureFlowState()
  setFlowDatagram(NO_DATAGRAM, 0, 0, 0, 0) // templates learned here belong to no datagram
  return importEventBytes(p, <usize>len)
}

/**
 * Decode held data made decodable by templates learned since the last pass, into a
 * fresh output. Returns 1 when the output filled and more remains, else 0.
 */
export function flowReleaseHeld(): u32 {
  ensureFlowState()
  resetOutput()
  return releaseHeld() ? 0 : 1
}

/** Drop held data older than the configured age at `nowMs` (unix ms). */
export function flowExpireHeld(nowMs: f64): void {
  ensureFlowState()
  expireHeld(nowMs > 0 && nowMs < 1.8e19 ? <u64>nowMs : 0)
}

export function flowCountersRegion(): usize {
  return countersRegion()
}
export function flowCounterCount(): u32 {
  return COUNTERS
}
