// `flowloft import`, `query` and `migrate` while `flowloft serve` holds the data directory
// (chdb locks it per process): one line that names serve and its pid, exit code 1, and
// the directory left as it was. A serve that was SIGKILLed holds nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readCaptureFile } from '@flowloft/decoder-wasm'
import { capturePath, writePcap } from '@flowloft/decoder-wasm/testing'
import { datagramPacket } from '../../support/capture.js'
import { startChildService } from '../../support/child-service.js'
import { runFlowloft } from '../../support/flowloft-cli.js'

const FIXTURE = capturePath('softflowd-v9.pcap')

/** The fixture's datagrams captured now (flows older than retention.raw_days vanish). */
function freshCapture(path: string): void {
  const now = Date.now()
  writePcap(
    path,
    readCaptureFile(FIXTURE).map((d, i) => datagramPacket(d, now + i)),
  )
}

void test('import, query and migrate refuse a data_dir that serve holds, in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-in-use-'))
  const data = join(dir, 'data')
  const status = join(data, 'clickhouse', 'status')
  const capture = join(dir, 'export.pcap')
  freshCapture(capture)
  const count = (): ReturnType<typeof runFlowloft> =>
    runFlowloft([
      'query',
      'SELECT count() AS flows FROM flows',
      ...['--data-dir', data, '--http', '', '--log-level', 'warn'],
    ])
  try {
    const first = runFlowloft(['import', capture, '--data-dir', data])
    assert.equal(first.status, 0, first.stderr)
    assert.equal(first.stdout, 'imported 40 flows from 2 datagrams\n')

    const svc = await startChildService(data, { http: '' })
    const pid = svc.process.pid ?? 0
    const held = `flowloft %s: data_dir ${data} is in use by flowloft serve (pid ${pid})`
    try {
      const imp = runFlowloft(['import', capture, '--data-dir', data])
      assert.deepEqual(imp, {
        status: 1,
        stdout: '',
        stderr: `${held.replace('%s', 'import')}; stop it first, or import into another --data-dir\n`,
      })
      assert.deepEqual(count(), {
        status: 1,
        stdout: '',
        stderr:
          `${held.replace('%s', 'query')} and http.listen is off, so query cannot ask it: ` +
          'give query the --http that serve listens on, or stop it first\n',
      })
      const q = runFlowloft(['query', 'SELECT 1', '--data-dir', data, '--http', '127.0.0.1:1'])
      assert.equal(q.status, 1)
      assert.equal(
        q.stderr,
        `${held.replace('%s', 'query')} and no flowloft answered at http.listen 127.0.0.1:1: ` +
          'give query the --http that serve listens on, or stop it first\n',
      )
      const m = runFlowloft(['migrate', '--data-dir', data])
      assert.equal(m.status, 1)
      assert.equal(
        m.stderr,
        `${held.replace('%s', 'migrate')}; stop it first (serve migrates the schema when it starts)\n`,
      )
      svc.process.kill('SIGTERM')
      assert.deepEqual(await svc.exited, { code: 0, signal: null })
    } finally {
      await svc.kill()
    }
    // A clean stop unlocks and removes ClickHouse's status file; the refused commands
    // stored nothing, and the directory still takes an import.
    assert.equal(existsSync(status), false)
    assert.deepEqual(count(), { status: 0, stdout: '{"flows":40}\n', stderr: '1 row\n' })

    // A killed serve leaves its status file behind, unlocked: nobody holds the directory.
    const killed = await startChildService(data, { http: '' })
    await killed.kill()
    assert.equal(existsSync(status), true)
    const again = runFlowloft(['import', capture, '--data-dir', data])
    assert.equal(again.status, 0, again.stderr)
    assert.equal(again.stdout, 'imported 40 flows from 2 datagrams\n')
    assert.equal(count().stdout, '{"flows":80}\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
