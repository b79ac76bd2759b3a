// Layout of one template slot in the template store (store.ts): the key, the field
// list as received and the decode plan compiled from it (plan.ts).
export const KIND_DATA: u32 = 1
export const KIND_OPTIONS: u32 = 2

export const MAX_FIELDS: u32 = 128

// Slot layout
export const T_USED: usize = 0 // u32
export const T_NEXT: usize = 4 // u32 slot index + 1 of the next in the chain, 0 = end
export const T_EXPORTER: usize = 8 // u32 session slot (sessions/sessions.ts)
export const T_DOMAIN: usize = 12 // u32
export const T_ID: usize = 16 // u32 template ID
export const T_VERSION: usize = 20 // u32 9 or 10
export const T_KIND: usize = 24 // u32 KIND_*
export const T_FIELDS: usize = 28 // u32 field count
export const T_SCOPE: usize = 32 // u32 scope field count (options)
export const T_STEPS: usize = 36 // u32 plan steps
export const T_MIN_LEN: usize = 40 // u32 smallest record (variable fields count 1 byte)
export const T_FLAGS: usize = 44 // u32 FL_*
export const T_LEARNED_IN: usize = 48 // u32 datagram (batch index) that last sent it; NO_DATAGRAM if imported
export const T_SEEN_MS: usize = 56 // u64 last received or used to decode data (receive clock)
export const T_SPECS: usize = 64 // MAX_FIELDS x (u16 id as on the wire, u16 length, u32 PEN)
export const T_PLAN: usize = T_SPECS + <usize>MAX_FIELDS * 8 // MAX_FIELDS x u32 steps
export const SLOT_SIZE: usize = T_PLAN + <usize>MAX_FIELDS * 4
export const SPEC_SIZE: usize = 8
