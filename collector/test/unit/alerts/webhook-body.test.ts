// The webhook bodies: generic JSON, ntfy (text and headers, the title RFC 2047 encoded
// when it is not ASCII) and Gotify's message JSON.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newAlert } from '../../../dist/alerts/alert.js'
import { headerText, webhookRequest } from '../../../dist/alerts/webhook-body.js'

const alert = newAlert(
  {
    kind: 'exporter_silent',
    event_key: '192.168.1.1',
    subject: '192.168.1.1',
    subject_name: 'routeur-café',
    title: 'Exporter routeur-café is silent',
    message: 'Exporter routeur-café (192.168.1.1) has sent no flows for 20 minutes.',
    details: { last_seen: 1_700_000_000 },
  },
  1_700_001_200,
)

/** An RFC 2047 encoded word, decoded (as ntfy does). */
const decodeWord = (s: string): string => {
  const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(s)
  return m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : s
}

void test('json: the alert, with a bearer token when one is set', () => {
  const r = webhookRequest(alert, 'json', 'secret')
  assert.equal(r.headers['authorization'], 'Bearer secret')
  assert.equal(r.headers['content-type'], 'application/json')
  assert.deepEqual(JSON.parse(r.body), {
    id: 'exporter_silent:192.168.1.1:1700001200',
    time: '2023-11-14T22:33:20.000Z',
    kind: 'exporter_silent',
    subject: '192.168.1.1',
    subject_name: 'routeur-café',
    title: alert.title,
    message: alert.message,
    details: { last_seen: 1_700_000_000 },
  })
  assert.equal(webhookRequest(alert, 'json', '').headers['authorization'], undefined)
})

void test('ntfy: the message as text, the title in a header that stays ASCII', () => {
  const r = webhookRequest(alert, 'ntfy', '')
  assert.equal(r.body, alert.message)
  const title = r.headers['title'] ?? ''
  assert.match(title, /^[\x20-\x7e]+$/, 'only printable ASCII in a header')
  assert.equal(decodeWord(title), alert.title)
  assert.equal(r.headers['priority'], '4')
  assert.equal(r.headers['tags'], 'warning,flowloft,exporter_silent')
  assert.equal(headerText('plain title'), 'plain title', 'ASCII stays as it is')
})

void test('gotify: title, message, priority; the token in X-Gotify-Key', () => {
  const r = webhookRequest(alert, 'gotify', 'AbC')
  assert.equal(r.headers['x-gotify-key'], 'AbC')
  assert.equal(r.headers['authorization'], undefined)
  const body = JSON.parse(r.body) as Record<string, unknown>
  assert.equal(body['title'], alert.title)
  assert.equal(body['message'], alert.message)
  assert.equal(body['priority'], 8)
})
