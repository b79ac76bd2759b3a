// The alerts in a running collector, as main.ts wires them: NetFlow v5 over UDP from a
// home device to a public address and to a private one outside the home prefix; the
// scheduled rules raise one alert (the private range's label is no country), the webhook
// on 127.0.0.1 receives it, and /api/alerts and /metrics show it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendUdp } from '../../support/exporters.js'
import { v5Now } from '../../support/netflow5.js'
import { eventually, metricValue, startTestService } from '../../support/service.js'

void test('a running collector alerts on a device talking somewhere new', async (t) => {
  const bodies: Record<string, unknown>[] = []
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
  t.after(() => hook.close())
  const svc = await startTestService({
    'enrich.local_prefixes': ['192.168.1.0/24'],
    'enrich.host_aliases': { '192.168.1.10': 'nas' },
    'alerts.enabled': true,
    'alerts.learning_days': 0,
    'alerts.check_schedule': '* * * * * *',
    'alerts.webhook_url': `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
  })
  t.after(() => svc.stop())
  await sendUdp(svc.netflowPort, [
    v5Now([
      { src: '192.168.1.10', dst: '8.8.8.8', proto: 17, dstPort: 53 },
      { src: '192.168.1.10', dst: '10.9.9.9', proto: 6, dstPort: 443 },
    ]),
  ])
  await eventually(() => Promise.resolve(bodies.length > 0), 30_000)
  const [body] = bodies
  assert.equal(body?.['kind'], 'new_destination')
  assert.equal(body['subject'], '192.168.1.10')
  assert.equal(body['subject_name'], 'nas')
  assert.equal(
    body['message'],
    'nas (192.168.1.10) talked for the first time to country US, AS15169 Google LLC.',
  )
  // The console learns from /api/status that alerts are on, and the learning period.
  const status = (await (await fetch(`${svc.httpBase}/api/status`)).json()) as { alerts: unknown }
  assert.deepEqual(status.alerts, { enabled: true, learning_days: 0 })
  const api = await fetch(`${svc.httpBase}/api/alerts`)
  assert.equal(api.status, 200)
  const { alerts } = (await api.json()) as { alerts: { id: string; delivery: string }[] }
  assert.deepEqual(
    alerts.map((a) => a.id),
    [body['id']],
  )
  await eventually(async () => {
    const m = await svc.metrics()
    return metricValue(m, 'flowloft_alerts_webhook_deliveries_total{result="sent"}') === 1
  })
  const m = await svc.metrics()
  assert.equal(metricValue(m, 'flowloft_alerts_raised_total{kind="new_destination"}'), 1)
  // The schedule keeps running: still one alert, one message.
  const runs = metricValue(m, 'flowloft_alerts_runs_total{result="ok"}')
  await eventually(
    async () =>
      metricValue(await svc.metrics(), 'flowloft_alerts_runs_total{result="ok"}') >= runs + 2,
  )
  assert.equal(bodies.length, 1)
})
