// Timing on the calling thread: a warm-up, then a loop of whole passes until the time is up.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 0.5)

const now = () => Number(process.hrtime.bigint()) / 1e9

/**
 * Run `pass` (one pass over the fixture, returning the records it produced) for a warm-up
 * and then for at least BENCH_SECONDS; returns records per second of the timed part.
 */
export function measure(pass) {
  const warmEnd = now() + WARMUP_SECONDS
  while (now() < warmEnd) pass()
  let records = 0
  let passes = 0
  const start = now()
  let elapsed = 0
  while (elapsed < SECONDS) {
    records += pass()
    passes++
    elapsed = now() - start
  }
  return { recordsPerSecond: records / elapsed, records, passes, seconds: elapsed }
}

export const benchSeconds = SECONDS
