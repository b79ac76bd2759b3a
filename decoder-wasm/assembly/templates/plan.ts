// Compiles a template's field list into a decode plan once, when the template is
// learned: one step per field the record uses (op, target, length), unknown and losing
// alternative fields merged into skips, plus the flags the record finisher needs.
import {
  G_DST_ADDR,
  G_DURATION,
  G_END,
  G_ICMP,
  G_INTERVAL,
  G_NONE,
  G_REV_BYTES,
  G_REV_PACKETS,
  G_SAMPLER,
  G_SRC_ADDR,
  G_START,
  G_VLAN,
  GROUPS,
  NO_MAPPING,
  PEN_REVERSE,
  RANK_OBSERVED,
  dataMapping,
  mapGroup,
  mapOp,
  mapRank,
  mapTarget,
  optionsMapping,
  reverseMapping,
} from './ie'
import {
  FL_DELTA_END,
  FL_DELTA_START,
  FL_DURATION,
  FL_END,
  FL_FAMILY_BOTH,
  FL_HAS_V4,
  FL_HAS_V6,
  FL_ICMP_FROM_PORT,
  FL_POINT,
  FL_RATE_IN_RECORD,
  FL_REVERSE,
  FL_SAMPLER_REF,
  FL_SELECTOR_REF,
  FL_START,
  FL_SYS_INIT,
  FL_UP_END,
  FL_UP_START,
  FL_VLAN_COPY,
  OP_ADDR4,
  OP_ADDR4_NZ,
  OP_ADDR6,
  OP_ADDR6_NZ,
  OP_ICMP,
  OP_MAC,
  OP_NTP_MICRO,
  OP_NTP_NANO,
  OP_SCRATCH,
  OP_SKIP,
  OP_SKIP_VAR,
  S_DELTA_END,
  S_DELTA_START,
  S_DURATION_MS,
  S_DURATION_US,
  S_PKT_INTERVAL,
  S_PKT_SPACE,
  S_SELECTOR_ID,
  S_SYS_INIT,
  S_UP_END,
  S_UP_START,
  step,
} from './plan-ops'
import {
  KIND_DATA,
  T_FIELDS,
  T_FLAGS,
  T_KIND,
  T_MIN_LEN,
  T_PLAN,
  T_SCOPE,
  T_SPECS,
  T_STEPS,
  T_VERSION,
} from './slot'

const VARIABLE: u32 = 0xffff
let steps: u32 = 0

@inline function emit(plan: usize, word: u32): void {
  store<u32>(plan + ((<usize>steps) << 2), word)
  steps++
}
const best = memory.data(<i32>GROUPS) // lowest rank present per group (255 = none)
const seen = memory.data(<i32>GROUPS) // how many fields have that rank

function lengthFits(op: u32, len: u32): bool {
  if (op == OP_ADDR4) return len == 4
  if (op == OP_ADDR6) return len == 16
  if (op == OP_MAC) return len == 6
  if (op == OP_ICMP) return len == 2
  if (op == OP_NTP_MICRO || op == OP_NTP_NANO) return len == 8
  return len >= 1 && len <= 8
}

/** The mapping of field `i` of the template in slot `t`, NO_MAPPING when unused. */
function mappingOf(t: usize, i: u32): u32 {
  const spec = t + T_SPECS + ((<usize>i) << 3)
  let id = <u32>load<u16>(spec)
  const len = <u32>load<u16>(spec + 2)
  const ipfix = load<u32>(t + T_VERSION) == 10
  if (ipfix && len == VARIABLE) return NO_MAPPING
  let mapping = NO_MAPPING
  if (load<u32>(t + T_KIND) == KIND_DATA) {
    if (ipfix && (id & 0x8000) != 0) {
      id &= 0x7fff
      if (load<u32>(spec + 4) == PEN_REVERSE) mapping = reverseMapping(id)
    } else {
      mapping = dataMapping(id)
    }
  } else {
    // v9 scope fields are scope types (System, Interface ...), not field types.
    if (!ipfix && i < load<u32>(t + T_SCOPE)) return NO_MAPPING
    if (ipfix && (id & 0x8000) != 0) return NO_MAPPING
    mapping = optionsMapping(id)
  }
  if (mapping == NO_MAPPING || !lengthFits(mapOp(mapping), len)) return NO_MAPPING
  return mapping
}

function flagFor(op: u32, target: u32, group: u32): u32 {
  if (op == OP_SCRATCH) {
    if (target == S_UP_START) return FL_UP_START
    if (target == S_UP_END) return FL_UP_END
    if (target == S_DELTA_START) return FL_DELTA_START
    if (target == S_DELTA_END) return FL_DELTA_END
    if (target == S_DURATION_MS || target == S_DURATION_US) return FL_DURATION
    if (target == S_SYS_INIT) return FL_SYS_INIT
    if (target == S_PKT_INTERVAL || target == S_PKT_SPACE) return FL_RATE_IN_RECORD
  }
  if (group == G_INTERVAL) return FL_RATE_IN_RECORD
  if (group == G_SAMPLER)
    return target == S_SELECTOR_ID ? FL_SAMPLER_REF | FL_SELECTOR_REF : FL_SAMPLER_REF
  if (group == G_VLAN) return FL_VLAN_COPY
  if (group == G_REV_BYTES || group == G_REV_PACKETS) return FL_REVERSE
  if (group == G_SRC_ADDR || group == G_DST_ADDR) return op == OP_ADDR4 ? FL_HAS_V4 : FL_HAS_V6
  return 0
}

/** Which ends the template's time elements give (after compilePlan ranked them). */
function timeFlags(): u32 {
  const start = <u32>load<u8>(best + <usize>G_START)
  const hasEnd = load<u8>(best + <usize>G_END) != 255
  let flags: u32 = 0
  if (start != 255) flags |= FL_START
  if (hasEnd) flags |= FL_END
  const observed = start != 255 && start >= RANK_OBSERVED
  if (observed && !hasEnd && load<u8>(best + <usize>G_DURATION) == 255) flags |= FL_POINT
  return flags
}

/**
 * Fill T_PLAN, T_STEPS, T_MIN_LEN and T_FLAGS of the template in slot `t` from its
 * T_SPECS. False when the template cannot describe a record (no bytes at all).
 */
export function compilePlan(t: usize): bool {
  const n = load<u32>(t + T_FIELDS)
  memory.fill(best, 255, <usize>GROUPS)
  memory.fill(seen, 0, <usize>GROUPS)
  for (let i: u32 = 0; i < n; i++) {
    const mapping = mappingOf(t, i)
    if (mapping == NO_MAPPING) continue
    const g = <usize>mapGroup(mapping)
    if (g == G_NONE) continue
    const rank = mapRank(mapping)
    const b = <u32>load<u8>(best + g)
    if (rank < b) {
      store<u8>(best + g, <u8>rank)
      store<u8>(seen + g, 1)
    } else if (rank == b) {
      store<u8>(seen + g, load<u8>(seen + g) + 1)
    }
  }

  const plan = t + T_PLAN
  steps = 0
  let minLen: u32 = 0
  let skip: u32 = 0
  let flags: u32 = 0
  for (let i: u32 = 0; i < n; i++) {
    const len = <u32>load<u16>(t + T_SPECS + ((<usize>i) << 3) + 2)
    if (len == VARIABLE && load<u32>(t + T_VERSION) == 10) {
      if (skip > 0) emit(plan, step(OP_SKIP, 0, skip))
      skip = 0
      emit(plan, step(OP_SKIP_VAR, 0, 0))
      minLen += 1
      continue
    }
    minLen += len
    let mapping = mappingOf(t, i)
    const g = mapping == NO_MAPPING ? G_NONE : mapGroup(mapping)
    if (g != G_NONE && mapRank(mapping) != <u32>load<u8>(best + <usize>g)) mapping = NO_MAPPING
    if (mapping == NO_MAPPING) {
      if (skip + len > 0xffff) {
        emit(plan, step(OP_SKIP, 0, skip))
        skip = 0
      }
      skip += len
      continue
    }
    if (skip > 0) emit(plan, step(OP_SKIP, 0, skip))
    skip = 0
    let op = mapOp(mapping)
    const target = mapTarget(mapping)
    if (g != G_NONE && load<u8>(seen + <usize>g) > 1) {
      // The template carries both the IPv4 and the IPv6 field: keep the non-zero one.
      if (op == OP_ADDR4) op = OP_ADDR4_NZ
      else if (op == OP_ADDR6) op = OP_ADDR6_NZ
      if (g == G_SRC_ADDR || g == G_DST_ADDR) flags |= FL_FAMILY_BOTH
    }
    flags |= flagFor(mapOp(mapping), target, g)
    emit(plan, step(op, target, len))
  }
  if (skip > 0) emit(plan, step(OP_SKIP, 0, skip))
  if (load<u32>(t + T_KIND) == KIND_DATA && load<u8>(best + <usize>G_ICMP) == 255) {
    flags |= FL_ICMP_FROM_PORT
  }
  flags |= timeFlags()
  store<u32>(t + T_STEPS, steps)
  store<u32>(t + T_MIN_LEN, minLen)
  store<u32>(t + T_FLAGS, flags)
  return minLen > 0
}
