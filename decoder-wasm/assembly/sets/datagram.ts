// One NetFlow v9 / IPFIX datagram from start to finish, shared by both decoders: set
// the context, decode data sets or defer those whose template is missing, and at the end
// decode deferred sets whose template came later, hold the rest and release held data
// the datagram's templates made decodable. Nothing is held or released when the batch
// loop is going to retry the datagram (output full behind earlier datagrams).
import {
  dgExporter,
  dgExporterPort,
  dgIndex,
  dgRecvMs,
  dgSamplingDefault,
  dgSamplingOverride,
} from '../shared/datagram'
import { counterCount } from '../output/counter-records'
import { E_DIRTY, internSession, sessionAt, sessionNewPort } from '../sessions/sessions'
import { emitNewSession } from '../templates/events'
import { C_EXPORTER_TABLE_FULL, C_HELD_REJECTED } from '../generated/flow-counters'
import { count } from '../output/flow-counters'
import {
  fcDomain,
  fcExporter,
  fcIndex,
  fcVersion,
  setFlowContext,
  setFlowDatagram,
} from '../templates/context'
import { holdSet } from '../held/held'
import { advanceClock } from '../templates/clock'
import { releaseExporter } from '../held/release'
import { decodeOptionsSet } from '../templates/options-decode'
import { outCount } from '../output/records'
import { OK, TEMPLATE_MISSING, TOO_MANY_RECORDS } from '../generated/status'
import { decodeDataSet } from '../templates/decode'
import { KIND_DATA, T_KIND } from '../templates/slot'
import { ensureFlowState } from './state'
import { findTemplate } from '../templates/store'

const MAX_DEFERRED: u32 = 256
const deferred = memory.data(<i32>MAX_DEFERRED * 12) // u32 body, u32 length, u32 template ID

let deferredCount: u32 = 0
let learned: u32 = 0 // template records and options data seen in this datagram
let startOut: u32 = 0
let startCounters: u32 = 0

/** Start a datagram; false when the exporter cannot be tracked (table full). */
export function beginFlowDatagram(
  version: u32,
  flowType: u8,
  exportSecs: u32,
  sysUptime: u32,
  sequence: u32,
  domain: u32,
): bool {
  ensureFlowState()
  const exp = internSession(dgExporter, dgExporterPort, true)
  if (exp < 0) {
    count(C_EXPORTER_TABLE_FULL)
    return false
  }
  if (sessionNewPort) emitNewSession(<u32>exp)
  setFlowContext(
    version,
    flowType,
    <u32>exp,
    sessionAt(<u32>exp),
    domain,
    exportSecs,
    sysUptime,
    sequence,
  )
  setFlowDatagram(dgIndex, dgRecvMs, dgExporterPort, dgSamplingDefault, dgSamplingOverride)
  advanceClock(dgRecvMs)
  deferredCount = 0
  learned = 0
  startOut = outCount
  startCounters = counterCount
  return true
}

/** A template record or withdrawal was understood. */
export function noteLearned(): void {
  learned++
}

function decodeWith(t: usize, p: usize, end: usize): u16 {
  if (load<u32>(t + T_KIND) == KIND_DATA) return decodeDataSet(t, p, end)
  learned++
  return decodeOptionsSet(t, p, end)
}

/** A data set (template ID `id`, body `p`..`end`). */
export function dataSet(id: u32, p: usize, end: usize): u16 {
  const t = findTemplate(fcExporter, fcVersion, fcDomain, id)
  if (t != 0) return decodeWith(t, p, end)
  if (p == end) return OK
  if (deferredCount >= MAX_DEFERRED) {
    count(C_HELD_REJECTED)
    return OK
  }
  const d = deferred + <usize>deferredCount * 12
  store<u32>(d, <u32>p)
  store<u32>(d + 4, <u32>(end - p))
  store<u32>(d + 8, id)
  deferredCount++
  return OK
}

/** Hold the deferred sets still without a template; returns how many. */
function holdDeferred(): u32 {
  let n: u32 = 0
  for (let i: u32 = 0; i < deferredCount; i++) {
    const d = deferred + <usize>i * 12
    const id = load<u32>(d + 8)
    if (findTemplate(fcExporter, fcVersion, fcDomain, id) != 0) continue
    holdSet(<usize>load<u32>(d), <usize>load<u32>(d + 4), id)
    n++
  }
  return n
}

function overflow(): u16 {
  // Behind earlier records the batch loop retries this datagram: leave no trace.
  if (startOut > 0 || startCounters > 0) return TOO_MANY_RECORDS
  holdDeferred()
  return TOO_MANY_RECORDS
}

/** Finish the datagram whose sets gave `status`; returns its final status. */
export function finishFlowDatagram(status: u16): u16 {
  if (status == TOO_MANY_RECORDS) return overflow()
  for (let i: u32 = 0; i < deferredCount; i++) {
    const d = deferred + <usize>i * 12
    const t = findTemplate(fcExporter, fcVersion, fcDomain, load<u32>(d + 8))
    if (t == 0) continue
    const p = <usize>load<u32>(d)
    const st = decodeWith(t, p, p + <usize>load<u32>(d + 4))
    if (st == TOO_MANY_RECORDS) return overflow()
    if (st != OK && status == OK) status = st
  }
  const held = holdDeferred()
  if (load<u32>(sessionAt(fcExporter) + E_DIRTY) != 0) releaseExporter(fcExporter, fcIndex)
  if (status == OK && held > 0 && learned == 0 && outCount == startOut) return TEMPLATE_MISSING
  return status
}
