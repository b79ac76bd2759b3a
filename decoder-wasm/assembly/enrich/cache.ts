// Enrichment cache inside WASM: the host's per-address and per-interface answers
// (string-table ids, AS number, local flag) kept in an open-addressing table keyed by
// the 16 address bytes plus a 4-byte qualifier, so a batch whose addresses were seen
// before is enriched without leaving WASM. Records with an unknown key are listed as
// misses; the host answers them with enrichPut() and calls enrichRetry(). With
// anonymisation on, an address's anonymised form is one more entry (Q_ANONYMISED, its 16
// bytes in the four values), written over the record's address after the enrichment
// above used the clear one.
import {
  F_DIRECTION,
  F_DST_ADDR,
  F_DST_AS,
  F_EXPORTER,
  F_IN_IF,
  F_NEXT_HOP,
  F_OUT_IF,
  F_POST_NAT_DST_ADDR,
  F_POST_NAT_SRC_ADDR,
  F_SRC_ADDR,
  F_SRC_AS,
  REC_SIZE,
  S_DST_AS_NAME,
  S_DST_COUNTRY,
  S_DST_HOST,
  S_EXPORTER_NAME,
  S_IN_IF_NAME,
  S_OUT_IF_NAME,
  S_SRC_AS_NAME,
  S_SRC_COUNTRY,
  S_SRC_HOST,
} from '../generated/record'
import { DIR_INBOUND, DIR_INTERNAL, DIR_OUTBOUND, DIR_TRANSIT } from '../generated/flows'
import {
  ENRICH_ANONYMISE_LOCAL,
  ENRICH_ANONYMISE_REMOTE,
  ENRICH_DIRECTION,
  ENRICH_NAMES,
  ENRICH_PREFIX_SETS,
  Q_ADDRESS,
  Q_ANONYMISED,
  Q_EXPORTER,
  Q_PREFIX_SET,
} from '../generated/abi'

// Slot: key 20 bytes, used flag, value: 4 x u32 (a..d), flag byte.
const SLOT: usize = 48
const K_USED: usize = 20
const V_A: usize = 24 // country id | name id; V_A..V_D: an anonymised address
const V_B: usize = 28 // AS number
const V_C: usize = 32 // AS name id
const V_D: usize = 36 // host id
const V_LOCAL: usize = 40

let table: usize = 0
let mask: u32 = 0
let used: u32 = 0
let missBase: usize = 0
let missCap: u32 = 0
let stage: usize = 0 // 20-byte key written by the host for enrichPut

export function initEnrichCache(slotsLog2: u32, misses: u32): void {
  const slots = (<u32>1) << slotsLog2
  mask = slots - 1
  table = heap.alloc(<usize>slots * SLOT)
  memory.fill(table, 0, <usize>slots * SLOT)
  missCap = misses
  missBase = heap.alloc(<usize>misses * 4)
  stage = heap.alloc(32)
}
export function enrichStage(): usize {
  return stage
}
export function enrichMisses(): usize {
  return missBase
}
export function enrichClear(): void {
  memory.fill(table, 0, (<usize>mask + 1) * SLOT)
  used = 0
  lastValid = false
}

/** Forget the key in the stage area, if cached; the entries after it close the gap. */
export function enrichForget(): void {
  const q = load<u32>(stage + 16)
  const slot = find(stage, q)
  if (slot == 0) return
  let hole = <u32>((slot - table) / SLOT)
  let j = hole
  for (;;) {
    j = (j + 1) & mask
    const s = table + <usize>j * SLOT
    if (load<u8>(s + K_USED) == 0) break
    const home = hash(s, load<u32>(s + 16)) & mask
    // An entry stays when its home slot lies cyclically in (hole, j].
    const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j
    if (stays) continue
    memory.copy(table + <usize>hole * SLOT, s, SLOT)
    hole = j
  }
  memory.fill(table + <usize>hole * SLOT, 0, SLOT)
  used--
  lastValid = false
  lastInSlot = 0
  lastOutSlot = 0
}

@inline function hash(addr: usize, q: u32): u32 {
  let h: u32 = q * 0x9e3779b1
  h = (h ^ load<u32>(addr)) * 0x85ebca6b
  h = (h ^ load<u32>(addr + 4)) * 0xc2b2ae35
  h = (h ^ load<u32>(addr + 8)) * 0x27d4eb2f
  h = (h ^ load<u32>(addr + 12)) * 0x165667b1
  return h ^ (h >> 15)
}

@inline function sameKey(slot: usize, addr: usize, q: u32): bool {
  return (
    load<u64>(slot) == load<u64>(addr) &&
    load<u64>(slot + 8) == load<u64>(addr + 8) &&
    load<u32>(slot + 16) == q
  )
}

/** The slot holding (addr, q), or 0. */
function find(addr: usize, q: u32): usize {
  let i = hash(addr, q) & mask
  for (let probes: u32 = 0; probes <= mask; probes++) {
    const slot = table + <usize>i * SLOT
    if (load<u8>(slot + K_USED) == 0) return 0
    if (sameKey(slot, addr, q)) return slot
    i = (i + 1) & mask
  }
  return 0
}

/** Store the answer for the key in the stage area (replacing an older one). */
export function enrichPut(a: u32, b: u32, c: u32, d: u32, local: u32): void {
  const q = load<u32>(stage + 16)
  let slot = find(stage, q)
  if (slot == 0) {
    if (used >= mask + 1 - ((mask + 1) >> 2)) enrichClear() // keep the load under 3/4
    let i = hash(stage, q) & mask
    while (load<u8>(table + <usize>i * SLOT + K_USED) != 0) i = (i + 1) & mask
    slot = table + <usize>i * SLOT
    memory.copy(slot, stage, 16)
    store<u32>(slot + 16, q)
    store<u8>(slot + K_USED, 1)
    used++
  }
  store<u32>(slot + V_A, a)
  store<u32>(slot + V_B, b)
  store<u32>(slot + V_C, c)
  store<u32>(slot + V_D, d)
  store<u8>(slot + V_LOCAL, <u8>local)
}

let direction: bool = false
let names: bool = false
let sets: bool = false
let anonLocal: bool = false
let anonRemote: bool = false

// The last exporter's entries: consecutive records mostly share exporter and interfaces.
// Slots never move until a clear or a forget, which both forget these.
let lastValid: bool = false
let lastExp0: u64 = 0
let lastExp1: u64 = 0
let lastExpSlot: usize = 0
let lastIn: u32 = 0
let lastInSlot: usize = 0
let lastOut: u32 = 0
let lastOutSlot: usize = 0

@inline function sameExporter(rec: usize): bool {
  return (
    lastValid &&
    load<u64>(rec + F_EXPORTER) == lastExp0 &&
    load<u64>(rec + F_EXPORTER + 8) == lastExp1
  )
}

function ifSlot(rec: usize, ifIndex: u32, isIn: bool): usize {
  if (isIn && lastInSlot != 0 && ifIndex == lastIn) return lastInSlot
  if (!isIn && lastOutSlot != 0 && ifIndex == lastOut) return lastOutSlot
  const slot = find(rec + F_EXPORTER, ifIndex)
  if (isIn) {
    lastIn = ifIndex
    lastInSlot = slot
  } else {
    lastOut = ifIndex
    lastOutSlot = slot
  }
  return slot
}

/** An absent address: :: or ::ffff:0.0.0.0 (how IPv4 fields store 0.0.0.0). */
@inline function isZero(addr: usize): bool {
  const low = load<u64>(addr + 8)
  return load<u64>(addr) == 0 && (low == 0 || low == 0xffff0000)
}

/** The anonymised entry of the address at `addr`: 0 when absent, 1 when not cached. */
@inline function anonOf(addr: usize): usize {
  if (isZero(addr)) return 0
  const slot = find(addr, Q_ANONYMISED)
  return slot == 0 ? 1 : slot
}

/** Write an address's anonymised form (a slot from anonOf) over it. */
@inline function anonWrite(addr: usize, slot: usize): void {
  if (slot > 1) memory.copy(addr, slot + V_A, 16)
}

/** Enrich one record; false (nothing written) when a key is not cached. */
function enrichOne(rec: usize): bool {
  const src = find(rec + F_SRC_ADDR, Q_ADDRESS)
  if (src == 0) return false
  const dst = find(rec + F_DST_ADDR, Q_ADDRESS)
  if (dst == 0) return false
  let exp: usize = 0
  let inIf: usize = 0
  let outIf: usize = 0
  if (names || sets) {
    if (!sameExporter(rec)) {
      lastExpSlot = find(rec + F_EXPORTER, Q_EXPORTER)
      if (lastExpSlot == 0) return false
      lastExp0 = load<u64>(rec + F_EXPORTER)
      lastExp1 = load<u64>(rec + F_EXPORTER + 8)
      lastInSlot = 0
      lastOutSlot = 0
      lastValid = true
    }
    exp = lastExpSlot
  }
  // Local flags come from the address entries, or from the exporter's own prefix set.
  let srcLocal = src
  let dstLocal = dst
  let dir = direction
  if (sets) {
    const set = load<u32>(exp + V_B)
    if (set != 0) {
      srcLocal = find(rec + F_SRC_ADDR, Q_PREFIX_SET + set)
      if (srcLocal == 0) return false
      dstLocal = find(rec + F_DST_ADDR, Q_PREFIX_SET + set)
      if (dstLocal == 0) return false
      dir = true
    }
  }
  // The anonymised forms, for the sides the mode names: without a direction which side is
  // local is unknown, so both are anonymised (a side is never stored in clear by doubt).
  // A side's post-NAT address goes with it; the next hop (on neither side) whenever
  // anything is anonymised. Absent ones (zero) stay as they are.
  let srcAnon: usize = 0
  let dstAnon: usize = 0
  let srcNat: usize = 0
  let dstNat: usize = 0
  let hop: usize = 0
  if (anonLocal || anonRemote) {
    if (dir ? (load<u8>(srcLocal + V_LOCAL) != 0 ? anonLocal : anonRemote) : true) {
      srcAnon = find(rec + F_SRC_ADDR, Q_ANONYMISED)
      if (srcAnon == 0) return false
      srcNat = anonOf(rec + F_POST_NAT_SRC_ADDR)
      if (srcNat == 1) return false
    }
    if (dir ? (load<u8>(dstLocal + V_LOCAL) != 0 ? anonLocal : anonRemote) : true) {
      dstAnon = find(rec + F_DST_ADDR, Q_ANONYMISED)
      if (dstAnon == 0) return false
      dstNat = anonOf(rec + F_POST_NAT_DST_ADDR)
      if (dstNat == 1) return false
    }
    hop = anonOf(rec + F_NEXT_HOP)
    if (hop == 1) return false
  }
  if (names) {
    inIf = ifSlot(rec, load<u32>(rec + F_IN_IF), true)
    if (inIf == 0) return false
    outIf = ifSlot(rec, load<u32>(rec + F_OUT_IF), false)
    if (outIf == 0) return false
    store<u32>(rec + S_EXPORTER_NAME, load<u32>(exp + V_A))
    store<u32>(rec + S_IN_IF_NAME, load<u32>(inIf + V_A))
    store<u32>(rec + S_OUT_IF_NAME, load<u32>(outIf + V_A))
  }
  store<u32>(rec + S_SRC_COUNTRY, load<u32>(src + V_A))
  store<u32>(rec + S_DST_COUNTRY, load<u32>(dst + V_A))
  const srcAs = load<u32>(rec + F_SRC_AS)
  if (srcAs == 0) store<u32>(rec + F_SRC_AS, load<u32>(src + V_B))
  if (srcAs == 0 || srcAs == load<u32>(src + V_B))
    store<u32>(rec + S_SRC_AS_NAME, load<u32>(src + V_C))
  const dstAs = load<u32>(rec + F_DST_AS)
  if (dstAs == 0) store<u32>(rec + F_DST_AS, load<u32>(dst + V_B))
  if (dstAs == 0 || dstAs == load<u32>(dst + V_B))
    store<u32>(rec + S_DST_AS_NAME, load<u32>(dst + V_C))
  store<u32>(rec + S_SRC_HOST, load<u32>(src + V_D))
  store<u32>(rec + S_DST_HOST, load<u32>(dst + V_D))
  if (dir) {
    const s = load<u8>(srcLocal + V_LOCAL) != 0
    const d = load<u8>(dstLocal + V_LOCAL) != 0
    store<u8>(
      rec + F_DIRECTION,
      s ? (d ? DIR_INTERNAL : DIR_OUTBOUND) : d ? DIR_INBOUND : DIR_TRANSIT,
    )
  }
  // Last: everything above used the clear addresses. An anonymised side keeps no host name.
  if (srcAnon != 0) {
    memory.copy(rec + F_SRC_ADDR, srcAnon + V_A, 16)
    store<u32>(rec + S_SRC_HOST, 0)
  }
  if (dstAnon != 0) {
    memory.copy(rec + F_DST_ADDR, dstAnon + V_A, 16)
    store<u32>(rec + S_DST_HOST, 0)
  }
  anonWrite(rec + F_POST_NAT_SRC_ADDR, srcNat)
  anonWrite(rec + F_POST_NAT_DST_ADDR, dstNat)
  anonWrite(rec + F_NEXT_HOP, hop)
  return true
}

/**
 * Enrich records [0, count) of the region at `records`. flags (contract/abi.json
 * enrich.flags): ENRICH_DIRECTION = local prefixes are configured (set direction),
 * ENRICH_NAMES = names are configured (exporter and interfaces), ENRICH_PREFIX_SETS =
 * some exporters have their own prefix set (their records always get a direction),
 * ENRICH_ANONYMISE_LOCAL / _REMOTE = store local / remote addresses anonymised.
 * Returns how many missed; their indices are at enrichMisses().
 */
export function enrichRun(records: usize, count: u32, flags: u32): u32 {
  direction = (flags & ENRICH_DIRECTION) != 0
  names = (flags & ENRICH_NAMES) != 0
  sets = (flags & ENRICH_PREFIX_SETS) != 0
  anonLocal = (flags & ENRICH_ANONYMISE_LOCAL) != 0
  anonRemote = (flags & ENRICH_ANONYMISE_REMOTE) != 0
  lastValid = false
  let misses: u32 = 0
  for (let i: u32 = 0; i < count; i++) {
    if (!enrichOne(records + <usize>i * REC_SIZE) && misses < missCap) {
      store<u32>(missBase + <usize>misses * 4, i)
      misses++
    }
  }
  return misses
}

/** Enrich again the records listed as misses; returns how many still miss. */
export function enrichRetry(records: usize, misses: u32): u32 {
  lastValid = false
  let still: u32 = 0
  for (let k: u32 = 0; k < misses; k++) {
    const i = load<u32>(missBase + <usize>k * 4)
    if (!enrichOne(records + <usize>i * REC_SIZE)) {
      store<u32>(missBase + <usize>still * 4, i)
      still++
    }
  }
  return still
}
