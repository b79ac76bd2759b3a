// The vocabulary of template decode plans: what one plan step does with one field,
// and the per-template flags that tell the record finisher which fix-ups to run.
// A step is a u32: op (8 bits) | target (8 bits) | wire length (16 bits). The target
// is a record offset (generated/record.ts F_*) for record ops and a scratch slot for the others.

// Field handling
export const OP_SKIP: u32 = 0 // skip `len` bytes (consecutive skips are merged)
export const OP_SKIP_VAR: u32 = 1 // variable-length field: 1-byte length, or 255 + 2-byte length
export const OP_U8: u32 = 2 // big-endian unsigned of `len` bytes into a record u8
export const OP_U16: u32 = 3
export const OP_U32: u32 = 4
export const OP_U64: u32 = 5
export const OP_OR8: u32 = 6 // OR into a record u8 (families that share a field: masks, ICMP)
export const OP_MAC: u32 = 7 // 6 bytes into a record u64 (low 48 bits)
export const OP_ICMP: u32 = 8 // 2 bytes type * 256 + code, OR-ed into ICMP type and code
export const OP_ADDR4: u32 = 9 // IPv4 address stored IPv4-mapped
export const OP_ADDR4_NZ: u32 = 10 // same, only when non-zero (template also has the IPv6 field)
export const OP_ADDR6: u32 = 11
export const OP_ADDR6_NZ: u32 = 12
export const OP_SECONDS: u32 = 13 // unix seconds into a record u64 ms
export const OP_NTP_MICRO: u32 = 14 // dateTimeMicroseconds (NTP 64-bit) into a record u64 ms
// Scratch ops: the value is kept for the finisher (target = scratch slot)
export const OP_SCRATCH: u32 = 15 // big-endian unsigned into scratch[target]
export const OP_INTERVAL: u32 = 16 // in-record sampling interval (MikroTik byte-order fix)
export const OP_NTP_NANO: u32 = 17 // dateTimeNanoseconds (NTP 64-bit) into a record u64 ms

// Scratch slots (decode.ts keeps them in a small static array)
export const S_UP_START: u32 = 0 // sysUptime-relative start (ms)
export const S_UP_END: u32 = 1
export const S_DELTA_START: u32 = 2 // microseconds before export
export const S_DELTA_END: u32 = 3
export const S_DURATION_MS: u32 = 4
export const S_DURATION_US: u32 = 5
export const S_SYS_INIT: u32 = 6 // systemInitTimeMilliseconds (160)
export const S_INTERVAL: u32 = 7 // samplingInterval / samplerRandomInterval
export const S_PKT_INTERVAL: u32 = 8 // samplingPacketInterval (305)
export const S_PKT_SPACE: u32 = 9 // samplingPacketSpace (306)
export const S_SAMPLING_SIZE: u32 = 10 // samplingSize (309)
export const S_POPULATION: u32 = 11 // samplingPopulation (310)
export const S_SAMPLER_ID: u32 = 12 // samplerId (48)
export const S_SELECTOR_ID: u32 = 13 // selectorId (302)
export const S_REV_BYTES: u32 = 14 // RFC 5103 reverse counters
export const S_REV_PACKETS: u32 = 15
export const S_REV_FLAGS: u32 = 16
export const SCRATCH_SLOTS: u32 = 17

// Template flags: which finisher steps a template needs
export const FL_UP_START: u32 = 1 << 0
export const FL_UP_END: u32 = 1 << 1
export const FL_DELTA_START: u32 = 1 << 2
export const FL_DELTA_END: u32 = 1 << 3
export const FL_DURATION: u32 = 1 << 4 // end = start + duration (ms or us slot)
export const FL_SYS_INIT: u32 = 1 << 5
export const FL_RATE_IN_RECORD: u32 = 1 << 6 // 34/50/305/306 in the data record
export const FL_SAMPLER_REF: u32 = 1 << 7 // 48/302 in the data record: look the rate up
export const FL_ICMP_FROM_PORT: u32 = 1 << 8 // no ICMP field: type/code ride in dst port
export const FL_FAMILY_BOTH: u32 = 1 << 9 // IPv4 and IPv6 addresses: version from the data
export const FL_VLAN_COPY: u32 = 1 << 10 // the flow VLAN is also the source VLAN
export const FL_REVERSE: u32 = 1 << 11 // biflow reverse counters
export const FL_HAS_V4: u32 = 1 << 12 // IP version 4 unless the data says otherwise
export const FL_HAS_V6: u32 = 1 << 13
export const FL_SELECTOR_REF: u32 = 1 << 14 // the sampler reference is a selectorId (302)
export const FL_START: u32 = 1 << 15 // some element gives the start (ie.ts G_START)
export const FL_END: u32 = 1 << 16 // some element gives the end (G_END)
export const FL_POINT: u32 = 1 << 17 // only an observation time (322-325): end = start
export const FL_TIMES: u32 =
  FL_UP_START | FL_UP_END | FL_DELTA_START | FL_DELTA_END | FL_DURATION | FL_POINT

@inline export function step(op: u32, target: usize, len: u32): u32 {
  return op | ((<u32>target) << 8) | (len << 16)
}
