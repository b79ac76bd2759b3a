// The template store: data and options templates keyed by (exporter, protocol,
// observation domain / source ID, template ID), each with its field list and the decode
// plan compiled when it was learned. Fixed capacity, allocated once; chained hash with a
// free list so withdrawals give slots back.
import { C_TEMPLATE_TABLE_FULL, count } from './flow-counters'
import { compilePlan } from './plan'
import {
  SLOT_SIZE,
  SPEC_SIZE,
  T_DOMAIN,
  T_EXPORTER,
  T_FIELDS,
  T_ID,
  T_KIND,
  T_NEXT,
  T_PLAN,
  T_SCOPE,
  T_SPECS,
  T_STEPS,
  T_USED,
  T_VERSION,
} from './template-slot'

export const PUT_SAME: i32 = 0
export const PUT_NEW: i32 = 1
export const PUT_CHANGED: i32 = 2
export const PUT_FULL: i32 = -1
export const PUT_BAD: i32 = -2

let slots: usize = 0
let capacity: u32 = 0
let buckets: usize = 0 // u32 slot index + 1
let bucketMask: u32 = 0
let freeHead: u32 = 0 // slot index + 1
let staging: usize = 0 // a spare slot: templates compile here before replacing a live one
let hand: u32 = 0 // CLOCK eviction hand
export let templateCount: u32 = 0

const USED: u32 = 1
const REFERENCED: u32 = 2

export function initTemplates(cap: u32): void {
  capacity = cap < 1 ? 1 : cap
  slots = heap.alloc(<usize>capacity * SLOT_SIZE)
  memory.fill(slots, 0, <usize>capacity * SLOT_SIZE)
  let nb: u32 = 1
  while (nb < capacity) nb <<= 1
  bucketMask = nb - 1
  buckets = heap.alloc(<usize>nb * 4)
  memory.fill(buckets, 0, <usize>nb * 4)
  staging = heap.alloc(SLOT_SIZE)
  freeHead = 0
  for (let i: u32 = capacity; i > 0; i--) {
    store<u32>(slotAt(i - 1) + T_NEXT, freeHead)
    freeHead = i
  }
  templateCount = 0
}

@inline export function slotAt(i: u32): usize {
  return slots + <usize>i * SLOT_SIZE
}

export function templateCapacity(): u32 {
  return capacity
}

/** Staging slot: the caller writes version, kind, counts and specs here, then calls putTemplate. */
export function templateStaging(): usize {
  return staging
}

@inline function bucketOf(exp: u32, ver: u32, domain: u32, id: u32): usize {
  let h = exp * 0x9e3779b1 + domain
  h = (h ^ (h >> 15)) * 0x85ebca6b + (id | (ver << 16))
  h ^= h >> 13
  return buckets + (<usize>(h & bucketMask) << 2)
}

@inline function matches(s: usize, exp: u32, ver: u32, domain: u32, id: u32): bool {
  return (
    load<u32>(s + T_ID) == id &&
    load<u32>(s + T_DOMAIN) == domain &&
    load<u32>(s + T_EXPORTER) == exp &&
    load<u32>(s + T_VERSION) == ver
  )
}

/** The live template slot, or 0. Marks it recently used. */
export function findTemplate(exp: u32, ver: u32, domain: u32, id: u32): usize {
  let i = load<u32>(bucketOf(exp, ver, domain, id))
  while (i != 0) {
    const s = slotAt(i - 1)
    if (matches(s, exp, ver, domain, id)) {
      store<u32>(s + T_USED, USED | REFERENCED)
      return s
    }
    i = load<u32>(s + T_NEXT)
  }
  return 0
}

/**
 * Store full: evict a template not used since the clock hand last passed it (CLOCK,
 * an approximation of least recently used). False when nothing could be evicted.
 */
function evictOne(): bool {
  for (let n: u32 = 0; n < capacity * 2; n++) {
    const s = slotAt(hand)
    hand = hand + 1 < capacity ? hand + 1 : 0
    const state = load<u32>(s + T_USED)
    if (state == 0) continue
    if ((state & REFERENCED) != 0) {
      store<u32>(s + T_USED, USED)
      continue
    }
    count(C_TEMPLATE_TABLE_FULL)
    return removeTemplate(
      load<u32>(s + T_EXPORTER),
      load<u32>(s + T_VERSION),
      load<u32>(s + T_DOMAIN),
      load<u32>(s + T_ID),
    )
  }
  return false
}

function sameDefinition(s: usize, t: usize): bool {
  const n = load<u32>(t + T_FIELDS)
  return (
    load<u32>(s + T_KIND) == load<u32>(t + T_KIND) &&
    load<u32>(s + T_SCOPE) == load<u32>(t + T_SCOPE) &&
    load<u32>(s + T_FIELDS) == n &&
    memory.compare(s + T_SPECS, t + T_SPECS, <usize>n * SPEC_SIZE) == 0
  )
}

/**
 * Store the template written in the staging slot (T_VERSION, T_KIND, T_FIELDS,
 * T_SCOPE, T_SPECS) under the key; a redefinition replaces the old one. Returns PUT_*.
 */
export function putTemplate(exp: u32, domain: u32, id: u32): i32 {
  const t = staging
  const ver = load<u32>(t + T_VERSION)
  const old = findTemplate(exp, ver, domain, id)
  if (old != 0 && sameDefinition(old, t)) return PUT_SAME
  if (!compilePlan(t)) return PUT_BAD
  let s = old
  if (s == 0) {
    if (freeHead == 0 && !evictOne()) return PUT_FULL
    s = slotAt(freeHead - 1)
    const idx = freeHead
    freeHead = load<u32>(s + T_NEXT)
    const b = bucketOf(exp, ver, domain, id)
    store<u32>(t + T_NEXT, load<u32>(b))
    store<u32>(b, idx)
    templateCount++
  } else {
    store<u32>(t + T_NEXT, load<u32>(s + T_NEXT))
  }
  store<u32>(t + T_USED, USED | REFERENCED)
  store<u32>(t + T_EXPORTER, exp)
  store<u32>(t + T_DOMAIN, domain)
  store<u32>(t + T_ID, id)
  const n = <usize>load<u32>(t + T_FIELDS)
  memory.copy(s, t, T_SPECS + n * SPEC_SIZE)
  memory.copy(s + T_PLAN, t + T_PLAN, <usize>load<u32>(t + T_STEPS) * 4)
  return old == 0 ? PUT_NEW : PUT_CHANGED
}

/** Remove one template; false when it was not there. */
export function removeTemplate(exp: u32, ver: u32, domain: u32, id: u32): bool {
  const b = bucketOf(exp, ver, domain, id)
  let prev: usize = 0
  let i = load<u32>(b)
  while (i != 0) {
    const s = slotAt(i - 1)
    const next = load<u32>(s + T_NEXT)
    if (matches(s, exp, ver, domain, id)) {
      if (prev == 0) store<u32>(b, next)
      else store<u32>(prev + T_NEXT, next)
      store<u32>(s + T_USED, 0)
      store<u32>(s + T_NEXT, freeHead)
      freeHead = i
      templateCount--
      return true
    }
    prev = s
    i = next
  }
  return false
}

/** Remove every template of one kind (KIND_DATA or KIND_OPTIONS) in a domain; returns how many. */
export function removeAllTemplates(exp: u32, ver: u32, domain: u32, kind: u32): u32 {
  let n: u32 = 0
  for (let i: u32 = 0; i < capacity; i++) {
    const s = slotAt(i)
    if (
      load<u32>(s + T_USED) != 0 &&
      load<u32>(s + T_EXPORTER) == exp &&
      load<u32>(s + T_VERSION) == ver &&
      load<u32>(s + T_DOMAIN) == domain &&
      load<u32>(s + T_KIND) == kind
    ) {
      if (removeTemplate(exp, ver, domain, load<u32>(s + T_ID))) n++
    }
  }
  return n
}
