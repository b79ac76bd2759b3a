// A cap on a device name whose device is away for days: names come from the last day's
// flows, so meanwhile the name matches no address and the cap's usage is not all
// known. Its alert stays raised (not resolved), and when the device is back it is not
// raised a second time in the cycle (docs/usage.md: "Neither is raised again in this
// cycle"). A cap whose devices are all known still ends when a larger cap puts it back
// under its level. A cap on an IPv6 device with no traffic in the cycle lists the
// device as the config wrote it, and /api/usage/cycle?device= shows it for the device.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createAlerts, type Alert } from '../../../dist/alerts/index.js'
import { ALERTS } from '../../../dist/alerts/config.js'
import { loadSection } from '../../../dist/config/index.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { usageCycleRoutes } from '../../../dist/api/usage-cycle.js'
import { createUsage, type Usage } from '../../../dist/usage/index.js'
import { USAGE } from '../../../dist/usage/config.js'
import { useMigratedEngine } from '../../support/engine.js'

const ch = useMigratedEngine('usage-cap-away')
const utc = (iso: string): number => Date.parse(iso) / 1000
const LAPTOP = '192.168.1.30'
/** A Sunday in the cycle that began on the 15th (Berlin). */
const T0 = utc('2031-03-16T10:00:00Z')

async function laptopSends(t: number, bytes: number): Promise<void> {
  await ch.engine.client.command({
    query: `INSERT INTO flowloft.flows (time_received, exporter, src_addr, dst_addr, src_port,
        dst_port, proto, direction, bytes, packets, src_host)
      VALUES (toDateTime(${t}), toIPv6('::ffff:192.168.1.1'), toIPv6('::ffff:${LAPTOP}'),
        toIPv6('::ffff:203.0.113.9'), 50000, 443, 6, 'outbound', ${bytes}, 1, 'laptop.lan')`,
  })
}

function usageWith(caps: Record<string, string>): Usage {
  const set = {
    'usage.cycle_start_day': 15,
    'usage.timezone': 'Europe/Berlin',
    'usage.device_caps': caps,
  }
  return createUsage(loadSection(USAGE, { flags: new Map(), env: {}, set }), {
    run: ch.engine.jobs,
    log: ch.log,
    metrics: new Registry(),
  })
}

function rules(caps: Record<string, string>): ReturnType<typeof createAlerts> {
  const usage = usageWith(caps)
  const alerts = loadSection(ALERTS, { flags: new Map(), env: {}, set: { 'alerts.enabled': true } })
  return createAlerts(alerts, {
    run: ch.engine.jobs,
    log: ch.log,
    metrics: new Registry(),
    usage: (now) => usage.read(now),
  })
}

const capped = (xs: Alert[] | undefined): string[] =>
  (xs ?? []).filter((a) => a.kind === 'usage_cap').map((a) => a.event_key)

async function stored(): Promise<Array<{ key: string; resolved: number }>> {
  return ch.rows(
    `SELECT event_key AS key, toUnixTimestamp(resolved_at) AS resolved FROM flowloft.alerts FINAL
      WHERE kind = 'usage_cap' ORDER BY raised_at, event_key`,
  )
}

void test('a named device away for days keeps its cap alert, not raised again on its return', async () => {
  await ch.engine.prepareReader()
  const alerts = rules({ laptop: '1 GB' })
  await laptopSends(T0, 900_000_000)
  const cycle = utc('2031-03-14T23:00:00Z')
  assert.deepEqual(capped(await alerts.runNow(T0 + 3600)), [`device:laptop:80:${cycle}`])
  // Two days without a flow: "laptop" matches no address now.
  assert.deepEqual(capped(await alerts.runNow(T0 + 2 * 86400)), [])
  await alerts.idle()
  assert.deepEqual(await stored(), [{ key: `device:laptop:80:${cycle}`, resolved: 0 }])
  // Back with 1 kB: still the one alert.
  await laptopSends(T0 + 2 * 86400 + 60, 1000)
  assert.deepEqual(capped(await alerts.runNow(T0 + 2 * 86400 + 600)), [])
  await alerts.idle()
  assert.deepEqual(await stored(), [{ key: `device:laptop:80:${cycle}`, resolved: 0 }])
  // A larger cap (the device known again): the level ends.
  const larger = rules({ laptop: '10 GB' })
  await larger.runNow(T0 + 2 * 86400 + 700)
  await larger.idle()
  const [after] = await stored()
  assert.equal(after?.key, `device:laptop:80:${cycle}`)
  assert.ok((after?.resolved ?? 0) > 0, 'resolved once the usage is known to be under the level')
})

void test('a cap on an IPv6 device without traffic is listed for that device', async () => {
  await ch.engine.prepareReader()
  const api = usageCycleRoutes(ch.engine, usageWith({ 'fd00::30': '1 GB' }))
  const at = T0 + 3 * 86400
  const cycle = async (q: string): Promise<{ caps: Array<{ id: string; devices: string[] }> }> => {
    const r = await api.request(`/api/usage/cycle?at=${at}${q}`)
    assert.equal(r.status, 200, await r.clone().text())
    return (await r.json()) as { caps: Array<{ id: string; devices: string[] }> }
  }
  const all = await cycle('')
  assert.deepEqual(
    all.caps.map((c) => [c.id, c.devices]),
    [['device:fd00::30', ['fd00::30']]],
  )
  for (const device of ['fd00::30', 'fd00:0:0:0:0:0:0:30', 'FD00::0030'])
    assert.deepEqual(
      (await cycle(`&device=${encodeURIComponent(device)}`)).caps.map((c) => c.id),
      ['device:fd00::30'],
      device,
    )
})
