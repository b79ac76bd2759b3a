// Exporter addresses interned to small slot numbers. One address may export over several
// transport sessions (sessions.ts); what is bounded per exporter (its template quota) is
// counted here, per address, so a sender cannot escape the quota by changing port.
// Fixed capacity; slots are never freed.

export const A_ADDR: usize = 0 // 16 bytes, IPv6 / IPv4-mapped
export const A_TEMPLATES: usize = 16 // u32 templates stored for this address, all sessions
export const A_SESSIONS: usize = 20 // u32 sessions seen from this address
export const A_SIZE: usize = 24

let slots: usize = 0
let capacity: u32 = 0
let table: usize = 0 // u32 slot index + 1, open addressing
let mask: u32 = 0
export let addressCount: u32 = 0

export function initAddresses(cap: u32): void {
  capacity = cap < 1 ? 1 : cap
  slots = heap.alloc(<usize>capacity * A_SIZE)
  memory.fill(slots, 0, <usize>capacity * A_SIZE)
  let n: u32 = 2
  while (n < capacity * 2) n <<= 1
  mask = n - 1
  table = heap.alloc(<usize>n * 4)
  memory.fill(table, 0, <usize>n * 4)
  addressCount = 0
}

@inline export function addressAt(slot: u32): usize {
  return slots + <usize>slot * A_SIZE
}

@inline export function hash16(a: usize): u32 {
  let h = load<u32>(a) * 0x9e3779b1
  h = (h ^ load<u32>(a + 4)) * 0x85ebca6b
  h = (h ^ load<u32>(a + 8)) * 0xc2b2ae35
  h = (h ^ load<u32>(a + 12)) * 0x27d4eb2f
  return h ^ (h >> 16)
}

/** The slot of the address at `addr` (16 bytes), adding it; -1 when the table is full. */
export function internAddress(addr: usize): i32 {
  let b = hash16(addr) & mask
  for (;;) {
    const v = load<u32>(table + ((<usize>b) << 2))
    if (v == 0) break
    const s = addressAt(v - 1)
    if (load<u64>(s) == load<u64>(addr) && load<u64>(s + 8) == load<u64>(addr + 8)) {
      return <i32>(v - 1)
    }
    b = (b + 1) & mask
  }
  if (addressCount >= capacity) return -1
  const slot = addressCount++
  memory.copy(addressAt(slot), addr, 16)
  store<u32>(table + ((<usize>b) << 2), slot + 1)
  return <i32>slot
}

@inline export function addressTemplates(a: u32): u32 {
  return load<u32>(addressAt(a) + A_TEMPLATES)
}

@inline export function addTemplates(a: u32, delta: i32): void {
  const s = addressAt(a) + A_TEMPLATES
  store<u32>(s, <u32>(<i32>load<u32>(s) + delta))
}

/** The address holding the most templates (ties: the first), or -1 when none holds any. */
export function busiestAddress(): i32 {
  let best: i32 = -1
  let most: u32 = 0
  for (let a: u32 = 0; a < addressCount; a++) {
    const n = addressTemplates(a)
    if (n > most) {
      most = n
      best = <i32>a
    }
  }
  return best
}
