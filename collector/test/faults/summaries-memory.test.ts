// The summaries job over a window of millions of conversations, in a process whose
// memory cgroup allows 2 GiB: it must neither get the process OOM-killed nor stall the
// writer. The job runs on a session of its own with a memory limit derived from the
// cgroup, and its GROUP BY spills to disk past half of it. Needs root and a writable
// cgroup memory controller (v1 or v2); skipped without.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const LOAD = new URL('../support/summaries-load.js', import.meta.url).pathname
const LIMIT = 2 * 2 ** 30
const ROWS = 4_000_000

/** A new memory cgroup below this process's own, limited to `bytes`; null if none can be made. */
function makeCgroup(bytes: number): { procs: string; remove(): void } | null {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n')
  const v1 = lines.find((l) => /^\d+:memory:/.test(l))
  const v2 = lines.find((l) => l.startsWith('0::'))
  const candidates: [string, string][] = []
  if (v1)
    candidates.push([
      join('/sys/fs/cgroup/memory', v1.split(':')[2] ?? ''),
      'memory.limit_in_bytes',
    ])
  if (v2) {
    const rel = v2.slice(3)
    candidates.push([join('/sys/fs/cgroup', rel), 'memory.max'])
    candidates.push([join('/sys/fs/cgroup/unified', rel), 'memory.max'])
  }
  for (const [base, limitFile] of candidates) {
    // Only a real cgroup directory has the limit file already (a tmpfs mount point has not).
    if (!existsSync(join(base, limitFile)) && !existsSync(join(base, 'cgroup.controllers')))
      continue
    const dir = join(base, `flowloft-test-${process.pid}`)
    try {
      mkdirSync(dir)
      writeFileSync(join(dir, limitFile), String(bytes))
      return { procs: join(dir, 'cgroup.procs'), remove: () => rmdirSync(dir) }
    } catch {
      try {
        rmdirSync(dir)
      } catch {
        // not made
      }
    }
  }
  return null
}

void test(
  'summaries over 4 M conversations in a 2 GiB cgroup: no OOM, inserts go on',
  { timeout: 300_000 },
  async (t: TestContext) => {
    const cg = makeCgroup(LIMIT)
    if (!cg) {
      t.skip('no writable memory cgroup (needs root)')
      return
    }
    try {
      // The shell joins the cgroup, then becomes node: every byte node allocates counts.
      const p = spawn(
        '/bin/sh',
        ['-c', 'echo $$ > "$0" && exec "$@"', cg.procs, process.execPath, LOAD, String(ROWS)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let out = ''
      let err = ''
      p.stdout.on('data', (c: Buffer) => (out += c.toString()))
      p.stderr.on('data', (c: Buffer) => (err += c.toString()))
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
        p.once('exit', (c, s) => r([c, s])),
      )
      assert.equal(signal, null, `killed by ${signal}: ${err}`)
      assert.equal(code, 0, err)
      const r = JSON.parse(out.trim()) as {
        ok: boolean
        conversations: number
        error?: string
        summaryMs: number
        insertsDuringSummary: number
        maxInsertMs: number
        rss: number
      }
      assert.ok(r.ok, `the summary failed: ${r.error}`)
      assert.equal(r.conversations, 100)
      assert.ok(r.rss < LIMIT, `RSS ${r.rss}`)
      // Inserts kept going on the writer's session while the job ran (one every ~100 ms).
      assert.ok(
        r.insertsDuringSummary >= Math.floor(r.summaryMs / 1000),
        `${r.insertsDuringSummary} inserts during a ${r.summaryMs.toFixed(0)} ms summary`,
      )
      console.log(
        `summaries: ${ROWS} conversations in a 2 GiB cgroup, ${(r.summaryMs / 1000).toFixed(1)} s, ` +
          `${r.insertsDuringSummary} inserts meanwhile (slowest ${r.maxInsertMs.toFixed(0)} ms), RSS ${(r.rss / 2 ** 20).toFixed(0)} MiB`,
      )
    } finally {
      cg.remove()
    }
  },
)
