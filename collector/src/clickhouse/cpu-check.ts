// The embedded engine (chdb, ClickHouse 26.x) is built for x86-64 CPUs with AVX2; on one
// without (Celeron J4125/N5105-class mini-PCs) loading it dies with an illegal
// instruction and no word of why. This reads the CPU flags first and says what to do.
// FLOWLOFT_CPUINFO names another file to read them from (to try it on a CPU that has AVX2).
import { readFileSync } from 'node:fs'

export const NO_AVX2 =
  'the embedded ClickHouse engine needs a CPU with AVX2, and this one has none: ' +
  'run the compose appliance (`docker compose up`: its ClickHouse 26.3 runs without AVX2) ' +
  'or point --clickhouse-url at a ClickHouse server'

/** Why the embedded engine cannot run on this CPU, or null when it can (or we cannot tell). */
export function embeddedEngineBlocker(
  path = process.env['FLOWLOFT_CPUINFO'] ?? '/proc/cpuinfo',
  arch: string = process.arch,
): string | null {
  if (arch !== 'x64') return null
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return null
  }
  const flags = /^flags\s*:(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/)
  if (!flags) return null
  return flags.includes('avx2') ? null : NO_AVX2
}
