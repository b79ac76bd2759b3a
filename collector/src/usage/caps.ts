// Where each cap stands in the current billing cycle: the bytes in and out of the
// devices it counts (every device for the total), against its size. Crossing 80% and
// 100% are the levels the alerts raise (alerts/usage-cap.ts).
import type { CapKind, CapSpec } from './config.js'
import type { DeviceFigures } from './figures.js'
import { addressesOf } from './names.js'
import type { Span } from './periods.js'

export const CAP_LEVELS = [80, 100] as const
export type CapLevel = (typeof CAP_LEVELS)[number]

export interface CapState {
  id: string
  kind: CapKind
  name: string
  cap_bytes: number
  /** Bytes in and out of the cycle so far. */
  used_bytes: number
  in_bytes: number
  out_bytes: number
  /** used / cap, in percent (two decimals). */
  percent: number
  /** The highest level reached: 0, 80 or 100. */
  level: 0 | CapLevel
  /** The devices counted (addresses as people write them); empty for the total. */
  devices: string[]
  /** Device names that matched no address (their bytes are unknown). */
  unmatched: string[]
  cycle: Span
}

/** Canonical address -> address as shown, of the devices with figures. */
const shownOf = (figures: readonly DeviceFigures[]): Map<string, string> =>
  new Map(figures.map((f) => [f.key, f.device]))

export function capStates(
  caps: readonly CapSpec[],
  figures: readonly DeviceFigures[],
  names: ReadonlyMap<string, string>,
  cycle: Span,
): CapState[] {
  const byKey = new Map(figures.map((f) => [f.key, f]))
  const shown = shownOf(figures)
  return caps.map((cap): CapState => {
    const unmatched: string[] = []
    const keys = new Set<string>()
    // A device given by address and without figures is listed as it was written.
    const written = new Map<string, string>()
    for (const ref of cap.devices) {
      if (ref.addr !== null) written.set(ref.addr, ref.text)
      const addrs = addressesOf(ref, names)
      if (addrs.length === 0) unmatched.push(ref.text)
      for (const a of addrs) keys.add(a)
    }
    const counted = cap.kind === 'total' ? figures : [...keys].flatMap((k) => byKey.get(k) ?? [])
    let inBytes = 0
    let outBytes = 0
    for (const f of counted) {
      inBytes += f.cycle.in_bytes
      outBytes += f.cycle.out_bytes
    }
    const used = inBytes + outBytes
    const percent = Math.round((used / cap.bytes) * 10_000) / 100
    const level = used >= cap.bytes ? 100 : used * 100 >= cap.bytes * 80 ? 80 : 0
    return {
      id: cap.id,
      kind: cap.kind,
      name: cap.name,
      cap_bytes: cap.bytes,
      used_bytes: used,
      in_bytes: inBytes,
      out_bytes: outBytes,
      percent,
      level,
      devices: [...keys].map((k) => shown.get(k) ?? written.get(k) ?? k).sort(),
      unmatched,
      cycle,
    }
  })
}
