// Source address text -> the 16 bytes the decoder stores, cached (exporters are few).
import { parseAddress } from '@flowhouse/decoder-wasm'

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
