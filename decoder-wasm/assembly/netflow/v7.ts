// NetFlow v7 (Catalyst): v5-style header without engine or sampling, 52-byte records
// carrying the bypassed router's address, up to 27.
import { FixedLayout, decodeFixed } from './fixed'
import { FT_NETFLOW7 } from '../generated/flows'

const V7 = new FixedLayout(FT_NETFLOW7, 24, 52, 27, 37, 38, 39, true, true, false, false)

export function decodeNetflow7(p: usize, end: usize): u16 {
  return decodeFixed(p, end, V7)
}
