// Alerts delivered to a webhook on 127.0.0.1, raised by the real rules on the embedded
// engine: the generic JSON, ntfy and Gotify formats as received, one message per event,
// a failing endpoint retried a bounded number of times and counted, a refusing and an
// unreachable one, the rate limit, and a run that does not wait for the webhook.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { useMigratedEngine } from '../../support/engine.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import { talk } from '../../support/alert-flows.js'
import { createAlerts, type Alert, type Alerts } from '../../../dist/alerts/index.js'
import { newAlert } from '../../../dist/alerts/alert.js'
import { alertMetrics } from '../../../dist/alerts/metrics.js'
import { createWebhook } from '../../../dist/alerts/webhook.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { loadConfig } from '../../../dist/settings.js'

const ch = useMigratedEngine('alerts-webhook')
const NOW = Math.floor(Date.now() / 1000)

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}
const received: Received[] = []
/** Statuses each path answers in turn (the last one repeats); default 200. */
const plan = new Map<string, number[]>()
/** Requests to /hold wait here until the test answers them. */
const held: ServerResponse[] = []
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const path = req.url ?? ''
    received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
    if (path === '/hold') {
      held.push(res)
      return
    }
    const statuses = plan.get(path) ?? [200]
    const status = (statuses.length > 1 ? statuses.shift() : statuses[0]) ?? 200
    res.writeHead(status).end()
  })
})
let base = ''
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

let setUp: Promise<void> | undefined
const ready = (): Promise<void> => (setUp ??= ch.engine.prepareReader())
let offset = 0

/** A device's first flow to a country; a run of the rules with these settings. */
async function raiseFor(
  devices: { addr: string; name?: string; country: string }[],
  set: Record<string, unknown>,
): Promise<{ alerts: Alerts; raised: Alert[]; metrics: Registry }> {
  await ready()
  await insertFixtureFlows(
    ch.engine.client,
    devices.map((d) => talk({ device: d.addr, name: d.name ?? '', country: d.country, ago: 30 })),
    NOW,
  )
  const config = loadConfig({
    flags: new Map(),
    env: {},
    set: {
      'alerts.enabled': true,
      'alerts.learning_days': 0,
      'alerts.exporter_silence_minutes': 0,
      ...set,
    },
  }).alerts
  const metrics = new Registry()
  const alerts = createAlerts(config, {
    run: ch.engine.jobs,
    log: ch.log,
    metrics,
    retryDelayMs: 20,
  })
  offset += 10
  const raised = (await alerts.runNow(NOW + offset)) ?? []
  return { alerts, raised, metrics }
}

const requestsTo = (path: string): Received[] => received.filter((r) => r.path === path)
const count = (m: Registry, name: string, labels: Record<string, string> = {}): number =>
  m
    .read(name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0)
const delivery = async (id: string): Promise<string | undefined> =>
  (
    await ch.rows<{ delivery: string }>(
      `SELECT delivery FROM flowloft.alerts FINAL WHERE id = '${id.replace(/'/g, "\\'")}'`,
    )
  )[0]?.delivery

void test('json: the alert as JSON with the bearer token, one message per event', async () => {
  const { alerts, raised, metrics } = await raiseFor(
    [{ addr: '192.168.1.101', name: 'desk.lan', country: 'SE' }],
    {
      'alerts.webhook_url': `${base}/json`,
      'alerts.webhook_token': 'tok',
    },
  )
  await alerts.idle()
  const [a] = raised
  assert.ok(a)
  const [r, ...more] = requestsTo('/json')
  assert.ok(r)
  assert.equal(more.length, 0)
  assert.equal(r.headers['authorization'], 'Bearer tok')
  assert.equal(r.headers['content-type'], 'application/json')
  const body = JSON.parse(r.body) as Record<string, unknown>
  assert.equal(body['id'], a.id)
  assert.equal(body['kind'], 'new_destination')
  assert.equal(body['subject'], '192.168.1.101')
  assert.equal(body['subject_name'], 'desk.lan')
  assert.equal(body['title'], 'desk.lan talked to somewhere new')
  assert.equal(body['message'], 'desk.lan (192.168.1.101) talked for the first time to country SE.')
  assert.equal(body['time'], new Date(a.raised_at * 1000).toISOString())
  // The same flows again, and more of them: no second message.
  await insertFixtureFlows(
    ch.engine.client,
    [talk({ device: '192.168.1.101', country: 'SE', ago: 5 })],
    NOW,
  )
  assert.deepEqual(await alerts.runNow(NOW + offset + 5), [])
  await alerts.idle()
  assert.equal(requestsTo('/json').length, 1)
  assert.equal(await delivery(a.id), 'sent')
  assert.equal(count(metrics, 'flowloft_alerts_webhook_deliveries_total', { result: 'sent' }), 1)
})

void test('ntfy: the message as text, Title (RFC 2047 when not ASCII), Tags and Priority', async () => {
  const { alerts, raised } = await raiseFor(
    [{ addr: '192.168.1.102', name: 'télé-salon', country: 'IT' }],
    { 'alerts.webhook_url': `${base}/flowloft-home`, 'alerts.webhook_format': 'ntfy' },
  )
  await alerts.idle()
  const [a] = raised
  const [r] = requestsTo('/flowloft-home')
  assert.ok(a && r)
  assert.equal(r.body, a.message)
  assert.match(
    r.body,
    /^télé-salon \(192\.168\.1\.102\) talked for the first time to country IT\.$/,
  )
  const title = String(r.headers['title'])
  const word = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(title)
  assert.ok(word, `an RFC 2047 encoded word: ${title}`)
  assert.equal(
    Buffer.from(word[1] ?? '', 'base64').toString('utf8'),
    'télé-salon talked to somewhere new',
  )
  assert.equal(r.headers['priority'], '3')
  assert.equal(r.headers['tags'], 'globe_with_meridians,flowloft,new_destination')
  assert.match(String(r.headers['content-type']), /^text\/plain/)
  assert.equal(r.headers['authorization'], undefined, 'no token configured')
})

void test('gotify: title, message and priority as JSON, the token in X-Gotify-Key', async () => {
  const { alerts, raised } = await raiseFor([{ addr: '192.168.1.103', country: 'ES' }], {
    'alerts.webhook_url': `${base}/message`,
    'alerts.webhook_format': 'gotify',
    'alerts.webhook_token': 'AppToken',
  })
  await alerts.idle()
  const [a] = raised
  const [r] = requestsTo('/message')
  assert.ok(a && r)
  assert.equal(r.headers['x-gotify-key'], 'AppToken')
  const body = JSON.parse(r.body) as Record<string, unknown>
  assert.equal(body['title'], '192.168.1.103 talked to somewhere new')
  assert.equal(body['message'], a.message)
  assert.equal(body['priority'], 5)
})

void test('a user and password in the URL are sent as basic authentication', async () => {
  const { alerts } = await raiseFor([{ addr: '192.168.1.111', country: 'NO' }], {
    'alerts.webhook_url': base.replace('http://', 'http://flow%40loft:pa%20ss@') + '/basic',
    'alerts.webhook_format': 'gotify',
  })
  await alerts.idle()
  const [r] = requestsTo('/basic')
  assert.ok(r)
  assert.equal(
    r.headers['authorization'],
    `Basic ${Buffer.from('flow@loft:pa ss').toString('base64')}`,
  )
})

void test('a failing endpoint is retried until it answers, each failure counted', async () => {
  plan.set('/flaky', [503, 500, 200])
  const { alerts, raised, metrics } = await raiseFor([{ addr: '192.168.1.104', country: 'PT' }], {
    'alerts.webhook_url': `${base}/flaky`,
    'alerts.webhook_retries': 3,
  })
  await alerts.idle()
  assert.equal(requestsTo('/flaky').length, 3)
  assert.equal(count(metrics, 'flowloft_alerts_webhook_requests_total', { result: 'failed' }), 2)
  assert.equal(count(metrics, 'flowloft_alerts_webhook_requests_total', { result: 'ok' }), 1)
  assert.equal(count(metrics, 'flowloft_alerts_webhook_retries_total'), 2)
  assert.equal(count(metrics, 'flowloft_alerts_webhook_deliveries_total', { result: 'sent' }), 1)
  assert.equal(await delivery(raised[0]?.id ?? ''), 'sent')
})

void test('an endpoint that keeps failing gets the bounded retries, then the alert fails', async () => {
  plan.set('/down', [503])
  const { alerts, raised, metrics } = await raiseFor([{ addr: '192.168.1.105', country: 'GR' }], {
    'alerts.webhook_url': `${base}/down`,
    'alerts.webhook_retries': 2,
  })
  await alerts.idle()
  assert.equal(requestsTo('/down').length, 3, 'one attempt and two retries')
  assert.equal(count(metrics, 'flowloft_alerts_webhook_retries_total'), 2)
  assert.equal(count(metrics, 'flowloft_alerts_webhook_deliveries_total', { result: 'failed' }), 1)
  assert.equal(await delivery(raised[0]?.id ?? ''), 'failed')
})

void test('a refusal (4xx) is not retried; an unreachable endpoint is', async () => {
  plan.set('/gone', [404])
  const refused = await raiseFor([{ addr: '192.168.1.106', country: 'AT' }], {
    'alerts.webhook_url': `${base}/gone`,
  })
  await refused.alerts.idle()
  assert.equal(requestsTo('/gone').length, 1)
  assert.equal(
    count(refused.metrics, 'flowloft_alerts_webhook_requests_total', { result: 'refused' }),
    1,
  )
  assert.equal(count(refused.metrics, 'flowloft_alerts_webhook_retries_total'), 0)
  assert.equal(await delivery(refused.raised[0]?.id ?? ''), 'failed')

  // A port nothing listens on: connection refused, retried once.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const unreachable = await raiseFor([{ addr: '192.168.1.107', country: 'CH' }], {
    'alerts.webhook_url': `http://127.0.0.1:${port}/x`,
    'alerts.webhook_retries': 1,
  })
  await unreachable.alerts.idle()
  assert.equal(
    count(unreachable.metrics, 'flowloft_alerts_webhook_requests_total', { result: 'failed' }),
    2,
  )
  assert.equal(
    count(unreachable.metrics, 'flowloft_alerts_webhook_deliveries_total', { result: 'failed' }),
    1,
  )
  assert.equal(await delivery(unreachable.raised[0]?.id ?? ''), 'failed')
})

void test('over alerts.max_per_hour an alert is recorded and counted, not sent', async () => {
  const { alerts, raised, metrics } = await raiseFor(
    [
      { addr: '192.168.1.108', country: 'BE' },
      { addr: '192.168.1.109', country: 'LU' },
    ],
    { 'alerts.webhook_url': `${base}/limited`, 'alerts.max_per_hour': 1 },
  )
  await alerts.idle()
  assert.equal(raised.length, 2)
  assert.equal(requestsTo('/limited').length, 1)
  const outcomes = await Promise.all(raised.map((a) => delivery(a.id)))
  assert.deepEqual(outcomes.sort(), ['rate_limited', 'sent'])
  assert.equal(
    count(metrics, 'flowloft_alerts_webhook_deliveries_total', { result: 'rate_limited' }),
    1,
  )
  assert.equal(count(metrics, 'flowloft_alerts_raised_total', { kind: 'new_destination' }), 2)
})

void test('a run does not wait for the webhook', async () => {
  const { alerts, raised } = await raiseFor([{ addr: '192.168.1.110', country: 'DK' }], {
    'alerts.webhook_url': `${base}/hold`,
  })
  // The run is over while the endpoint has not answered.
  const [a] = raised
  assert.ok(a)
  assert.equal(await delivery(a.id), 'pending')
  while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  held.shift()?.writeHead(200).end()
  await alerts.idle()
  assert.equal(await delivery(a.id), 'sent')
})

void test('stopping drops the alerts not tried yet, counted; the one in flight finishes', async () => {
  const { alerts, raised, metrics } = await raiseFor(
    [
      { addr: '192.168.1.112', country: 'FI' },
      { addr: '192.168.1.113', country: 'IS' },
    ],
    { 'alerts.webhook_url': `${base}/hold` },
  )
  assert.equal(raised.length, 2)
  while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  const stopping = alerts.stop()
  held.shift()?.writeHead(200).end()
  await stopping
  const outcomes = await Promise.all(raised.map((a) => delivery(a.id)))
  assert.deepEqual(outcomes.sort(), ['dropped', 'sent'])
  assert.equal(count(metrics, 'flowloft_alerts_webhook_deliveries_total', { result: 'dropped' }), 1)
  assert.equal(held.length, 0, 'the second was never sent')
})

void test('after the rate limit, the next message says how many were held back', async () => {
  let clock = Date.now()
  const settled: string[] = []
  const hook = createWebhook({
    webhook: { url: `${base}/counted`, format: 'json', token: '', retries: 0 },
    maxPerHour: 1,
    clock: () => clock,
    log: ch.log,
    metrics: alertMetrics(new Registry()),
    settled: (a, d) => settled.push(`${a.subject} ${d}`),
  })
  const alert = (subject: string) =>
    newAlert(
      {
        kind: 'exporter_silent',
        event_key: subject,
        subject,
        subject_name: '',
        title: `Exporter ${subject} is silent`,
        message: `Exporter ${subject} has sent no flows for 20 minutes.`,
        details: {},
      },
      Math.floor(clock / 1000),
    )
  for (const s of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) hook.send(alert(s))
  await hook.idle()
  clock += 3_600_001
  hook.send(alert('192.0.2.4'))
  await hook.idle()
  assert.deepEqual(settled, [
    '192.0.2.1 sent',
    '192.0.2.2 rate_limited',
    '192.0.2.3 rate_limited',
    '192.0.2.4 sent',
  ])
  const messages = requestsTo('/counted').map(
    (r) => (JSON.parse(r.body) as { message: string }).message,
  )
  assert.deepEqual(messages, [
    'Exporter 192.0.2.1 has sent no flows for 20 minutes.',
    'Exporter 192.0.2.4 has sent no flows for 20 minutes.\n(2 earlier alerts were not sent: over alerts.max_per_hour; see /api/alerts)',
  ])
  await hook.stop()
})
