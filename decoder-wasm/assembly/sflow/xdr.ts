// Helpers shared by the sFlow decoders: XDR padding and the sFlow `address` union.
import { be32, fits } from '../shared/reader'
import { putIPv4, putIPv6 } from '../output/record'

/**
 * Where the element after an opaque of `len` bytes ending at `bodyEnd` starts: XDR pads
 * opaque data to 4 bytes. Clamped to `end` so a missing final pad is not an error.
 */
export function afterPadding(bodyEnd: usize, len: usize, end: usize): usize {
  const pad: usize = (4 - (len & 3)) & 3
  return pad <= end - bodyEnd ? bodyEnd + pad : end
}

/** Size of the sFlow address at `p` (type word + 0, 4 or 16 bytes); 0 when bad or cut. */
export function addressSize(p: usize, end: usize): usize {
  if (!fits(p, 4, end)) return 0
  const t = be32(p)
  const n: usize = t == 1 ? 8 : t == 2 ? 20 : t == 0 ? 4 : 0
  return n != 0 && fits(p, n, end) ? n : 0
}

/** Store the address at `p` (already checked by addressSize) into a 16-byte field. */
export function putAddress(dst: usize, p: usize): void {
  const t = be32(p)
  if (t == 1) putIPv4(dst, 0, p + 4)
  else if (t == 2) putIPv6(dst, 0, p + 4)
  else {
    store<u64>(dst, 0)
    store<u64>(dst + 8, 0)
  }
}
