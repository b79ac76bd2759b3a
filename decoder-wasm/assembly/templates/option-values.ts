// What options data taught us about an exporter: sampling rates keyed by sampler /
// selector ID or for the whole observation domain, and the exporter's init time
// (systemInitTimeMilliseconds). Open addressing, fixed capacity, never shrinks.

export const OV_DOMAIN_RATE: u32 = 0 // rate from options data without a sampler ID
export const OV_SAMPLER_RATE: u32 = 1 // keyed by samplerId (48)
export const OV_SELECTOR_RATE: u32 = 2 // keyed by selectorId (302)
export const OV_SYS_INIT: u32 = 3 // systemInitTimeMilliseconds (160), unix ms
export const OV_FIRST_SAMPLER_RATE: u32 = 4 // first keyed rate: fallback for records without an ID

const V_EXPORTER: usize = 0 // u32 exporter slot + 1 (0 = empty)
const V_DOMAIN: usize = 4
const V_ID: usize = 8 // u64
const V_VERSION: usize = 16 // u8
const V_KIND: usize = 17 // u8
const V_VALUE: usize = 24 // u64
const V_SIZE: usize = 32

let table: usize = 0
let mask: u32 = 0
let capacity: u32 = 0
export let optionValueCount: u32 = 0

export function initOptionValues(cap: u32): void {
  capacity = cap < 1 ? 1 : cap
  let n: u32 = 2
  while (n < capacity * 2) n <<= 1
  mask = n - 1
  table = heap.alloc(<usize>n * V_SIZE)
  memory.fill(table, 0, <usize>n * V_SIZE)
  optionValueCount = 0
}

@inline function hashKey(exp: u32, ver: u32, domain: u32, kind: u32, id: u64): u32 {
  let h = ((exp + 1) * 0x9e3779b1) ^ domain
  h = (h ^ (ver << 8) ^ kind) * 0x85ebca6b
  h = (h ^ (<u32>id)) * 0xc2b2ae35
  h = (h ^ (<u32>(id >> 32))) * 0x27d4eb2f
  return h ^ (h >> 15)
}

/** The entry for the key, or the empty entry where it would go; 0 when full and absent. */
function lookup(exp: u32, ver: u32, domain: u32, kind: u32, id: u64): usize {
  let b = hashKey(exp, ver, domain, kind, id) & mask
  for (let probes: u32 = 0; probes <= mask; probes++) {
    const e = table + <usize>b * V_SIZE
    const used = load<u32>(e + V_EXPORTER)
    if (used == 0) return e
    if (
      used == exp + 1 &&
      load<u32>(e + V_DOMAIN) == domain &&
      load<u64>(e + V_ID) == id &&
      <u32>load<u8>(e + V_KIND) == kind &&
      <u32>load<u8>(e + V_VERSION) == ver
    ) {
      return e
    }
    b = (b + 1) & mask
  }
  return 0
}

/** The stored value, 0 when unknown. */
export function getOptionValue(exp: u32, ver: u32, domain: u32, kind: u32, id: u64): u64 {
  const e = lookup(exp, ver, domain, kind, id)
  if (e == 0 || load<u32>(e + V_EXPORTER) == 0) return 0
  return load<u64>(e + V_VALUE)
}

export const SET_SAME: i32 = 0
export const SET_CHANGED: i32 = 1
export const SET_FULL: i32 = -1

/** Store a value; tells whether it was new or different (SET_*). */
export function setOptionValue(
  exp: u32,
  ver: u32,
  domain: u32,
  kind: u32,
  id: u64,
  value: u64,
): i32 {
  const e = lookup(exp, ver, domain, kind, id)
  if (e == 0) return SET_FULL
  if (load<u32>(e + V_EXPORTER) != 0) {
    if (load<u64>(e + V_VALUE) == value) return SET_SAME
    store<u64>(e + V_VALUE, value)
    return SET_CHANGED
  }
  if (optionValueCount >= capacity) return SET_FULL
  optionValueCount++
  store<u32>(e + V_EXPORTER, exp + 1)
  store<u32>(e + V_DOMAIN, domain)
  store<u64>(e + V_ID, id)
  store<u8>(e + V_VERSION, <u8>ver)
  store<u8>(e + V_KIND, <u8>kind)
  store<u64>(e + V_VALUE, value)
  return SET_CHANGED
}
