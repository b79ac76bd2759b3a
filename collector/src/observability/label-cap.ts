// Bounds the series of metric families labelled by a source address (exporter, sender):
// the first `max` addresses seen keep their own series, later ones are added up under
// `other`. Addresses the operator configured (pinned) always keep theirs and do not use
// up the bound. One cap is shared by the families so an address is kept or folded in all
// of them alike; an address once kept stays kept (counters never lose a series).

/** The label value standing for every address past the bound. */
export const OTHER = 'other'

export interface LabelCap {
  /** The label value to record `address` under: itself, or OTHER. */
  label(address: string): string
  /** Addresses that keep their own series (pinned ones included). */
  readonly kept: number
  /** Distinct addresses folded into OTHER so far (counted up to 65,536). */
  readonly folded: number
  /** Also keep the addresses `pinned` answers true for (configured exporters, senders). */
  pin(pinned: (address: string) => boolean): void
}

const FOLDED_TRACKED = 65_536

export function createLabelCap(max: number): LabelCap {
  const kept = new Set<string>()
  let unpinned = 0
  const folded = new Set<string>()
  const pins: ((address: string) => boolean)[] = []
  const pinned = (a: string): boolean => pins.some((p) => p(a))
  return {
    label(address) {
      if (address === '' || kept.has(address)) return address
      if (pinned(address)) {
        kept.add(address)
        return address
      }
      if (unpinned < max) {
        unpinned++
        kept.add(address)
        return address
      }
      if (folded.size < FOLDED_TRACKED) folded.add(address)
      return OTHER
    },
    get kept() {
      return kept.size
    },
    get folded() {
      return folded.size
    },
    pin(p) {
      pins.push(p)
    },
  }
}
