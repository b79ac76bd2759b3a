// Datagram i of a fuzz run, a function of (seed, protocol, i) alone, so any datagram of
// any run can be made again: now and then an unchanged seed (templates and valid data
// keep the decoder's state deep), otherwise a mutated one.
import { parseAddress } from '@flowloft/decoder-wasm'
import { mutate, type MutationPool, prng } from '@flowloft/decoder-wasm/testing'
import { PROTOCOLS, type Protocol } from './corpus.js'

/** Exporters the datagrams come from (templates are kept per exporter). */
const EXPORTERS = ['192.0.2.1', '192.0.2.2', '2001:db8::1', '198.51.100.7'].map(parseAddress)

function mix(seed: number, protocol: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(protocol + 1, 0xc2b2ae35)
  h = Math.imul(h ^ (h >>> 16), 0x27d4eb2f) ^ i
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  return (h ^ (h >>> 13)) >>> 0
}

export function fuzzDatagram(pool: MutationPool, seed: number, p: Protocol, i: number): Uint8Array {
  if (i % 16 === 0) return pool.seeds[(i >>> 4) % pool.seeds.length] ?? new Uint8Array(0)
  return mutate(pool, prng(mix(seed, PROTOCOLS.indexOf(p), i)))
}

export function fuzzExporter(i: number): Uint8Array {
  return EXPORTERS[(i >>> 9) & 3] ?? new Uint8Array(16)
}
