// Finding the external tools oracle tests run (tshark, pmacctd, softflowd ...). A missing
// tool skips the test with a message on a workstation and fails it in CI (CI is set).
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { TestContext } from 'node:test'

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin']

export function findTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...SBIN]
  for (const dir of dirs) {
    if (dir === '') continue
    const path = join(dir, name)
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * Paths of the named tools, or undefined after skipping the test when one is missing.
 * Throws instead when running in CI, where the tools are part of the job.
 */
export function requireTools(
  t: TestContext,
  names: readonly string[],
  packages: string,
): Map<string, string> | undefined {
  const found = new Map<string, string>()
  const missing: string[] = []
  for (const n of names) {
    const p = findTool(n)
    if (p === undefined) missing.push(n)
    else found.set(n, p)
  }
  if (missing.length === 0) return found
  const message = `${missing.join(', ')} not found: apt-get install -y ${packages}`
  if (process.env['CI']) throw new Error(message)
  t.skip(message)
  return undefined
}
