// Signed API changes through a real collector (embedded engine): a request accepted
// before a restart is refused (401) and logged when replayed after it with the same
// data dir; a timestamp 60 s ahead is refused, 10 s ahead accepted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../../dist/observability/log.js'
import { startTestService } from '../../support/service.js'
import { SIGNATURE_HEADER, signRequest, TIMESTAMP_HEADER } from '../../../dist/api/auth.js'

const KEY = `hk-${randomBytes(16).toString('hex')}`

function signed(path: string, body: string, ts: number): RequestInit {
  return {
    method: 'POST',
    body,
    headers: {
      [TIMESTAMP_HEADER]: String(ts),
      [SIGNATURE_HEADER]: signRequest(KEY, 'POST', path, ts, body),
    },
  }
}

void test('HMAC: a replay after a restart is 401 and logged; 60 s ahead 401, 10 s ahead accepted', async () => {
  const lines: string[] = []
  const log = createLogger('info', {}, (l) => lines.push(l))
  const path = '/api/senders'
  const now = Math.floor(Date.now() / 1000)
  const add = (a: string): string => JSON.stringify({ address: a, name: a, prefixes: [] })
  const first = await startTestService({ 'api.hmac_key': KEY }, log)
  const dataDir = first.dataDir
  const captured = signed(path, add('192.0.2.1'), now)
  let ok: number
  try {
    ok = (await fetch(`${first.httpBase}${path}`, captured)).status
    assert.equal(ok, 201)
    assert.equal((await fetch(`${first.httpBase}${path}`, captured)).status, 401, 'replay')
  } finally {
    await first.service.stop() // keeps the data dir
  }
  const file = JSON.parse(readFileSync(join(dataDir, 'hmac-nonces.json'), 'utf8')) as unknown[]
  assert.equal(file.length, 1)

  const second = await startTestService({ 'api.hmac_key': KEY, data_dir: dataDir }, log)
  try {
    const base = second.httpBase
    const replay = await fetch(`${base}${path}`, captured)
    assert.equal(replay.status, 401, 'replay after restart')
    const ahead60 = await fetch(`${base}${path}`, signed(path, add('192.0.2.2'), now + 60))
    assert.equal(ahead60.status, 401, '60 s ahead')
    const ahead10 = await fetch(`${base}${path}`, signed(path, add('192.0.2.3'), now + 10))
    assert.equal(ahead10.status, 201, '10 s ahead')
    const replays = lines.filter((l) => l.includes('signature already used (replay)'))
    assert.ok(replays.length >= 1, 'replay logged')
    assert.ok(
      lines.every((l) => !l.includes(KEY)),
      'no key in the log',
    )
    console.log(
      `before restart ${ok}; after: replay ${replay.status}, +60 s ${ahead60.status}, +10 s ${ahead10.status}; replay log lines ${replays.length}`,
    )
  } finally {
    await second.service.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
