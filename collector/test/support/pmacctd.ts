// Runs pmacctd on a configuration (reading a capture with pcap_savefile, so it exits at
// the end of the file) and returns what it logged.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * pmacctd 1.7.7 exits 0 or 1 at the end of a savefile, depending on whether the core
 * or its plugin notices first; any other end (a signal, the timeout) is a failure.
 */
export function runPmacctd(config: string, timeoutMs = 30_000): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pmacctd-'))
  const file = join(dir, 'pmacctd.conf')
  writeFileSync(file, config)
  return new Promise((resolve, reject) => {
    execFile('pmacctd', ['-f', file], { timeout: timeoutMs }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true })
      const log = stdout + stderr
      const code = err && 'code' in err ? err.code : 0
      if (err && (typeof code !== 'number' || code > 1))
        reject(new Error(`pmacctd failed (${String(code ?? err.signal)}): ${log}`, { cause: err }))
      else resolve(log)
    })
  })
}
