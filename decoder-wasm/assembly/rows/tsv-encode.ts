// The text encoders of TabSeparated rows (generated/tsv-row.ts strings them together
// per column): numbers through a table of four-digit groups, addresses, times. Each
// returns the end of what it wrote and may write a few bytes past it (rows have room).
// "0000".."9999" as four ASCII digits each (filled by initTsvEncode): numbers are written four
// digits per division, and small numbers with one table load and one store.
const DEC4_ENTRIES: usize = 10000
let dec4: usize = 0

/** Allocate and fill the tables. Call once. */
export function initTsvEncode(): void {
  dec4 = heap.alloc(DEC4_ENTRIES * 4)
  for (let v: u32 = 0; v < <u32>DEC4_ENTRIES; v++) {
    const at = dec4 + <usize>v * 4
    store<u8>(at, <u8>(48 + v / 1000))
    store<u8>(at + 1, <u8>(48 + ((v / 100) % 10)))
    store<u8>(at + 2, <u8>(48 + ((v / 10) % 10)))
    store<u8>(at + 3, <u8>(48 + (v % 10)))
  }
  hex2 = heap.alloc(512)
  for (let v: usize = 0; v < 256; v++) {
    store<u8>(hex2 + v * 2, load<u8>(HEX + (v >> 4)))
    store<u8>(hex2 + v * 2 + 1, load<u8>(HEX + (v & 15)))
  }
  secondsBase = heap.alloc(16)
  // Each octet 0..255 as its digits followed by '.', and that length.
  octets = heap.alloc(256 * 5)
  for (let v: u32 = 0; v < 256; v++) {
    const n: u32 = 1 + <u32>(v >= 10) + <u32>(v >= 100)
    const at = octets + <usize>v * 4
    store<u32>(at, (load<u32>(dec4 + <usize>v * 4) >> ((4 - n) * 8)) | (46 << (n * 8)))
    store<u8>(octets + 1024 + <usize>v, <u8>(n + 1))
  }
}

let octets: usize = 0

/** An IPv4 address's dotted quad from its 4 bytes at `a`; writes one byte past the end. */
@inline function putQuad(p: usize, a: usize): usize {
  for (let i: usize = 0; i < 4; i++) {
    const b = <usize>load<u8>(a + i)
    store<u32>(p, load<u32>(octets + b * 4))
    p += <usize>load<u8>(octets + 1024 + b)
  }
  return p - 1
}

/** `v` < 10000 without leading zeros; writes 4 bytes (the row has room), returns the end. */
@inline function putSmall(p: usize, v: u32): usize {
  // Digit count without branches: they would mispredict on mixed-width values.
  const n: u32 = 1 + <u32>(v >= 10) + <u32>(v >= 100) + <u32>(v >= 1000)
  store<u32>(p, load<u32>(dec4 + <usize>v * 4) >> ((4 - n) * 8))
  return p + <usize>n
}

@inline export function putU32(p: usize, v: u32): usize {
  if (v < 10000) return putSmall(p, v)
  const lo = v % 10000
  const hi = v / 10000
  if (hi < 10000) p = putSmall(p, hi)
  else {
    p = putSmall(p, hi / 10000)
    store<u32>(p, load<u32>(dec4 + <usize>(hi % 10000) * 4))
    p += 4
  }
  store<u32>(p, load<u32>(dec4 + <usize>lo * 4))
  return p + 4
}

@inline export function putU64(p: usize, v: u64): usize {
  return v <= 0xffffffff ? putU32(p, <u32>v) : putU64Big(p, v)
}

function putU64Big(p: usize, v: u64): usize {
  // Above 32 bits: the high part, then the low eight digits zero-padded.
  const hi = v / 100000000
  const lo = <u32>(v % 100000000)
  p = hi <= 0xffffffff ? putU32(p, <u32>hi) : putU64Big(p, hi)
  store<u32>(p, load<u32>(dec4 + <usize>(lo / 10000) * 4))
  store<u32>(p + 4, load<u32>(dec4 + <usize>(lo % 10000) * 4))
  return p + 8
}

/** Unix ms as seconds.mmm (DateTime64(3) text). */
@inline export function putMillis(p: usize, ms: u64): usize {
  const sec = ms / 1000
  p = putU64(p, sec)
  // '.' then the three millisecond digits: the table entry's first digit is a '0'.
  store<u32>(p, (load<u32>(dec4 + <usize>(ms - sec * 1000) * 4) & 0xffffff00) | 46)
  return p + 4
}

const HEX = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102])
// "00".."ff": each byte as two lowercase hex digits (filled by initTsvEncode).
let hex2: usize = 0

/** IPv6 column text: '::' for zero, ::ffff:a.b.c.d for mapped IPv4, else 8 hex groups. */
@inline export function putAddr(p: usize, a: usize): usize {
  const hi = load<u64>(a)
  const lo = load<u64>(a + 8)
  if (hi == 0 && <u32>lo == 0xffff0000) {
    store<u64>(p, 0x003a666666663a3a) // '::ffff:' (and a byte overwritten next)
    return putQuad(p + 7, a + 12)
  }
  if ((hi | lo) == 0) {
    store<u16>(p, 0x3a3a) // '::'
    return p + 2
  }
  return putHexGroups(p, a)
}

// A real IPv6 address, kept out of the inlined fast paths above: eight groups of
// lowercase hex without leading zeros, each written as one 4-byte store from the
// two-digit table and shifted by the digits it does not need.
function putHexGroups(p: usize, a: usize): usize {
  for (let g: usize = 0; g < 8; g++) {
    const hi = <usize>load<u8>(a + g * 2)
    const lo = <usize>load<u8>(a + g * 2 + 1)
    const v = <u32>((hi << 8) | lo)
    // Hex digits of v (at least one): ceil(significant bits / 4).
    const n: u32 = (35 - clz<u32>(v | 1)) >> 2
    const digits = (<u32>load<u16>(hex2 + hi * 2)) | ((<u32>load<u16>(hex2 + lo * 2)) << 16)
    store<u32>(p, digits >> ((4 - n) * 8))
    store<u8>(p + <usize>n, 58) // ':'
    p += <usize>n + 1
  }
  return p - 1
}

let secondsBase: usize = 0
let secondsLen: usize = 0
let secondsOf: u64 = 0

/** Unix ms as DateTime seconds, formatted once per second. */
@inline export function putSeconds(p: usize, ms: u64): usize {
  const sec = ms / 1000
  if (secondsLen == 0 || sec != secondsOf) {
    secondsOf = sec
    secondsLen = putU64(secondsBase, sec) - secondsBase
  }
  store<u64>(p, load<u64>(secondsBase))
  store<u64>(p + 8, load<u64>(secondsBase + 8))
  return p + secondsLen
}

/** Forget the formatted second. */
export function resetSeconds(): void {
  secondsLen = 0
}

/** Copy `len` bytes in 8-byte words (may write up to 7 bytes past; rows have room). */
@inline export function copyWords(dst: usize, src: usize, len: usize): void {
  for (let i: usize = 0; i < len; i += 8) store<u64>(dst + i, load<u64>(src + i))
}
