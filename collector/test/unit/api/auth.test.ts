// HMAC and bearer middleware: good requests pass with their body intact; wrong keys,
// tampered bodies or paths, stale or future timestamps and replays are refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import {
  bearerAuth,
  hmacAuth,
  safeEqual,
  signRequest,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../../../dist/api/auth.js'
import { createNonceStore } from '../../../dist/api/nonce-store.js'

const KEY = 'k3y-for-tests'

function app(now: () => number): Hono {
  const a = new Hono()
  a.use('/api/senders/*', hmacAuth({ key: KEY, windowSeconds: 300, now }))
  a.use('/api/admin/*', bearerAuth('s3cret-token'))
  a.post('/api/senders/add', async (c) => c.json({ got: await c.req.text() }))
  a.post('/api/admin/x', (c) => c.json({ ok: true }))
  a.onError((err, c) =>
    err instanceof HTTPException ? c.json({ error: err.message }, err.status) : c.json({}, 500),
  )
  return a
}

function signed(path: string, body: string, ts: number, key = KEY): Request {
  return new Request(`http://h${path}`, {
    method: 'POST',
    body,
    headers: {
      [TIMESTAMP_HEADER]: String(ts),
      [SIGNATURE_HEADER]: signRequest(key, 'POST', path, ts, body),
    },
  })
}

void test('hmac: signed requests pass once; anything altered, stale or replayed is 401', async () => {
  let clock = 1_750_000_000
  const a = app(() => clock)
  const body = '{"address":"192.0.2.10"}'
  const ok = await a.request(signed('/api/senders/add?x=1', body, clock))
  assert.equal(ok.status, 200)
  assert.deepEqual(await ok.json(), { got: body })

  const replay = await a.request(signed('/api/senders/add?x=1', body, clock))
  assert.equal(replay.status, 401, 'replayed')

  const cases: [string, Request][] = [
    ['wrong key', signed('/api/senders/add', body, clock, 'other')],
    ['stale', signed('/api/senders/add', body, clock - 301)],
    ['future', signed('/api/senders/add', body, clock + 301)],
    ['no headers', new Request('http://h/api/senders/add', { method: 'POST', body })],
  ]
  const tampered = signed('/api/senders/add', body, clock + 1)
  cases.push([
    'tampered body',
    new Request('http://h/api/senders/add', {
      method: 'POST',
      body: body.replace('10', '11'),
      headers: tampered.headers,
    }),
  ])
  const moved = signed('/api/senders/add', body, clock + 2)
  cases.push([
    'other path',
    new Request('http://h/api/senders/add?admin=1', {
      method: 'POST',
      body,
      headers: moved.headers,
    }),
  ])
  for (const [name, req] of cases) {
    const r = await a.request(req)
    assert.equal(r.status, 401, name)
    assert.deepEqual(await r.json(), { error: 'unauthorized' }, name)
  }
  // Within the window the clock may differ either way.
  clock += 10
  assert.equal((await a.request(signed('/api/senders/add', body, clock - 299))).status, 200)
})

void test('bearer: only the configured token passes', async () => {
  const a = app(() => 0)
  const req = (auth?: string): Request =>
    new Request('http://h/api/admin/x', {
      method: 'POST',
      headers: auth === undefined ? {} : { authorization: auth },
    })
  assert.equal((await a.request(req('Bearer s3cret-token'))).status, 200)
  for (const bad of [undefined, '', 'Bearer', 'Bearer s3cret-toke', 'Basic s3cret-token']) {
    const r = await a.request(req(bad))
    assert.equal(r.status, 401, String(bad))
    assert.equal(r.headers.get('www-authenticate'), 'Bearer')
  }
  assert.equal(safeEqual('abc', 'abc'), true)
  assert.equal(safeEqual('abc', 'abcd'), false)
})

void test('hmac: at most 30 s ahead; a signature stays used across instances sharing a nonce file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-nonce-'))
  const file = join(dir, 'hmac-nonces.json')
  const clock = 1_750_000_000
  const make = (): Hono => {
    const a = new Hono()
    const nonces = createNonceStore({ file, windowSeconds: 330 })
    a.use('/api/senders/*', hmacAuth({ key: KEY, windowSeconds: 300, nonces, now: () => clock }))
    a.post('/api/senders/add', (c) => c.json({}))
    return a
  }
  const body = '{}'
  const a = make()
  assert.equal((await a.request(signed('/api/senders/add', body, clock + 31))).status, 401)
  assert.equal((await a.request(signed('/api/senders/add', body, clock + 60))).status, 401)
  assert.equal((await a.request(signed('/api/senders/add', body, clock + 10))).status, 200)
  assert.equal((await a.request(signed('/api/senders/add', body, clock + 30))).status, 200)
  // A restart: a new instance reads the file and refuses both signatures.
  const b = make()
  assert.equal((await b.request(signed('/api/senders/add', body, clock + 10))).status, 401)
  assert.equal((await b.request(signed('/api/senders/add', body, clock + 30))).status, 401)
  rmSync(dir, { recursive: true, force: true })
})
