// Numeric outcome of decoding one datagram. The host maps these to reason labels
// (decoder-wasm/src/status.ts keeps the same numbers); a datagram is never decoded
// by throwing: every path returns one of these.
export const OK: u16 = 0
export const EMPTY: u16 = 1
export const TRUNCATED_HEADER: u16 = 2
export const UNKNOWN_VERSION: u16 = 3
export const BAD_COUNT: u16 = 4
export const TRUNCATED_RECORD: u16 = 5
export const TOO_MANY_RECORDS: u16 = 6
export const BAD_SET_LENGTH: u16 = 7
export const BAD_TEMPLATE: u16 = 8
export const TEMPLATE_MISSING: u16 = 9
export const BAD_SAMPLE: u16 = 10
export const TRUNCATED_SET: u16 = 11
export const TRUNCATED_SAMPLE: u16 = 12 // an sFlow sample or record runs past its container
export const BAD_AGENT_ADDRESS: u16 = 13 // sFlow agent address type is not 0, 1 or 2
export const BAD_LENGTH: u16 = 14 // IPFIX message length shorter than its header or past the datagram
export const STATE_FULL: u16 = 15 // exporter table full: a template protocol cannot be tracked
