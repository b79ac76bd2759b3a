// Template-sharing events: whenever a template is learned, changed or withdrawn, or a
// sampling rate / exporter init time is learned from options data, a self-describing
// record is appended to the events region. The host takes them (Decoder.takeEvents) and
// hands them to other decoder instances (importEvents) and to the template registry.
//
// Event format v2, little-endian, concatenated (see decoder-wasm/src/flow-events.ts):
//   0 u16 length of the event   2 u8 format version (2)   3 u8 kind
//   4 u8 protocol (9, 10)       5 u8 flags                6 u16 template ID
//   8 u32 observation domain / source ID                12 16 bytes exporter address
//   28 u16 exporter UDP source port (the transport session)   30 u16 0
//   32 body, by kind:
//     TEMPLATE / OPTIONS_TEMPLATE: u16 field count, u16 scope field count, then per field
//       u16 element ID as on the wire, u16 length (65535 = variable), u32 enterprise number
//     WITHDRAWN: none                 ALL_WITHDRAWN: none, flags 1 data, 2 options
//     SAMPLING_RATE: u32 rate, u64 sampler ID, flags 0 domain, 1 samplerId, 2 selectorId
//     SYSTEM_INIT: u32 0, u64 unix ms
//     NEW_SESSION: none (a known address began sending from this port; protocol 0)
import { sessionAt, sessionPort } from '../sessions/sessions'
import { C_EVENTS_DROPPED } from '../generated/flow-counters'
import { count } from '../output/flow-counters'
import {
  KIND_DATA,
  SPEC_SIZE,
  T_DOMAIN,
  T_EXPORTER,
  T_FIELDS,
  T_ID,
  T_KIND,
  T_SCOPE,
  T_SPECS,
  T_VERSION,
} from './slot'

export const EV_FORMAT: u8 = 2
export const EV_HEADER: usize = 32
export const EV_STREAM: u8 = 0 // stream header written by the host (magic, ignored here)
export const EV_TEMPLATE: u8 = 1
export const EV_OPTIONS_TEMPLATE: u8 = 2
export const EV_WITHDRAWN: u8 = 3
export const EV_ALL_WITHDRAWN: u8 = 4
export const EV_SAMPLING_RATE: u8 = 5
export const EV_SYSTEM_INIT: u8 = 6
export const EV_NEW_SESSION: u8 = 7

export const ALL_DATA: u8 = 1
export const ALL_OPTIONS: u8 = 2

let base: usize = 0
let cap: usize = 0
export let eventsLength: u32 = 0
let muted = false // while importing: apply without re-emitting

export function initEvents(bytes: u32): void {
  cap = <usize>bytes
  base = heap.alloc(cap)
  eventsLength = 0
}

export function eventsRegion(): usize {
  return base
}

/** Less room left than one datagram could fill: the batch loop hands over first. */
export function eventsNearlyFull(): bool {
  const reserve: usize = cap < 128 << 10 ? cap >> 1 : 64 << 10
  return <usize>eventsLength + reserve > cap
}

export function clearEvents(): void {
  eventsLength = 0
}

export function muteEvents(on: bool): void {
  muted = on
}

/** Reserve an event and write its header; 0 when muted or the region is full. */
function open(size: usize, kind: u8, ver: u32, flags: u8, id: u32, exp: u32, domain: u32): usize {
  if (muted) return 0
  if (<usize>eventsLength + size > cap) {
    count(C_EVENTS_DROPPED)
    return 0
  }
  const e = base + <usize>eventsLength
  eventsLength += <u32>size
  store<u16>(e, <u16>size)
  store<u8>(e + 2, EV_FORMAT)
  store<u8>(e + 3, kind)
  store<u8>(e + 4, <u8>ver)
  store<u8>(e + 5, flags)
  store<u16>(e + 6, <u16>id)
  store<u32>(e + 8, domain)
  memory.copy(e + 12, sessionAt(exp), 16)
  store<u16>(e + 28, <u16>sessionPort(exp))
  store<u16>(e + 30, 0)
  return e
}

export function emitTemplate(s: usize): void {
  const n = <usize>load<u32>(s + T_FIELDS)
  const kind = load<u32>(s + T_KIND) == KIND_DATA ? EV_TEMPLATE : EV_OPTIONS_TEMPLATE
  const e = open(
    EV_HEADER + 4 + n * SPEC_SIZE,
    kind,
    load<u32>(s + T_VERSION),
    0,
    load<u32>(s + T_ID),
    load<u32>(s + T_EXPORTER),
    load<u32>(s + T_DOMAIN),
  )
  if (e == 0) return
  store<u16>(e + EV_HEADER, <u16>n)
  store<u16>(e + EV_HEADER + 2, <u16>load<u32>(s + T_SCOPE))
  memory.copy(e + EV_HEADER + 4, s + T_SPECS, n * SPEC_SIZE)
}

export function emitWithdrawn(exp: u32, ver: u32, domain: u32, id: u32): void {
  open(EV_HEADER, EV_WITHDRAWN, ver, 0, id, exp, domain)
}

export function emitAllWithdrawn(exp: u32, ver: u32, domain: u32, which: u8): void {
  open(EV_HEADER, EV_ALL_WITHDRAWN, ver, which, 0, exp, domain)
}

export function emitRate(exp: u32, ver: u32, domain: u32, keyKind: u8, id: u64, rate: u32): void {
  const e = open(EV_HEADER + 12, EV_SAMPLING_RATE, ver, keyKind, 0, exp, domain)
  if (e == 0) return
  store<u32>(e + EV_HEADER, rate)
  store<u64>(e + EV_HEADER + 4, id)
}

export function emitSystemInit(exp: u32, ver: u32, domain: u32, ms: u64): void {
  const e = open(EV_HEADER + 12, EV_SYSTEM_INIT, ver, 0, 0, exp, domain)
  if (e == 0) return
  store<u32>(e + EV_HEADER, 0)
  store<u64>(e + EV_HEADER + 4, ms)
}

export function emitNewSession(exp: u32): void {
  open(EV_HEADER, EV_NEW_SESSION, 0, 0, 0, exp, 0)
}
