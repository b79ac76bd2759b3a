// The string table for text columns: the host writes each string into the arena twice,
// escaped for TSV and as a RowBinary String (LEB128 length, then the bytes), and both
// (offset, length) pairs into the index; records carry ids. Id 0 is the empty string;
// fixed ids name protocols, flow types and directions, so the formatters need no
// tables of their own. Ids, bounds and the index entry come from contract/flows.json.
import { BINARY_AT, INDEX_ENTRY } from '../generated/flows'

/** Bytes copyString may write past a string's end (and read past it in the arena). */
export const STRING_OVERRUN: usize = 32

let indexBase: usize = 0
let indexCap: u32 = 0
let arenaBase: usize = 0

export function initStrings(ids: u32, arenaBytes: u32): void {
  indexCap = ids
  indexBase = heap.alloc(<usize>ids * INDEX_ENTRY)
  memory.fill(indexBase, 0, <usize>ids * INDEX_ENTRY)
  // Slack: copyString reads short strings as 8-byte words.
  arenaBase = heap.alloc(<usize>arenaBytes + STRING_OVERRUN)
}

export function stringIndexRegion(): usize {
  return indexBase
}
export function stringArenaRegion(): usize {
  return arenaBase
}
export function stringCapacity(): u32 {
  return indexCap
}

/** Copy string `id`'s TSV form to `out` (may write STRING_OVERRUN bytes past the end); returns the new end. */
@inline export function copyString(id: u32, out: usize): usize {
  if (id >= indexCap) return out
  return copyEntry(indexBase + <usize>id * INDEX_ENTRY, out)
}

/**
 * Copy string `id` as a RowBinary String (length prefix included) to `out`; an id with
 * no binary form (0, unknown) is the empty string: one zero byte. May write
 * STRING_OVERRUN bytes past the end.
 */
@inline export function copyBinaryString(id: u32, out: usize): usize {
  if (id < indexCap) {
    const at = indexBase + <usize>id * INDEX_ENTRY + BINARY_AT
    if (load<u32>(at + 4) != 0) return copyEntry(at, out)
  }
  store<u8>(out, 0)
  return out + 1
}

@inline function copyEntry(at: usize, out: usize): usize {
  const len = <usize>load<u32>(at + 4)
  if (len == 0) return out
  const src = arenaBase + <usize>load<u32>(at)
  if (len <= STRING_OVERRUN) {
    // Short strings (countries, protocol and AS names): two or four 8-byte words,
    // whatever the length (the caller's buffer has room for STRING_OVERRUN bytes more).
    store<u64>(out, load<u64>(src))
    store<u64>(out + 8, load<u64>(src + 8))
    if (len > 16) {
      store<u64>(out + 16, load<u64>(src + 16))
      store<u64>(out + 24, load<u64>(src + 24))
    }
  } else {
    memory.copy(out, src, len)
  }
  return out + len
}
