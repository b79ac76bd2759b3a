// Fixed-layout interface-counter record, one per sFlow generic interface counter block,
// written to the counter region (separate from the flow records). All integers
// little-endian. The host reads the same offsets (decoder-wasm/src/counter-layout.ts);
// change both together and bump COUNTER_LAYOUT_VERSION.
export const COUNTER_LAYOUT_VERSION: u32 = 1
export const CREC_SIZE: usize = 144

export const C_TIME_RECEIVED: usize = 0 // u64 ms
export const C_IF_SPEED: usize = 8 // u64 bits/s
export const C_IN_OCTETS: usize = 16 // u64
export const C_OUT_OCTETS: usize = 24 // u64
export const C_EXPORTER: usize = 32 // 16 bytes IPv6 (IPv4 mapped): UDP source
export const C_AGENT: usize = 48 // 16 bytes: the agent address inside the datagram
export const C_SUB_AGENT: usize = 64 // u32
export const C_SOURCE_ID: usize = 68 // u32 source id index
export const C_SEQUENCE: usize = 72 // u32 counter sample sequence number
export const C_UPTIME: usize = 76 // u32 agent uptime in ms
export const C_IF_INDEX: usize = 80 // u32
export const C_IF_TYPE: usize = 84 // u32 (IANAifType)
export const C_IN_UCAST: usize = 88 // u32
export const C_IN_MCAST: usize = 92 // u32
export const C_IN_BCAST: usize = 96 // u32
export const C_IN_DISCARDS: usize = 100 // u32
export const C_IN_ERRORS: usize = 104 // u32
export const C_IN_UNKNOWN_PROTOS: usize = 108 // u32
export const C_OUT_UCAST: usize = 112 // u32
export const C_OUT_MCAST: usize = 116 // u32
export const C_OUT_BCAST: usize = 120 // u32
export const C_OUT_DISCARDS: usize = 124 // u32
export const C_OUT_ERRORS: usize = 128 // u32
export const C_DATAGRAM: usize = 132 // u32 index of the input datagram
export const C_EXPORTER_PORT: usize = 136 // u16
export const C_IF_DIRECTION: usize = 138 // u8: 0 unknown, 1 full-duplex, 2 half, 3 in, 4 out
export const C_IF_STATUS: usize = 139 // u8: bit 0 admin up, bit 1 oper up
export const C_PROMISCUOUS: usize = 140 // u8: 1 promiscuous, 2 not, 0 unknown (as sent)
export const C_SOURCE_ID_TYPE: usize = 141 // u8: 0 ifIndex, 1 VLAN, 2 physical, 3 logical
export const C_FLOW_TYPE: usize = 142 // u8 (FlowType of the datagram)
export const C_RESERVED: usize = 143 // up to CREC_SIZE
