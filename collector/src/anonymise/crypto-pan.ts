// Crypto-PAn (Xu, Fan, Ammar, Moon, "Prefix-Preserving IP Address Anonymization", 2002):
// a keyed, prefix-preserving mapping of addresses. Two addresses that share their first k
// bits map to two that share exactly their first k bits. The 32-byte key is an AES-128 key
// (first half) and a pad (second half, encrypted with that key). Bit i of the output is
// bit i of the input XOR the first bit of AES(the input's first i bits, then the pad's
// remaining bits). IPv6 is the same over 128 bits. Every one of the 32 or 128 blocks
// depends on the input only, so they are encrypted in one call.
import { createCipheriv, type Cipher } from 'node:crypto'
import { isMappedV4 } from '@flowloft/decoder-wasm'

/** Key length in bytes: AES-128 key, then pad. */
export const KEY_BYTES = 32

/** The AES key and the pad of a 32-byte key (the pad is the key's second half under AES). */
export function cryptoPanParts(key: Uint8Array): { aes: Buffer; pad: Buffer } {
  if (key.length !== KEY_BYTES)
    throw new RangeError(`a Crypto-PAn key is ${KEY_BYTES} bytes, got ${key.length}`)
  const aes = Buffer.from(key.subarray(0, 16))
  const cipher = createCipheriv('aes-128-ecb', aes, null).setAutoPadding(false)
  return { aes, pad: cipher.update(key.subarray(16, 32)) }
}

export class CryptoPan {
  readonly #cipher: Cipher
  readonly #pad: Buffer

  constructor(key: Uint8Array) {
    const { aes, pad } = cryptoPanParts(key)
    this.#cipher = createCipheriv('aes-128-ecb', aes, null).setAutoPadding(false)
    this.#pad = pad
  }

  /** The anonymised form of a 4-byte (IPv4) or 16-byte (IPv6) address, network order. */
  anonymise(addr: Uint8Array): Uint8Array {
    const bits = addr.length * 8
    const pad = this.#pad
    const blocks = Buffer.alloc(bits * 16)
    for (let pos = 0; pos < bits; pos++) {
      const at = pos * 16
      pad.copy(blocks, at)
      const whole = pos >> 3
      for (let k = 0; k < whole; k++) blocks[at + k] = addr[k] ?? 0
      const rest = pos & 7
      if (rest > 0) {
        const keep = (0xff << (8 - rest)) & 0xff
        blocks[at + whole] = ((addr[whole] ?? 0) & keep) | ((pad[whole] ?? 0) & ~keep & 0xff)
      }
    }
    const out = this.#cipher.update(blocks)
    const result = Uint8Array.from(addr)
    for (let pos = 0; pos < bits; pos++) {
      if (((out[pos * 16] ?? 0) & 0x80) !== 0) {
        const i = pos >> 3
        result[i] = (result[i] ?? 0) ^ (0x80 >> (pos & 7))
      }
    }
    return result
  }

  /**
   * The anonymised form of a 16-byte address as the decoder stores it: an IPv4-mapped
   * address (::ffff:a.b.c.d) stays IPv4-mapped with its 32 bits anonymised.
   */
  anonymiseStored(addr: Uint8Array): Uint8Array {
    if (!isMappedV4(addr, 0)) return this.anonymise(addr)
    const out = Uint8Array.from(addr)
    out.set(this.anonymise(addr.subarray(12, 16)), 12)
    return out
  }
}
