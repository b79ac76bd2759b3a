// NetFlow v6: the v5 header and record plus encapsulation sizes and the peer next hop
// (52-byte records, up to 27).
import { FixedLayout, decodeFixed } from './fixed'
import { FT_NETFLOW6 } from '../generated/flows'

const V6 = new FixedLayout(FT_NETFLOW6, 24, 52, 27, 37, 38, 39, true, true, true, false)

export function decodeNetflow6(p: usize, end: usize): u16 {
  return decodeFixed(p, end, V6)
}
