// Sums over fixture flows as the console counts them, seen from the local devices: each
// flow gives a row per local device it touches, received (is_in) or sent; an internal
// flow gives two. The oracle for the API's sided views (api/sides-sql.ts).
import type { FixtureFlow } from './fixture-flows.js'

/** A flow's sided rows: [local device, is_in]. */
export function sides(f: FixtureFlow): [string, boolean][] {
  if (f.direction === 'inbound') return [[f.dst_addr, true]]
  if (f.direction === 'outbound') return [[f.src_addr, false]]
  return [
    [f.src_addr, false],
    [f.dst_addr, true],
  ]
}

/** In and out by the keys of each sided row, largest first, ties by key. */
export function sidedSums(
  flows: FixtureFlow[],
  keys: (f: FixtureFlow, device: string) => string[],
): [string, number, number][] {
  const m = new Map<string, [number, number]>()
  for (const f of flows)
    for (const [d, isIn] of sides(f))
      for (const k of keys(f, d)) {
        const s = m.get(k) ?? [0, 0]
        s[isIn ? 0 : 1] += f.bytes
        m.set(k, s)
      }
  return [...m.entries()]
    .map(([k, [i, o]]): [string, number, number] => [k, i, o])
    .sort((a, b) => b[1] + b[2] - (a[1] + a[2]) || (a[0] < b[0] ? -1 : 1))
}

/** [device, in, out] by device. */
export const byDevice = (flows: FixtureFlow[]): [string, number, number][] =>
  sidedSums(flows, (_f, d) => [d])

/** All bytes the devices received ('in') or sent ('out'). */
export const sidedTotal = (flows: FixtureFlow[], dir: 'in' | 'out'): number =>
  byDevice(flows).reduce((s, r) => s + (dir === 'in' ? r[1] : r[2]), 0)
