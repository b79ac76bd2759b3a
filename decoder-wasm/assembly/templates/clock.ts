// The decoders' clock: the latest receive time seen (unix ms). Templates note when they
// were last used by it and held data ages against it, so a capture decodes as it did
// when it was live.
export let clockMs: u64 = 0

export function advanceClock(ms: u64): void {
  if (ms > clockMs) clockMs = ms
}
