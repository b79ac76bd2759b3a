// Ring allocator for the bytes of held data sets. Chunks are carved in arrival order;
// a freed chunk is reclaimed once every older chunk is free too, so the oldest live
// chunk (the tail) is the one to evict when space runs out.
// Chunk: u32 size (header included, multiple of 8), i32 owner (held entry, -1 = free).

export const CHUNK_HEADER: usize = 8

let base: usize = 0
let cap: usize = 0
let head: usize = 0 // next chunk goes here
let tail: usize = 0 // oldest chunk
let used: usize = 0 // bytes between tail and head, freed chunks included

export function initArena(bytes: u32): void {
  cap = (<usize>bytes) & ~(<usize>7)
  base = cap == 0 ? 0 : heap.alloc(cap)
  head = 0
  tail = 0
  used = 0
}

@inline function chunkSize(off: usize): usize {
  return <usize>load<u32>(base + off)
}

function reclaim(): void {
  while (used > 0 && load<i32>(base + tail + 4) < 0) {
    const s = chunkSize(tail)
    tail += s
    if (tail >= cap) tail = 0
    used -= s
  }
  if (used == 0) {
    head = 0
    tail = 0
  }
}

function place(at: usize, need: usize, owner: i32): usize {
  store<u32>(base + at, <u32>need)
  store<i32>(base + at + 4, owner)
  head = at + need
  if (head >= cap) head = 0
  used += need
  return base + at
}

/** True when a payload of `n` bytes could ever fit. */
export function arenaCanHold(n: usize): bool {
  return CHUNK_HEADER + ((n + 7) & ~(<usize>7)) <= cap
}

/**
 * A chunk for `n` payload bytes owned by entry `owner`, or 0 when there is no room
 * now (evict the tail owner and try again). The payload starts CHUNK_HEADER bytes in.
 */
export function arenaAlloc(n: usize, owner: i32): usize {
  const need = CHUNK_HEADER + ((n + 7) & ~(<usize>7))
  if (need > cap) return 0
  reclaim()
  const full = used == cap
  if (full) return 0
  if (head >= tail) {
    if (cap - head >= need) return place(head, need, owner)
    if (tail >= need) {
      // Mark the end of the ring as a free chunk and start again at the front.
      store<u32>(base + head, <u32>(cap - head))
      store<i32>(base + head + 4, -1)
      used += cap - head
      return place(0, need, owner)
    }
    return 0
  }
  if (tail - head >= need) return place(head, need, owner)
  return 0
}

export function arenaFree(chunk: usize): void {
  store<i32>(chunk + 4, -1)
  reclaim()
}

/** Owner of the oldest live chunk, -1 when the arena is empty. */
export function arenaTailOwner(): i32 {
  reclaim()
  if (used == 0) return -1
  return load<i32>(base + tail + 4)
}
