// Test helpers for external tools (Debian packages installed by `make test-deps`): the
// decoder's finder, with a yes/no answer. A missing tool fails the test in CI and skips
// it, with the reason, on a developer's machine.
import type { TestContext } from 'node:test'
import { requireTools as require } from '@flowloft/decoder-wasm/testing'

/** True when the test may go on; otherwise it has been skipped (or fails in CI). */
export function requireTools(t: TestContext, ...names: string[]): boolean {
  return require(t, names, 'the Debian packages in the Makefile test-deps target') !== undefined
}
