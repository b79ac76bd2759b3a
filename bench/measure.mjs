// Timing on the calling thread: a warm-up, then a loop of whole passes until the time is up.
// Rates are per CPU-second of this process (user + system), so other work on the machine
// does not count against them; the wall-clock rate is kept beside it.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 0.5)

const now = () => Number(process.hrtime.bigint()) / 1e9
const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/**
 * Run `pass` (one pass over the fixture, returning the records it produced) for a warm-up
 * and then for at least BENCH_SECONDS of CPU time; returns records per CPU-second of the
 * timed part (and per wall-clock second).
 */
export function measure(pass) {
  const warmEnd = cpu() + WARMUP_SECONDS
  while (cpu() < warmEnd) pass()
  let records = 0
  let passes = 0
  const start = now()
  const cpuStart = cpu()
  let cpuSeconds = 0
  while (cpuSeconds < SECONDS) {
    records += pass()
    passes++
    cpuSeconds = cpu() - cpuStart
  }
  const elapsed = now() - start
  return {
    recordsPerSecond: records / cpuSeconds,
    wallRecordsPerSecond: records / elapsed,
    records,
    passes,
    cpuSeconds,
    seconds: elapsed,
  }
}

export const benchSeconds = SECONDS
