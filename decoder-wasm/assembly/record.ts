// Fixed-layout flow record written to the output region, one per decoded flow.
// All integers little-endian. The host reads the same offsets
// (decoder-wasm/src/layout.ts); change both together and bump LAYOUT_VERSION.
export const LAYOUT_VERSION: u32 = 2
export const REC_SIZE: usize = 256

export const F_TIME_RECEIVED: usize = 0 // u64 ms
export const F_FLOW_START: usize = 8 // u64 ms
export const F_FLOW_END: usize = 16 // u64 ms
export const F_BYTES: usize = 24 // u64 (already multiplied by sampling rate)
export const F_PACKETS: usize = 32 // u64 (already multiplied by sampling rate)
export const F_SRC_ADDR: usize = 40 // 16 bytes IPv6 (IPv4 mapped)
export const F_DST_ADDR: usize = 56
export const F_NEXT_HOP: usize = 72
export const F_POST_NAT_SRC_ADDR: usize = 88
export const F_POST_NAT_DST_ADDR: usize = 104
export const F_EXPORTER: usize = 120
export const F_SRC_MAC: usize = 136 // u64, low 48 bits
export const F_DST_MAC: usize = 144
export const F_OBSERVATION_DOMAIN: usize = 152 // u32
export const F_SEQUENCE: usize = 156 // u32
export const F_SAMPLING_RATE: usize = 160 // u32
export const F_IN_IF: usize = 164 // u32
export const F_OUT_IF: usize = 168 // u32
export const F_SRC_AS: usize = 172 // u32
export const F_DST_AS: usize = 176 // u32
export const F_SRC_PORT: usize = 180 // u16
export const F_DST_PORT: usize = 182 // u16
export const F_POST_NAT_SRC_PORT: usize = 184 // u16
export const F_POST_NAT_DST_PORT: usize = 186 // u16
export const F_VLAN: usize = 188 // u16
export const F_TCP_FLAGS: usize = 190 // u16
export const F_PROTO: usize = 192 // u8
export const F_TOS: usize = 193 // u8
export const F_SRC_MASK: usize = 194 // u8
export const F_DST_MASK: usize = 195 // u8
export const F_FLOW_DIRECTION: usize = 196 // u8: 0 ingress, 1 egress, 255 unknown
export const F_ICMP_TYPE: usize = 197 // u8
export const F_ICMP_CODE: usize = 198 // u8
export const F_FLOW_END_REASON: usize = 199 // u8
export const F_FORWARDING_STATUS: usize = 200 // u8
export const F_NAT_EVENT: usize = 201 // u8
export const F_FLOW_TYPE: usize = 202 // u8 (FlowType)
export const F_IP_VERSION: usize = 203 // u8: 4, 6 or 0
export const F_DATAGRAM: usize = 204 // u32 index of the input datagram
export const F_EXPORTER_PORT: usize = 208 // u16
export const F_SRC_VLAN: usize = 210 // u16 (spare for sFlow/dot1q pairs)
export const F_DST_VLAN: usize = 212 // u16
// Filled by the host's enrichment before formatting (0 = empty / unknown).
export const F_DIRECTION: usize = 214 // u8: 0 unknown, 1 inbound, 2 outbound, 3 internal, 4 transit
// u32 ids into the string table (strings.ts) for the text columns.
export const S_EXPORTER_NAME: usize = 216
export const S_IN_IF_NAME: usize = 220
export const S_OUT_IF_NAME: usize = 224
export const S_SRC_AS_NAME: usize = 228
export const S_DST_AS_NAME: usize = 232
export const S_SRC_COUNTRY: usize = 236
export const S_DST_COUNTRY: usize = 240
export const S_SRC_HOST: usize = 244
export const S_DST_HOST: usize = 248
export const F_RESERVED: usize = 252 // up to REC_SIZE

// Flow types, also the numbering of the Enum8 `flow_type` column.
export const FT_NETFLOW1: u8 = 1
export const FT_NETFLOW5: u8 = 5
export const FT_NETFLOW6: u8 = 6
export const FT_NETFLOW7: u8 = 7
export const FT_NETFLOW9: u8 = 9
export const FT_IPFIX: u8 = 10
export const FT_SFLOW5: u8 = 20

export const DIRECTION_UNKNOWN: u8 = 255

/** Zero a record and set what every record carries. */
@inline export function beginRecord(rec: usize): void {
  memory.fill(rec, 0, REC_SIZE)
  store<u8>(rec + F_FLOW_DIRECTION, DIRECTION_UNKNOWN)
}

/** Store a big-endian IPv4 address read at `src` as an IPv4-mapped IPv6 address. */
@inline export function putIPv4(rec: usize, field: usize, src: usize): void {
  store<u64>(rec + field, 0)
  store<u32>(rec + field + 8, 0xffff0000)
  store<u32>(rec + field + 12, load<u32>(src))
}

/** Store an IPv4 address given as a host-order integer as IPv4-mapped IPv6. */
@inline export function putIPv4Value(rec: usize, field: usize, v: u32): void {
  store<u64>(rec + field, 0)
  store<u32>(rec + field + 8, 0xffff0000)
  store<u32>(rec + field + 12, bswap<u32>(v))
}

/** Copy a 16-byte IPv6 address as-is (network order). */
@inline export function putIPv6(rec: usize, field: usize, src: usize): void {
  store<u64>(rec + field, load<u64>(src))
  store<u64>(rec + field + 8, load<u64>(src + 8))
}

/** Multiply the counters by the sampling rate (0 means 1) and record the rate. */
export function applySampling(rec: usize, rate: u32): void {
  const r: u32 = rate == 0 ? 1 : rate
  store<u32>(rec + F_SAMPLING_RATE, r)
  if (r != 1) {
    store<u64>(rec + F_BYTES, load<u64>(rec + F_BYTES) * <u64>r)
    store<u64>(rec + F_PACKETS, load<u64>(rec + F_PACKETS) * <u64>r)
  }
}
