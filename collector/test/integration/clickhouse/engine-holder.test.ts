// Where /proc/locks is missing (not Linux), the pid ClickHouse wrote to its status file
// decides: a live process holds the directory, a gone one left the file behind.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { holderName } from '../../../dist/cli/engine-in-use.js'
import { engineHolder } from '../../../dist/clickhouse/engine-holder.js'

void test('without /proc/locks the status file pid decides, alive or gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-holder-'))
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' })
  const pid = sleeper.pid ?? 0
  try {
    const noLocks = join(dir, 'no-such-locks')
    assert.equal(engineHolder(dir, noLocks), null, 'no status file: nobody holds it')
    mkdirSync(join(dir, 'clickhouse'))
    const status = (p: number): void =>
      writeFileSync(join(dir, 'clickhouse', 'status'), `PID: ${p}\nStarted at: now\n`)
    status(pid)
    assert.equal(engineHolder(dir, noLocks), pid)
    assert.equal(holderName(pid), `sleep (pid ${pid})`)
    // On Linux the same file unlocked is one left behind.
    assert.equal(engineHolder(dir), null)
    status(process.pid)
    assert.equal(engineHolder(dir, noLocks), null, 'this process is no other holder')
    sleeper.kill('SIGKILL')
    await new Promise((r) => sleeper.once('exit', r))
    status(pid)
    assert.equal(engineHolder(dir, noLocks), null, 'a gone pid holds nothing')
    assert.equal(holderName(pid), `pid ${pid}`)
  } finally {
    sleeper.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
})
