// NetFlow v5: 24-byte header (sequence, engine, sampling), 48-byte records, up to 30.
import { FixedLayout, decodeFixed } from './fixed'
import { FT_NETFLOW5 } from '../generated/flows'

const V5 = new FixedLayout(FT_NETFLOW5, 24, 48, 30, 37, 38, 39, true, true, true, true)

export function decodeNetflow5(p: usize, end: usize): u16 {
  return decodeFixed(p, end, V5)
}
