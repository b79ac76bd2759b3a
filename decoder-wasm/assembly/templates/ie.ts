// The information-element table: which NetFlow v9 field type / IPFIX element maps to
// which record field, and how. Used only when a template is learned (plan.ts), never
// per record. A mapping is op | target << 8 | group << 16 | rank << 24: within a group
// the present element with the lowest rank wins (octetDeltaCount over octetTotalCount,
// milliseconds over seconds over sysUptime ...); group 0 always applies.
import {
  OP_ADDR4,
  OP_ADDR6,
  OP_ICMP,
  OP_INTERVAL,
  OP_MAC,
  OP_NTP_MICRO,
  OP_NTP_NANO,
  OP_OR8,
  OP_SCRATCH,
  OP_SECONDS,
  OP_U16,
  OP_U32,
  OP_U64,
  OP_U8,
  S_DELTA_END,
  S_DELTA_START,
  S_DURATION_MS,
  S_DURATION_US,
  S_INTERVAL,
  S_PKT_INTERVAL,
  S_PKT_SPACE,
  S_POPULATION,
  S_REV_BYTES,
  S_REV_FLAGS,
  S_REV_PACKETS,
  S_SAMPLER_ID,
  S_SAMPLING_SIZE,
  S_SELECTOR_ID,
  S_SYS_INIT,
  S_UP_END,
  S_UP_START,
} from './plan-ops'
import {
  F_BYTES,
  F_DST_ADDR,
  F_DST_AS,
  F_DST_MAC,
  F_DST_MASK,
  F_DST_PORT,
  F_DST_VLAN,
  F_FLOW_DIRECTION,
  F_FLOW_END,
  F_FLOW_END_REASON,
  F_FLOW_START,
  F_FORWARDING_STATUS,
  F_ICMP_CODE,
  F_ICMP_TYPE,
  F_IN_IF,
  F_IP_VERSION,
  F_NAT_EVENT,
  F_NEXT_HOP,
  F_OUT_IF,
  F_PACKETS,
  F_POST_NAT_DST_ADDR,
  F_POST_NAT_DST_PORT,
  F_POST_NAT_SRC_ADDR,
  F_POST_NAT_SRC_PORT,
  F_PROTO,
  F_SRC_ADDR,
  F_SRC_AS,
  F_SRC_MAC,
  F_SRC_MASK,
  F_SRC_PORT,
  F_TCP_FLAGS,
  F_TOS,
  F_VLAN,
} from '../generated/record'

export const PEN_REVERSE: u32 = 29305 // RFC 5103 reverse information elements

// Groups of alternative elements for one record field.
export const G_NONE: u32 = 0
export const G_BYTES: u32 = 1
export const G_PACKETS: u32 = 2
export const G_SRC_ADDR: u32 = 3
export const G_DST_ADDR: u32 = 4
export const G_NEXT_HOP: u32 = 5
export const G_SRC_PORT: u32 = 6
export const G_DST_PORT: u32 = 7
export const G_IN_IF: u32 = 8
export const G_OUT_IF: u32 = 9
export const G_SRC_MAC: u32 = 10
export const G_DST_MAC: u32 = 11
export const G_VLAN: u32 = 12
export const G_DST_VLAN: u32 = 13
export const G_START: u32 = 14
export const G_END: u32 = 15
export const G_NAT_SRC: u32 = 16
export const G_NAT_DST: u32 = 17
export const G_INTERVAL: u32 = 18
export const G_SAMPLER: u32 = 19
export const G_REV_BYTES: u32 = 20
export const G_REV_PACKETS: u32 = 21
export const G_ICMP: u32 = 22 // present-only marker: the template carries an ICMP field
export const G_DURATION: u32 = 23
export const GROUPS: u32 = 24

// Ranks of G_START from which the start is an observation time (322-325): a point in
// time (a NAT event), so the end is the same unless the template says otherwise.
export const RANK_OBSERVED: u32 = 6

export const NO_MAPPING: u32 = 0xffffffff

@inline function m(op: u32, target: usize, group: u32, rank: u32): u32 {
  return op | ((<u32>target) << 8) | (group << 16) | (rank << 24)
}

/** Mapping of an IETF element (or v9 field type) in a data template. */
export function dataMapping(id: u32): u32 {
  // prettier-ignore
  switch (id) {
    case 1: return m(OP_U64, F_BYTES, G_BYTES, 0) // octetDeltaCount / IN_BYTES
    case 85: return m(OP_U64, F_BYTES, G_BYTES, 1) // octetTotalCount
    case 23: return m(OP_U64, F_BYTES, G_BYTES, 2) // postOctetDeltaCount / OUT_BYTES
    case 2: return m(OP_U64, F_PACKETS, G_PACKETS, 0)
    case 86: return m(OP_U64, F_PACKETS, G_PACKETS, 1)
    case 24: return m(OP_U64, F_PACKETS, G_PACKETS, 2)
    case 4: return m(OP_U8, F_PROTO, G_NONE, 0)
    case 5: return m(OP_U8, F_TOS, G_NONE, 0)
    case 6: return m(OP_U16, F_TCP_FLAGS, G_NONE, 0)
    case 7: return m(OP_U16, F_SRC_PORT, G_SRC_PORT, 0)
    case 180: return m(OP_U16, F_SRC_PORT, G_SRC_PORT, 1) // udpSourcePort
    case 182: return m(OP_U16, F_SRC_PORT, G_SRC_PORT, 1) // tcpSourcePort
    case 11: return m(OP_U16, F_DST_PORT, G_DST_PORT, 0)
    case 181: return m(OP_U16, F_DST_PORT, G_DST_PORT, 1)
    case 183: return m(OP_U16, F_DST_PORT, G_DST_PORT, 1)
    case 8: return m(OP_ADDR4, F_SRC_ADDR, G_SRC_ADDR, 0)
    case 27: return m(OP_ADDR6, F_SRC_ADDR, G_SRC_ADDR, 0)
    case 12: return m(OP_ADDR4, F_DST_ADDR, G_DST_ADDR, 0)
    case 28: return m(OP_ADDR6, F_DST_ADDR, G_DST_ADDR, 0)
    case 9: return m(OP_OR8, F_SRC_MASK, G_NONE, 0)
    case 29: return m(OP_OR8, F_SRC_MASK, G_NONE, 0) // sourceIPv6PrefixLength
    case 13: return m(OP_OR8, F_DST_MASK, G_NONE, 0)
    case 30: return m(OP_OR8, F_DST_MASK, G_NONE, 0)
    case 10: return m(OP_U32, F_IN_IF, G_IN_IF, 0)
    case 252: return m(OP_U32, F_IN_IF, G_IN_IF, 1) // ingressPhysicalInterface
    case 14: return m(OP_U32, F_OUT_IF, G_OUT_IF, 0)
    case 253: return m(OP_U32, F_OUT_IF, G_OUT_IF, 1)
    case 15: return m(OP_ADDR4, F_NEXT_HOP, G_NEXT_HOP, 0) // ipNextHopIPv4Address
    case 62: return m(OP_ADDR6, F_NEXT_HOP, G_NEXT_HOP, 0)
    case 18: return m(OP_ADDR4, F_NEXT_HOP, G_NEXT_HOP, 1) // bgpNextHopIPv4Address
    case 63: return m(OP_ADDR6, F_NEXT_HOP, G_NEXT_HOP, 1)
    case 16: return m(OP_U32, F_SRC_AS, G_NONE, 0)
    case 17: return m(OP_U32, F_DST_AS, G_NONE, 0)
    case 32: return m(OP_ICMP, 0, G_ICMP, 0) // icmpTypeCodeIPv4
    case 139: return m(OP_ICMP, 0, G_ICMP, 0) // icmpTypeCodeIPv6
    case 176: return m(OP_OR8, F_ICMP_TYPE, G_ICMP, 0)
    case 177: return m(OP_OR8, F_ICMP_CODE, G_ICMP, 0)
    case 178: return m(OP_OR8, F_ICMP_TYPE, G_ICMP, 0)
    case 179: return m(OP_OR8, F_ICMP_CODE, G_ICMP, 0)
    case 56: return m(OP_MAC, F_SRC_MAC, G_SRC_MAC, 0) // sourceMacAddress
    case 81: return m(OP_MAC, F_SRC_MAC, G_SRC_MAC, 1) // postSourceMacAddress
    case 80: return m(OP_MAC, F_DST_MAC, G_DST_MAC, 0) // destinationMacAddress
    case 57: return m(OP_MAC, F_DST_MAC, G_DST_MAC, 1) // postDestinationMacAddress
    case 58: return m(OP_U16, F_VLAN, G_VLAN, 0) // vlanId (source VLAN)
    case 243: return m(OP_U16, F_VLAN, G_VLAN, 1) // dot1qVlanId
    case 59: return m(OP_U16, F_DST_VLAN, G_DST_VLAN, 0) // postVlanId
    case 254: return m(OP_U16, F_DST_VLAN, G_DST_VLAN, 1) // postDot1qVlanId
    case 60: return m(OP_U8, F_IP_VERSION, G_NONE, 0)
    case 61: return m(OP_U8, F_FLOW_DIRECTION, G_NONE, 0)
    case 89: return m(OP_U8, F_FORWARDING_STATUS, G_NONE, 0) // low byte of the status
    case 136: return m(OP_U8, F_FLOW_END_REASON, G_NONE, 0)
    case 225: return m(OP_ADDR4, F_POST_NAT_SRC_ADDR, G_NAT_SRC, 0)
    case 281: return m(OP_ADDR6, F_POST_NAT_SRC_ADDR, G_NAT_SRC, 0)
    case 226: return m(OP_ADDR4, F_POST_NAT_DST_ADDR, G_NAT_DST, 0)
    case 282: return m(OP_ADDR6, F_POST_NAT_DST_ADDR, G_NAT_DST, 0)
    case 227: return m(OP_U16, F_POST_NAT_SRC_PORT, G_NONE, 0)
    case 228: return m(OP_U16, F_POST_NAT_DST_PORT, G_NONE, 0)
    case 230: return m(OP_U8, F_NAT_EVENT, G_NONE, 0)
    // Flow times (RFC 7011 / IANA), best first: ms, s, us, ns (NTP format),
    // sysUptime-relative, microseconds before export; then observation times (a start
    // only when nothing better is there). A duration gives whichever end is missing.
    case 152: return m(OP_U64, F_FLOW_START, G_START, 0) // flowStartMilliseconds
    case 150: return m(OP_SECONDS, F_FLOW_START, G_START, 1) // flowStartSeconds
    case 154: return m(OP_NTP_MICRO, F_FLOW_START, G_START, 2) // flowStartMicroseconds
    case 156: return m(OP_NTP_NANO, F_FLOW_START, G_START, 3) // flowStartNanoseconds
    case 22: return m(OP_SCRATCH, S_UP_START, G_START, 4) // flowStartSysUpTime
    case 158: return m(OP_SCRATCH, S_DELTA_START, G_START, 5) // flowStartDeltaMicroseconds
    case 323: return m(OP_U64, F_FLOW_START, G_START, RANK_OBSERVED) // observationTimeMilliseconds
    case 322: return m(OP_SECONDS, F_FLOW_START, G_START, RANK_OBSERVED + 1) // observationTimeSeconds
    case 324: return m(OP_NTP_MICRO, F_FLOW_START, G_START, RANK_OBSERVED + 2) // ...Microseconds
    case 325: return m(OP_NTP_NANO, F_FLOW_START, G_START, RANK_OBSERVED + 3) // ...Nanoseconds
    case 153: return m(OP_U64, F_FLOW_END, G_END, 0)
    case 151: return m(OP_SECONDS, F_FLOW_END, G_END, 1)
    case 155: return m(OP_NTP_MICRO, F_FLOW_END, G_END, 2)
    case 157: return m(OP_NTP_NANO, F_FLOW_END, G_END, 3)
    case 21: return m(OP_SCRATCH, S_UP_END, G_END, 4)
    case 159: return m(OP_SCRATCH, S_DELTA_END, G_END, 5)
    case 161: return m(OP_SCRATCH, S_DURATION_MS, G_DURATION, 0) // flowDurationMilliseconds
    case 162: return m(OP_SCRATCH, S_DURATION_US, G_DURATION, 1) // flowDurationMicroseconds
    case 160: return m(OP_SCRATCH, S_SYS_INIT, G_NONE, 0)
    // 163 observedFlowTotalCount is a count, not a time: unused
    // Sampling carried in the data record itself
    case 34: return m(OP_INTERVAL, S_INTERVAL, G_INTERVAL, 0) // samplingInterval
    case 50: return m(OP_INTERVAL, S_INTERVAL, G_INTERVAL, 1) // samplerRandomInterval
    case 305: return m(OP_SCRATCH, S_PKT_INTERVAL, G_NONE, 0)
    case 306: return m(OP_SCRATCH, S_PKT_SPACE, G_NONE, 0)
    case 48: return m(OP_SCRATCH, S_SAMPLER_ID, G_SAMPLER, 0) // samplerId
    case 302: return m(OP_SCRATCH, S_SELECTOR_ID, G_SAMPLER, 1) // selectorId
  }
  return NO_MAPPING
}

/** Mapping of an RFC 5103 reverse element (enterprise 29305) in a data template. */
export function reverseMapping(id: u32): u32 {
  // prettier-ignore
  switch (id) {
    case 1: return m(OP_SCRATCH, S_REV_BYTES, G_REV_BYTES, 0)
    case 85: return m(OP_SCRATCH, S_REV_BYTES, G_REV_BYTES, 1)
    case 2: return m(OP_SCRATCH, S_REV_PACKETS, G_REV_PACKETS, 0)
    case 86: return m(OP_SCRATCH, S_REV_PACKETS, G_REV_PACKETS, 1)
    case 6: return m(OP_SCRATCH, S_REV_FLAGS, G_NONE, 0)
  }
  return NO_MAPPING
}

/** Mapping of an element in an options template (sampling and exporter clock). */
export function optionsMapping(id: u32): u32 {
  // prettier-ignore
  switch (id) {
    case 34: return m(OP_SCRATCH, S_INTERVAL, G_INTERVAL, 0)
    case 50: return m(OP_SCRATCH, S_INTERVAL, G_INTERVAL, 1)
    case 305: return m(OP_SCRATCH, S_PKT_INTERVAL, G_NONE, 0)
    case 306: return m(OP_SCRATCH, S_PKT_SPACE, G_NONE, 0)
    case 309: return m(OP_SCRATCH, S_SAMPLING_SIZE, G_NONE, 0)
    case 310: return m(OP_SCRATCH, S_POPULATION, G_NONE, 0)
    case 48: return m(OP_SCRATCH, S_SAMPLER_ID, G_SAMPLER, 0)
    case 302: return m(OP_SCRATCH, S_SELECTOR_ID, G_SAMPLER, 1)
    case 160: return m(OP_SCRATCH, S_SYS_INIT, G_NONE, 0)
  }
  return NO_MAPPING
}

@inline export function mapOp(mapping: u32): u32 {
  return mapping & 0xff
}
@inline export function mapTarget(mapping: u32): u32 {
  return (mapping >> 8) & 0xff
}
@inline export function mapGroup(mapping: u32): u32 {
  return (mapping >> 16) & 0xff
}
@inline export function mapRank(mapping: u32): u32 {
  return mapping >> 24
}
