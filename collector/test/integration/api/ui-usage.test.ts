// The console's usage in headless Debian chromium on a home network's flows: a device's
// page shows its bytes this cycle and the caps that count it (a meter amber past 80%,
// red past 100%), the Usage view lists the caps and the devices by their cycle bytes, and
// the alerts page lists the caps' alerts (a group's linked to the Usage view).
// Screenshots: test-output/ui/{usage-device,usage-view,usage-alerts}.png.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { homeNetworkFlows } from '../../support/home-network.js'
import { requireTools } from '../../support/tools.js'
import { SHOTS, startUiSession, webUnits } from '../../support/ui-session.js'

const cells = (page: Page, table: string): Promise<string[][]> =>
  page.evaluate<string[][]>(
    `[...document.querySelectorAll('${table} tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim()))`,
  )

const TV = '192.168.1.20'
const LAPTOP = '192.168.1.30'

/** Bytes of a device to and from the internet in the fixture. */
function internet(addr: string): number {
  let n = 0
  for (const f of homeNetworkFlows())
    if (
      (f.direction === 'inbound' && f.dst_addr === addr) ||
      (f.direction === 'outbound' && f.src_addr === addr)
    )
      n += f.bytes
  return n
}

void test(
  'usage and caps on the device page and the usage view',
  { timeout: 180_000 },
  async (t) => {
    if (!requireTools(t, 'chromium')) return
    const tv = internet(TV)
    const laptop = internet(LAPTOP)
    assert.ok(tv > 0 && laptop > 0)
    const tvCap = Math.ceil(tv / 0.85)
    const groupCap = Math.floor((tv + laptop) / 1.2)
    // A cycle that began five days ago, so the fixture's last half hour is all in it.
    const startDay = new Date(Date.now() - 5 * 86400_000).getUTCDate()
    const ui = await startUiSession(t, {
      'usage.timezone': 'UTC',
      'usage.cycle_start_day': startDay,
      'usage.cap': '10 TB',
      'usage.device_caps': { 'living-room-tv': tvCap },
      'usage.groups': { living: { devices: [TV, LAPTOP, 'ghost'], cap: groupCap } },
      'alerts.enabled': true,
      // No scheduled run in the test's time: the cap alerts' subtest runs the rules itself.
      'alerts.check_schedule': '0 0 1 1 *',
    })
    const { bytes } = await webUnits()

    await t.test("a device's page: this cycle and its caps", async () => {
      const page = await ui.open(`/?view=device&device=${TV}`)
      const periods = await cells(page, '#usage-periods')
      assert.deepEqual(
        periods.map((r) => r[0]),
        ['today', 'this week', 'this cycle', 'previous cycle'],
      )
      assert.equal(periods[2]?.[3], bytes(tv))
      assert.equal(periods[3]?.[3], bytes(0))
      const caps = await cells(page, '#usage-caps')
      assert.deepEqual(
        caps.map((r) => r[0]),
        ['all devices', 'living-room-tv', 'group living'],
      )
      // Percent of the cap, to two decimals.
      const percent = Math.round((tv / tvCap) * 10_000) / 100
      assert.ok(percent >= 80 && percent < 100, String(percent))
      assert.equal(caps[1]?.[2], `${bytes(tv)} of ${bytes(tvCap)} · ${percent}%`)
      assert.equal(caps[2]?.[1], `${TV}, ${LAPTOP}, ghost (not seen)`)
      assert.equal(await page.locator('#usage-caps .cap-text.near').count(), 1)
      assert.equal(await page.locator('#usage-caps .cap-text.over').count(), 1)
      await page.screenshot({ path: join(SHOTS, 'usage-device.png'), fullPage: true })
      await page.close()
    })

    await t.test('the usage view: caps, then devices by this cycle', async () => {
      const page = await ui.open('/?view=usage')
      assert.equal(await page.locator('#traffic-card').isVisible(), false)
      const rows = await cells(page, '#usage-list')
      assert.equal(rows[0]?.[0], 'all devices')
      const cycle = rows.slice(1).map((r) => r[3])
      assert.ok(cycle.length >= 3, JSON.stringify(rows))
      const tvRow = rows.find((r) => r[0] === 'living-room-tv')
      assert.equal(tvRow?.[3], bytes(tv))
      assert.match(tvRow?.[5] ?? '', /%/)
      assert.equal((await cells(page, '#usage-list-caps')).length, 3)
      await page.screenshot({ path: join(SHOTS, 'usage-view.png'), fullPage: true })
      await page.close()
    })
    await t.test('cap alerts on the alerts page, a group linked to the usage view', async () => {
      const rules = ui.svc.service.alerts
      assert.ok(rules, 'alerts are on')
      const raised = await rules.runNow()
      assert.ok(raised, 'a run of the rules was already going')
      await rules.idle()
      // The TV's cap at 80% (not 100%), the group's at 80% and 100%, the 10 TB cap at none.
      const caps = raised.filter((a) => a.kind === 'usage_cap')
      assert.deepEqual(caps.map((a) => `${a.subject}:${String(a.details['level'])}`).sort(), [
        `${TV}:80`,
        'living:100',
        'living:80',
      ])
      const page = await ui.open('/?view=alerts&kind=usage_cap')
      assert.equal(await page.locator('#alerts-kind').inputValue(), 'usage_cap')
      const rows = await cells(page, '#alerts')
      assert.equal(rows.length, 3, JSON.stringify(rows))
      for (const r of rows) assert.equal(r[1], 'data cap')
      assert.deepEqual(
        rows
          .filter((r) => r[2] === 'group living')
          .map((r) => r[3]?.split(':')[0])
          .sort(),
        ['past 100%', 'past 80%'],
      )
      const tvRow = rows.find((r) => r[2]?.startsWith('living-room-tv'))
      assert.match(
        tvRow?.[3] ?? '',
        new RegExp(`^past 80%: .* of the ${bytes(tvCap)} cap this billing cycle \\(8\\d`),
      )
      const group = page.locator('#alerts a.pick', { hasText: 'group living' }).first()
      assert.equal(await group.getAttribute('href'), '?view=usage')
      const tv = page.locator('#alerts a.pick', { hasText: 'living-room-tv' }).first()
      assert.match((await tv.getAttribute('href')) ?? '', /view=device&device=192\.168\.1\.20/)
      await page.screenshot({ path: join(SHOTS, 'usage-alerts.png'), fullPage: true })
      await page.close()
    })
    assert.deepEqual(ui.errors, [])
    assert.deepEqual(ui.foreign, [])
  },
)
