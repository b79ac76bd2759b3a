// Data sets that arrived before their template, held (bytes plus the message context
// needed to decode them) until the template arrives, bounded per exporter by count and
// age and overall by entries and bytes. What expires or overflows is counted.
import {
  arenaAlloc,
  arenaCanHold,
  arenaFree,
  arenaTailOwner,
  CHUNK_HEADER,
  initArena,
} from './arena'
import { E_HELD_COUNT, E_HELD_HEAD, E_HELD_TAIL, sessionAt } from '../sessions/sessions'
import {
  C_HELD_CURRENT,
  C_HELD_EXPIRED,
  C_HELD_OVERFLOW,
  C_HELD_REJECTED,
  C_SETS_HELD,
} from '../generated/flow-counters'
import { count, setCounter } from '../output/flow-counters'
import { clockMs } from '../templates/clock'
import {
  fcDomain,
  fcExportSecs,
  fcExporter,
  fcFlowType,
  fcPort,
  fcRecvMs,
  fcSamplingDefault,
  fcSamplingOverride,
  fcSequence,
  fcSysUptime,
  fcVersion,
  setFlowContext,
  setFlowDatagram,
} from '../templates/context'

const H_STATE: usize = 0 // u32 1 = held
const H_PREV: usize = 4 // u32 entry index + 1 in the exporter's list
const H_NEXT: usize = 8 // u32 (also the free list)
const H_EXPORTER: usize = 12
const H_CHUNK: usize = 16 // u32 arena chunk
const H_LEN: usize = 20 // u32 payload bytes
const H_RECV_MS: usize = 24 // u64
const H_EXPORT_SECS: usize = 32
const H_SYS_UPTIME: usize = 36
const H_SEQUENCE: usize = 40
const H_DOMAIN: usize = 44
const H_TEMPLATE: usize = 48
const H_VERSION: usize = 52 // u8
const H_FLOW_TYPE: usize = 53 // u8
const H_PORT: usize = 54 // u16
const H_DEFAULT: usize = 56
const H_OVERRIDE: usize = 60
const H_SIZE: usize = 64

let entries: usize = 0
let capacity: u32 = 0
let freeHead: u32 = 0
let perExporter: u32 = 0
let maxAgeMs: u64 = 0
let current: u32 = 0

export function initHeld(count: u32, bytes: u32, exporterLimit: u32, ageMs: u32): void {
  capacity = count
  entries = capacity == 0 ? 0 : heap.alloc(<usize>capacity * H_SIZE)
  if (capacity > 0) memory.fill(entries, 0, <usize>capacity * H_SIZE)
  freeHead = 0
  for (let i = capacity; i > 0; i--) {
    store<u32>(entryAt(i - 1) + H_NEXT, freeHead)
    freeHead = i
  }
  initArena(bytes)
  perExporter = exporterLimit
  maxAgeMs = <u64>ageMs
  current = 0
}

@inline export function entryAt(i: u32): usize {
  return entries + <usize>i * H_SIZE
}

@inline function expired(h: usize): bool {
  return load<u64>(h + H_RECV_MS) + maxAgeMs < clockMs
}

/** Unlink entry `i` from its exporter and free it; `reason` is a counter or -1. */
export function dropHeld(i: u32, reason: i32): void {
  const h = entryAt(i)
  const e = sessionAt(load<u32>(h + H_EXPORTER))
  const prev = load<u32>(h + H_PREV)
  const next = load<u32>(h + H_NEXT)
  if (prev == 0) store<u32>(e + E_HELD_HEAD, next)
  else store<u32>(entryAt(prev - 1) + H_NEXT, next)
  if (next == 0) store<u32>(e + E_HELD_TAIL, prev)
  else store<u32>(entryAt(next - 1) + H_PREV, prev)
  store<u32>(e + E_HELD_COUNT, load<u32>(e + E_HELD_COUNT) - 1)
  store<u32>(h + H_STATE, 0)
  arenaFree(<usize>load<u32>(h + H_CHUNK))
  store<u32>(h + H_NEXT, freeHead)
  freeHead = i + 1
  current--
  setCounter(C_HELD_CURRENT, current)
  if (reason >= 0) count(<u32>reason)
}

/** Drop the exporter's held sets that are too old. */
export function expireExporter(exp: u32): void {
  let i = load<u32>(sessionAt(exp) + E_HELD_HEAD)
  while (i != 0) {
    const h = entryAt(i - 1)
    const next = load<u32>(h + H_NEXT)
    if (expired(h)) dropHeld(i - 1, C_HELD_EXPIRED)
    i = next
  }
}

function evictOldest(): bool {
  const owner = arenaTailOwner()
  if (owner < 0) return false
  dropHeld(<u32>owner, C_HELD_OVERFLOW)
  return true
}

/** Hold the data set body `p`..`p + len` for template `id` under the current context. */
export function holdSet(p: usize, len: usize, id: u32): void {
  if (len == 0) return
  if (capacity == 0 || perExporter == 0 || !arenaCanHold(len)) {
    count(C_HELD_REJECTED)
    return
  }
  const exp = fcExporter
  const e = sessionAt(exp)
  expireExporter(exp)
  while (load<u32>(e + E_HELD_COUNT) >= perExporter) {
    dropHeld(load<u32>(e + E_HELD_HEAD) - 1, C_HELD_OVERFLOW)
  }
  if (freeHead == 0 && !evictOldest()) {
    count(C_HELD_REJECTED)
    return
  }
  const idx = freeHead - 1
  const h = entryAt(idx)
  freeHead = load<u32>(h + H_NEXT)
  let chunk = arenaAlloc(len, <i32>idx)
  while (chunk == 0) {
    if (!evictOldest()) {
      store<u32>(h + H_NEXT, freeHead)
      freeHead = idx + 1
      count(C_HELD_REJECTED)
      return
    }
    chunk = arenaAlloc(len, <i32>idx)
  }
  memory.copy(chunk + CHUNK_HEADER, p, len)
  store<u32>(h + H_STATE, 1)
  store<u32>(h + H_EXPORTER, exp)
  store<u32>(h + H_CHUNK, <u32>chunk)
  store<u32>(h + H_LEN, <u32>len)
  store<u64>(h + H_RECV_MS, fcRecvMs)
  store<u32>(h + H_EXPORT_SECS, fcExportSecs)
  store<u32>(h + H_SYS_UPTIME, fcSysUptime)
  store<u32>(h + H_SEQUENCE, fcSequence)
  store<u32>(h + H_DOMAIN, fcDomain)
  store<u32>(h + H_TEMPLATE, id)
  store<u8>(h + H_VERSION, <u8>fcVersion)
  store<u8>(h + H_FLOW_TYPE, fcFlowType)
  store<u16>(h + H_PORT, <u16>fcPort)
  store<u32>(h + H_DEFAULT, fcSamplingDefault)
  store<u32>(h + H_OVERRIDE, fcSamplingOverride)
  // Append to the exporter's list (oldest first).
  const tail = load<u32>(e + E_HELD_TAIL)
  store<u32>(h + H_PREV, tail)
  store<u32>(h + H_NEXT, 0)
  if (tail == 0) store<u32>(e + E_HELD_HEAD, idx + 1)
  else store<u32>(entryAt(tail - 1) + H_NEXT, idx + 1)
  store<u32>(e + E_HELD_TAIL, idx + 1)
  store<u32>(e + E_HELD_COUNT, load<u32>(e + E_HELD_COUNT) + 1)
  current++
  setCounter(C_HELD_CURRENT, current)
  count(C_SETS_HELD)
}

// Accessors for the release pass (release.ts)
@inline export function heldVersion(h: usize): u32 {
  return <u32>load<u8>(h + H_VERSION)
}
@inline export function heldDomain(h: usize): u32 {
  return load<u32>(h + H_DOMAIN)
}
@inline export function heldTemplate(h: usize): u32 {
  return load<u32>(h + H_TEMPLATE)
}
@inline export function heldNext(h: usize): u32 {
  return load<u32>(h + H_NEXT)
}
@inline export function heldPayload(h: usize): usize {
  return <usize>load<u32>(h + H_CHUNK) + CHUNK_HEADER
}
@inline export function heldLength(h: usize): usize {
  return <usize>load<u32>(h + H_LEN)
}
@inline export function isExpired(h: usize): bool {
  return expired(h)
}

/** Make entry `h` the current flow context (records get datagram `index`). */
export function enterHeldContext(h: usize, exporterAddr: usize, index: u32): void {
  setFlowContext(
    heldVersion(h),
    load<u8>(h + H_FLOW_TYPE),
    load<u32>(h + H_EXPORTER),
    exporterAddr,
    heldDomain(h),
    load<u32>(h + H_EXPORT_SECS),
    load<u32>(h + H_SYS_UPTIME),
    load<u32>(h + H_SEQUENCE),
  )
  setFlowDatagram(
    index,
    load<u64>(h + H_RECV_MS),
    <u32>load<u16>(h + H_PORT),
    load<u32>(h + H_DEFAULT),
    load<u32>(h + H_OVERRIDE),
  )
}

export function heldCurrent(): u32 {
  return current
}
