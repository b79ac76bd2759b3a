// The template store: data and options templates keyed by (session, protocol, observation
// domain / source ID, template ID), each with its field list and the decode plan compiled
// when it was learned. Fixed capacity, allocated once; chained hash with a free list so
// withdrawals give slots back. Bounded per exporter address: an address at its quota gets
// no new template unless one of its own has been idle long enough; a full store takes a
// slot only from the address holding the most templates, and only when that address
// holds more than the newcomer's would, so a flood never displaces a quieter exporter.
import { addTemplates, addressTemplates, busiestAddress } from '../sessions/addresses'
import { emitWithdrawn } from './events'
import { C_TEMPLATE_TABLE_FULL, C_TEMPLATES_AGED } from '../generated/flow-counters'
import { count } from '../output/flow-counters'
import { clockMs } from './clock'
import { compilePlan } from './plan'
import { sessionAddress } from '../sessions/sessions'
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
  T_SEEN_MS,
  T_SPECS,
  T_STEPS,
  T_USED,
  T_VERSION,
} from './slot'

export const PUT_SAME: i32 = 0
export const PUT_NEW: i32 = 1
export const PUT_CHANGED: i32 = 2
export const PUT_FULL: i32 = -1
export const PUT_BAD: i32 = -2
export const PUT_QUOTA: i32 = -3

let slots: usize = 0
let capacity: u32 = 0
let buckets: usize = 0 // u32 slot index + 1
let bucketMask: u32 = 0
let freeHead: u32 = 0 // slot index + 1
let staging: usize = 0 // a spare slot: templates compile here before replacing a live one
let quota: u32 = 0 // templates per exporter address
let idleMs: u64 = 0 // a template unused this long may give its place to its address's new one
export let templateCount: u32 = 0

const USED: u32 = 1

export function initTemplates(cap: u32, perAddress: u32, idle: u32): void {
  capacity = cap < 1 ? 1 : cap
  quota = perAddress < 1 ? 1 : perAddress
  idleMs = <u64>idle
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
  return buckets + ((<usize>(h & bucketMask)) << 2)
}

@inline function matches(s: usize, exp: u32, ver: u32, domain: u32, id: u32): bool {
  return (
    load<u32>(s + T_ID) == id &&
    load<u32>(s + T_DOMAIN) == domain &&
    load<u32>(s + T_EXPORTER) == exp &&
    load<u32>(s + T_VERSION) == ver
  )
}

/** The live template slot, or 0. Marks it used now (the latest receive time). */
export function findTemplate(exp: u32, ver: u32, domain: u32, id: u32): usize {
  let i = load<u32>(bucketOf(exp, ver, domain, id))
  while (i != 0) {
    const s = slotAt(i - 1)
    if (matches(s, exp, ver, domain, id)) {
      if (load<u64>(s + T_SEEN_MS) < clockMs) store<u64>(s + T_SEEN_MS, clockMs)
      return s
    }
    i = load<u32>(s + T_NEXT)
  }
  return 0
}

/** Remove the template in slot `s`, announcing it so the registry forgets it too. */
function dropSlot(s: usize): bool {
  const exp = load<u32>(s + T_EXPORTER)
  const ver = load<u32>(s + T_VERSION)
  const domain = load<u32>(s + T_DOMAIN)
  const id = load<u32>(s + T_ID)
  if (!removeTemplate(exp, ver, domain, id)) return false
  emitWithdrawn(exp, ver, domain, id)
  return true
}

/** The least recently used template of address `a` (idle at least `minIdle` ms), or 0. */
function stalest(a: u32, minIdle: u64): usize {
  let best: usize = 0
  let oldest: u64 = 0
  for (let i: u32 = 0; i < capacity; i++) {
    const s = slotAt(i)
    if (load<u32>(s + T_USED) == 0 || sessionAddress(load<u32>(s + T_EXPORTER)) != a) continue
    const seen = load<u64>(s + T_SEEN_MS)
    if (seen + minIdle > clockMs) continue
    if (best == 0 || seen < oldest) {
      best = s
      oldest = seen
    }
  }
  return best
}

/** Address `a` is at its quota: drop its stalest template if idle long enough. */
function ageOne(a: u32): bool {
  const s = stalest(a, idleMs)
  if (s == 0 || !dropSlot(s)) return false
  count(C_TEMPLATES_AGED)
  return true
}

/**
 * Store full: take the least recently used template of the address holding the most,
 * if it holds more than address `a` will after adding one. False when none is fairer.
 */
function evictFair(a: u32): bool {
  const victim = busiestAddress()
  if (victim < 0 || addressTemplates(<u32>victim) <= addressTemplates(a) + 1) return false
  const s = stalest(<u32>victim, 0)
  if (s == 0 || !dropSlot(s)) return false
  count(C_TEMPLATE_TABLE_FULL)
  return true
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
    const a = sessionAddress(exp)
    if (addressTemplates(a) >= quota && !ageOne(a)) return PUT_QUOTA
    if (freeHead == 0 && !evictFair(a)) return PUT_FULL
    s = slotAt(freeHead - 1)
    const idx = freeHead
    freeHead = load<u32>(s + T_NEXT)
    const b = bucketOf(exp, ver, domain, id)
    store<u32>(t + T_NEXT, load<u32>(b))
    store<u32>(b, idx)
    templateCount++
    addTemplates(a, 1)
  } else {
    store<u32>(t + T_NEXT, load<u32>(s + T_NEXT))
  }
  store<u32>(t + T_USED, USED)
  store<u32>(t + T_EXPORTER, exp)
  store<u32>(t + T_DOMAIN, domain)
  store<u32>(t + T_ID, id)
  store<u64>(t + T_SEEN_MS, clockMs)
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
      addTemplates(sessionAddress(exp), -1)
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
