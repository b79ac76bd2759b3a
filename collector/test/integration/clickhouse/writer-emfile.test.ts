// No file descriptors left (EMFILE), for real: the writer runs in a child process under
// `ulimit -n 256` (testing/writer-child.ts), on the embedded engine, fed rows all along;
// the child takes every free descriptor, and every one the engine frees after that,
// until an insert file and a spool write have both failed (4 s at least), then lets
// them go. The process must live on, count the failures, and in the end every row
// handed to the writer is stored once or counted dropped, with no file left in the
// spool or the insert folder.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { metricValue } from '../../support/service.js'

const CHILD = new URL('../../support/writer-child.js', import.meta.url).pathname
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

void test(
  'EMFILE in the writer is counted and waited out, never fatal',
  { timeout: 120_000 },
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fl-emfile-'))
    const child = spawn(
      'bash',
      ['-c', 'ulimit -n 256 && exec "$0" "$1" "$2"', process.execPath, CHILD, dataDir],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    )
    const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    const answer = async (): Promise<Record<string, unknown>> => {
      const next = await answers.next()
      if (next.done === true) throw new Error(`the child ended: ${JSON.stringify(await exited)}`)
      return JSON.parse(next.value) as Record<string, unknown>
    }
    const ask = async (command: string): Promise<Record<string, unknown>> => {
      child.stdin.write(`${command}\n`)
      return answer()
    }
    try {
      assert.deepEqual(await answer(), { ready: true })
      await sleep(1500)
      const exhausted = await ask('exhaust')
      assert.equal(exhausted['error'], 'EMFILE')
      // Held until an insert file and a spool write have both met EMFILE, 4 s at least.
      const t0 = Date.now()
      for (;;) {
        await sleep(500)
        const seen = String((await ask('metrics'))['metrics'])
        const both = ['insert_file', 'spool_write'].every(
          (op) =>
            metricValue(seen, `flowloft_writer_io_errors_total{op="${op}",code="EMFILE"}`) > 0,
        )
        if ((both && Date.now() - t0 >= 4000) || Date.now() - t0 > 60_000) break
      }
      const heldMs = Date.now() - t0
      assert.deepEqual(await ask('release'), { released: true })
      await sleep(1500)
      const r = await ask('finish')
      assert.deepEqual(await exited, { code: 0, signal: null }, 'the child lived on')

      const m = String(r['metrics'])
      const dropped = ['memory', 'spool_full', 'rejected', 'spool_error'].map((reason) =>
        metricValue(m, `flowloft_writer_dropped_rows_total{reason="${reason}"}`),
      )
      const insertFile = metricValue(
        m,
        'flowloft_writer_io_errors_total{op="insert_file",code="EMFILE"}',
      )
      const spoolWrite = metricValue(
        m,
        'flowloft_writer_io_errors_total{op="spool_write",code="EMFILE"}',
      )
      assert.ok(insertFile > 0, 'insert files failed with EMFILE')
      assert.ok(spoolWrite > 0, 'spool writes failed with EMFILE')
      assert.equal(r['unique'], r['stored'], 'no row stored twice')
      assert.equal(
        r['sent'],
        Number(r['stored']) + dropped.reduce((a, b) => a + b),
        'handed = stored + dropped',
      )
      assert.deepEqual(readdirSync(join(dataDir, 'inserting')), [])
      assert.deepEqual(readdirSync(join(dataDir, 'spool', 'flows')), [])
      console.log(
        `EMFILE for ${(heldMs / 1000).toFixed(1)} s (${String(exhausted['held'])} descriptors taken): ${String(r['sent'])} rows handed, ` +
          `${String(r['stored'])} stored, ${dropped.join('/')} dropped (memory/spool_full/rejected/spool_error); ` +
          `EMFILE counted: insert_file ${insertFile}, spool_write ${spoolWrite}`,
      )
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
      rmSync(dataDir, { recursive: true, force: true })
    }
  },
)
