// Test helpers for external tools (Debian packages installed by .ci/run): a missing
// tool fails the test in CI and skips it, with the reason, on a developer's machine.
import { spawnSync } from 'node:child_process'
import type { TestContext } from 'node:test'

export function haveTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0
}

/** True when the test may go on; otherwise it has been skipped (or fails in CI). */
export function requireTools(t: TestContext, ...names: string[]): boolean {
  const missing = names.filter((n) => !haveTool(n))
  if (missing.length === 0) return true
  const msg = `missing tools: ${missing.join(', ')} (apt-get install them; .ci/run does)`
  if (process.env['CI']) throw new Error(msg)
  t.skip(msg)
  return false
}
