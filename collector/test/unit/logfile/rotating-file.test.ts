// The rotating file on a real directory: rotation at the size limit, N files kept, every
// file within the size and made of whole lines, the header on each, the queue bound.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRotatingFile, rotatedPath } from '../../../dist/logfile/rotating-file.js'

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fl-rotate-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** `n` numbered lines of `width` bytes each (newline included). */
function lines(first: number, n: number, width: number): Buffer {
  let s = ''
  for (let i = first; i < first + n; i++) s += `${String(i).padStart(width - 1, '0')}\n`
  return Buffer.from(s)
}

void test('rotates at the size limit, keeps N files of whole lines, newest last', async (t) => {
  const path = join(tempDir(t), 'x.log')
  const errors: Error[] = []
  let rotations = 0
  const maxBytes = 1000
  const f = createRotatingFile({
    path,
    maxBytes,
    files: 3,
    maxQueueBytes: 1 << 20,
    header: '#fields\tn',
    onError: (e) => errors.push(e),
    onRotate: () => rotations++,
  })
  // 400 lines of 10 bytes in chunks of 37 lines: 4000 bytes of lines.
  const total = 400
  for (let i = 0; i < total; i += 37) assert.ok(f.write(lines(i, Math.min(37, total - i), 10)))
  await f.close()
  assert.deepEqual(errors, [])

  const header = '#fields\tn\n'
  const perFile = Math.floor((maxBytes - header.length) / 10)
  assert.equal(rotations, Math.ceil(total / perFile) - 1)
  assert.equal(existsSync(rotatedPath(path, 3)), false, 'only 3 files are kept')
  const kept: number[] = []
  for (const k of [2, 1, 0]) {
    const text = readFileSync(rotatedPath(path, k), 'utf8')
    assert.ok(statSync(rotatedPath(path, k)).size <= maxBytes)
    assert.ok(text.startsWith(header), `file .${k} starts with the header`)
    const body = text.slice(header.length)
    assert.ok(body.endsWith('\n'))
    for (const l of body.slice(0, -1).split('\n')) kept.push(Number(l))
  }
  // The newest lines survive, in order, none torn: full files hold perFile lines each.
  const last = total % perFile || perFile
  assert.equal(kept.length, 2 * perFile + last)
  assert.deepEqual(
    kept,
    Array.from({ length: kept.length }, (_, i) => total - kept.length + i),
  )
})

void test('a line longer than the file gets a file of its own; files: 1 truncates', async (t) => {
  const path = join(tempDir(t), 'y.log')
  const f = createRotatingFile({
    path,
    maxBytes: 100,
    files: 1,
    maxQueueBytes: 1 << 20,
    onError: (e) => assert.fail(e),
  })
  f.write(Buffer.from('short\n'))
  f.write(Buffer.from(`${'x'.repeat(250)}\n`))
  await f.flush()
  assert.equal(readFileSync(path, 'utf8'), `${'x'.repeat(250)}\n`)
  f.write(Buffer.from('after\n'))
  await f.close()
  assert.equal(readFileSync(path, 'utf8'), 'after\n')
  assert.equal(existsSync(rotatedPath(path, 1)), false)
  assert.equal(f.write(Buffer.from('closed\n')), false, 'a closed file refuses writes')
})

void test('a full queue refuses chunks instead of growing; the file continues after', async (t) => {
  const path = join(tempDir(t), 'z.log')
  const f = createRotatingFile({
    path,
    maxBytes: 1 << 20,
    files: 2,
    maxQueueBytes: 100,
    onError: (e) => assert.fail(e),
  })
  // 40 bytes each against a 100-byte queue, written faster than the disk takes them.
  const accepted: boolean[] = []
  for (let i = 0; i < 5; i++) {
    accepted.push(f.write(lines(i * 4, 4, 10)))
    assert.ok(f.queuedBytes <= 100)
  }
  assert.ok(accepted.includes(false), 'some chunks were refused')
  assert.equal(accepted[0], true)
  await f.close()
  const written = readFileSync(path, 'utf8').split('\n').filter(Boolean)
  assert.equal(written.length, 4 * accepted.filter(Boolean).length)
})

void test('a failed write is reported, the chunk lost, the next write reopens', async (t) => {
  const dir = join(tempDir(t), 'logs')
  const path = join(dir, 'w.log')
  const errors: Error[] = []
  const f = createRotatingFile({
    path,
    maxBytes: 1 << 20,
    files: 2,
    maxQueueBytes: 1 << 20,
    onError: (e) => errors.push(e),
  })
  rmSync(dir, { recursive: true, force: true })
  f.write(Buffer.from('lost\n'))
  await f.flush()
  assert.equal(errors.length, 1)
  assert.match(errors[0]?.message ?? '', /ENOENT/)
  mkdirSync(dir)
  f.write(Buffer.from('kept\n'))
  await f.close()
  assert.equal(errors.length, 1)
  assert.equal(readFileSync(path, 'utf8'), 'kept\n')
})
