// A rollup against SQL over raw flows: the same rows per key (as canonical JSON lines),
// before and after its merges (OPTIMIZE ... FINAL), so neither the views nor a
// SummingMergeTree's merges add, lose or double anything.
import assert from 'node:assert/strict'
import type { TestEngine } from './engine.js'

const canon = (rs: Record<string, unknown>[]): string[] => rs.map((r) => JSON.stringify(r)).sort()

/** `got` (over `table`) equals `want` (over raw flows); the number of keys compared. */
export async function assertRollupEqualsRaw(
  e: TestEngine,
  table: string,
  want: string,
  got: string,
  when: string,
): Promise<number> {
  const w = canon(await e.rows(want))
  assert.ok(w.length > 0, `${table}: raw flows have rows`)
  assert.deepEqual(canon(await e.rows(got)), w, `${table} ${when}`)
  await e.engine.client.command({ query: `OPTIMIZE TABLE flowloft.${table} FINAL` })
  assert.deepEqual(canon(await e.rows(got)), w, `${table} ${when}, merged`)
  return w.length
}
