// Cumulative counters of the template decoders (NetFlow v9, IPFIX), read by the host
// from a u64 array (decoder-wasm/src/flow-counters.ts names them in the same order).
export const C_SETS_HELD: u32 = 0 // data sets held because their template was missing
export const C_HELD_DECODED: u32 = 1 // held sets decoded once the template arrived
export const C_HELD_RECORDS: u32 = 2 // records decoded from held sets
export const C_HELD_EXPIRED: u32 = 3 // held sets dropped for age
export const C_HELD_OVERFLOW: u32 = 4 // held sets dropped: per-exporter count or memory bound
export const C_HELD_REJECTED: u32 = 5 // sets that could not be held at all (too large, no room)
export const C_HELD_CURRENT: u32 = 6 // gauge: sets held now
export const C_TEMPLATES_LEARNED: u32 = 7 // new or changed templates (data and options)
export const C_TEMPLATES_WITHDRAWN: u32 = 8
export const C_TEMPLATE_TABLE_FULL: u32 = 9 // templates evicted: store full, taken from the address holding the most
export const C_OPTION_TABLE_FULL: u32 = 10 // sampling/clock values dropped: table full
export const C_EXPORTER_TABLE_FULL: u32 = 11 // datagrams refused: exporter table full
export const C_EVENTS_DROPPED: u32 = 12 // events lost: events region full
export const C_EVENTS_IMPORTED: u32 = 13
export const C_EVENTS_REJECTED: u32 = 14 // malformed events in an import
export const C_OPTIONS_RECORDS: u32 = 15 // options data records decoded
export const C_RATES_LEARNED: u32 = 16 // new or changed sampling rates
export const C_HELD_RECORDS_DROPPED: u32 = 17 // records of a held set that did not fit the output
export const C_TEMPLATES_REFUSED_QUOTA: u32 = 18 // new templates refused: their address is at its quota
export const C_TEMPLATES_REFUSED_FULL: u32 = 19 // new templates refused: store full, no fairer victim
export const C_TEMPLATES_AGED: u32 = 20 // idle templates dropped to make room in their address's quota
export const C_NEW_SESSIONS: u32 = 21 // a known exporter address sent from a new source port
export const C_FLOWS_REFUSED: u32 = 22 // flows refused outside a batch datagram (sampling rate above the cap)
export const COUNTERS: u32 = 23

const region = memory.data(<i32>COUNTERS * 8)

@inline export function count(c: u32): void {
  store<u64>(region + (<usize>c << 3), load<u64>(region + (<usize>c << 3)) + 1)
}

@inline export function countN(c: u32, n: u64): void {
  store<u64>(region + (<usize>c << 3), load<u64>(region + (<usize>c << 3)) + n)
}

@inline export function setCounter(c: u32, v: u64): void {
  store<u64>(region + (<usize>c << 3), v)
}

export function countersRegion(): usize {
  return region
}
