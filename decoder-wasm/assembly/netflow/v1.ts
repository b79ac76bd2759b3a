// NetFlow v1: 16-byte header, 48-byte records, up to 24 per datagram, no AS numbers.
import { FixedLayout, decodeFixed } from './fixed'
import { FT_NETFLOW1 } from '../generated/flows'

const V1 = new FixedLayout(FT_NETFLOW1, 16, 48, 24, 40, 38, 39, false, false, false, false)

export function decodeNetflow1(p: usize, end: usize): u16 {
  return decodeFixed(p, end, V1)
}
