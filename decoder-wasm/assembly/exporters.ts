// Exporter addresses interned to small slot numbers, so templates, sampling state and
// held data are keyed by a u32 instead of 16 bytes. Each slot also anchors the list of
// data sets held for that exporter (held.ts). Fixed capacity; slots are never freed.

export const E_ADDR: usize = 0 // 16 bytes
export const E_HELD_HEAD: usize = 16 // u32 held entry index + 1, 0 = none (oldest first)
export const E_HELD_TAIL: usize = 20 // u32
export const E_HELD_COUNT: usize = 24 // u32
export const E_DIRTY: usize = 28 // u32: a template arrived; held data may now decode
export const E_SIZE: usize = 32

let slots: usize = 0
let capacity: u32 = 0
let table: usize = 0 // u32 slot index + 1, open addressing
let mask: u32 = 0
export let exporterCount: u32 = 0

export function initExporters(cap: u32): void {
  capacity = cap < 1 ? 1 : cap
  slots = heap.alloc(<usize>capacity * E_SIZE)
  memory.fill(slots, 0, <usize>capacity * E_SIZE)
  let n: u32 = 2
  while (n < capacity * 2) n <<= 1
  mask = n - 1
  table = heap.alloc(<usize>n * 4)
  memory.fill(table, 0, <usize>n * 4)
  exporterCount = 0
}

@inline export function exporterAt(slot: u32): usize {
  return slots + <usize>slot * E_SIZE
}

@inline function hash16(a: usize): u32 {
  let h = load<u32>(a) * 0x9e3779b1
  h = (h ^ load<u32>(a + 4)) * 0x85ebca6b
  h = (h ^ load<u32>(a + 8)) * 0xc2b2ae35
  h = (h ^ load<u32>(a + 12)) * 0x27d4eb2f
  return h ^ (h >> 16)
}

/** The slot of the exporter at `addr` (16 bytes), adding it; -1 when the table is full. */
export function internExporter(addr: usize): i32 {
  let b = hash16(addr) & mask
  for (;;) {
    const v = load<u32>(table + (<usize>b << 2))
    if (v == 0) break
    const s = exporterAt(v - 1)
    if (load<u64>(s) == load<u64>(addr) && load<u64>(s + 8) == load<u64>(addr + 8)) {
      return <i32>(v - 1)
    }
    b = (b + 1) & mask
  }
  if (exporterCount >= capacity) return -1
  const slot = exporterCount++
  const s = exporterAt(slot)
  memory.copy(s, addr, 16)
  store<u32>(table + (<usize>b << 2), slot + 1)
  return <i32>slot
}

export function exporterCapacity(): u32 {
  return capacity
}
