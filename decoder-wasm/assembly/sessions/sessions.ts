// Transport sessions: an exporter address and the UDP source port it sends from,
// interned to small slot numbers. Templates, options-derived sampling state and held data
// are keyed by the session slot, so a sender on another port (a spoofer using the
// exporter's address, or the exporter after a restart) never changes how this session's
// data decodes. Each slot also anchors the list of data sets held for that session
// (held/held.ts) and points to its address (addresses.ts). Fixed capacity; never freed.
import { A_SESSIONS, addressAt, hash16, internAddress } from './addresses'
import { C_NEW_SESSIONS } from '../generated/flow-counters'
import { count } from '../output/flow-counters'

export const E_ADDR: usize = 0 // 16 bytes: the address (first, so a slot reads as one)
export const E_HELD_HEAD: usize = 16 // u32 held entry index + 1, 0 = none (oldest first)
export const E_HELD_TAIL: usize = 20 // u32
export const E_HELD_COUNT: usize = 24 // u32
export const E_DIRTY: usize = 28 // u32: a template arrived; held data may now decode
export const E_PORT: usize = 32 // u32 UDP source port
export const E_ADDRESS: usize = 36 // u32 address slot
export const E_SIZE: usize = 40

let slots: usize = 0
let capacity: u32 = 0
let table: usize = 0 // u32 slot index + 1, open addressing
let mask: u32 = 0
export let sessionCount: u32 = 0
/** Set by internSession: the slot it returned is a new port of an address already heard. */
export let sessionNewPort = false

export function initSessions(cap: u32): void {
  capacity = cap < 1 ? 1 : cap
  slots = heap.alloc(<usize>capacity * E_SIZE)
  memory.fill(slots, 0, <usize>capacity * E_SIZE)
  let n: u32 = 2
  while (n < capacity * 2) n <<= 1
  mask = n - 1
  table = heap.alloc(<usize>n * 4)
  memory.fill(table, 0, <usize>n * 4)
  sessionCount = 0
}

@inline export function sessionAt(slot: u32): usize {
  return slots + <usize>slot * E_SIZE
}

@inline export function sessionAddress(slot: u32): u32 {
  return load<u32>(sessionAt(slot) + E_ADDRESS)
}

@inline export function sessionPort(slot: u32): u32 {
  return load<u32>(sessionAt(slot) + E_PORT)
}

/**
 * The slot of the session (`addr` 16 bytes, `port`), adding it; -1 when a table is full.
 * A new session of an address already heard is counted when `fromWire`.
 */
export function internSession(addr: usize, port: u32, fromWire: bool): i32 {
  sessionNewPort = false
  let b = (hash16(addr) ^ (port * 0x9e3779b1)) & mask
  for (;;) {
    const v = load<u32>(table + ((<usize>b) << 2))
    if (v == 0) break
    const s = sessionAt(v - 1)
    if (
      load<u32>(s + E_PORT) == port &&
      load<u64>(s) == load<u64>(addr) &&
      load<u64>(s + 8) == load<u64>(addr + 8)
    ) {
      return <i32>(v - 1)
    }
    b = (b + 1) & mask
  }
  if (sessionCount >= capacity) return -1
  const a = internAddress(addr)
  if (a < 0) return -1
  const slot = sessionCount++
  const s = sessionAt(slot)
  memory.copy(s, addr, 16)
  store<u32>(s + E_PORT, port)
  store<u32>(s + E_ADDRESS, <u32>a)
  store<u32>(table + ((<usize>b) << 2), slot + 1)
  const as = addressAt(<u32>a) + A_SESSIONS
  if (fromWire && load<u32>(as) > 0) {
    count(C_NEW_SESSIONS)
    sessionNewPort = true
  }
  store<u32>(as, load<u32>(as) + 1)
  return <i32>slot
}
