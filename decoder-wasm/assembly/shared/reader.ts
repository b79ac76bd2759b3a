// Bounds-checked big-endian reads. Callers check `p + n <= end` once per structure
// (see `fits`) and then read inside it; nothing here can trap on input bytes.

@inline export function fits(p: usize, n: usize, end: usize): bool {
  return p <= end && n <= end - p
}

@inline export function u8at(p: usize): u32 {
  return <u32>load<u8>(p)
}

@inline export function be16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p))
}

@inline export function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p))
}

@inline export function be64(p: usize): u64 {
  return bswap<u64>(load<u64>(p))
}

@inline export function le16(p: usize): u32 {
  return <u32>load<u16>(p)
}

@inline export function le32(p: usize): u32 {
  return load<u32>(p)
}

/** Big-endian unsigned integer of 1..8 bytes (variable-width template fields). */
export function beN(p: usize, n: u32): u64 {
  let v: u64 = 0
  for (let i: u32 = 0; i < n; i++) v = (v << 8) | (<u64>load<u8>(p + i))
  return v
}

/** Little-endian unsigned integer of 1..8 bytes. */
export function leN(p: usize, n: u32): u64 {
  let v: u64 = 0
  for (let i: i32 = <i32>n - 1; i >= 0; i--) v = (v << 8) | (<u64>load<u8>(p + <usize>i))
  return v
}
