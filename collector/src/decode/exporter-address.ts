// Source address text -> the 16 bytes the decoder stores, and -> the decoder lane that
// keeps its datagrams in order; both cached (exporters are few).
import { parseAddress } from '@flowloft/decoder-wasm'

const MAX = 65536

export function createAddressCache(): (text: string) => Uint8Array {
  const cache = new Map<string, Uint8Array>()
  return (text) => {
    let b = cache.get(text)
    if (!b) {
      if (cache.size >= MAX) cache.clear()
      b = parseAddress(text)
      cache.set(text, b)
    }
    return b
  }
}

/**
 * Source address text -> decoder lane, handed out in turn as exporters are first heard.
 * Keyed by the address alone, not the source port: every session of an address (an
 * exporter restarted on a new port, or a sender spoofing its address) is decoded by one
 * worker, so each session's templates and data stay on it in order, and the per-address
 * template quota is counted in one place.
 */
export function createLaneMap(lanes: number): (text: string) => number {
  const lane = new Map<string, number>()
  let next = 0
  return (text) => {
    let l = lane.get(text)
    if (l === undefined) {
      // Past MAX exporters the map starts over: an exporter may move lane once.
      if (lane.size >= MAX) lane.clear()
      l = next++ % lanes
      lane.set(text, l)
    }
    return l
  }
}
