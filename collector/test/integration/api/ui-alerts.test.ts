// The alerts in the console, in headless Debian chromium, raised by the product's own
// rules (the collector's alerts.runNow, what the schedule runs) on a home network's
// flows: before any alert the page says none yet (the learning period); then the laptop
// and the phone, known for two days, talk to a new country and AS, the TV moves more than
// alerts.device_bytes_per_hour, and an access point stops exporting (and later sends
// again, which ends its alert). The alerts page lists them as /api/alerts does, newest
// first, linked to the device, country, AS and exporter pages, filtered by kind and device
// in the URL (reload, back); the nav counts them; a device page shows its own or "none".
// Screenshots: test-output/ui/{alerts-none,alerts,alerts-phone,alerts-dark,
// device-alerts,device-alerts-phone}.png.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { Alert } from '../../../dist/alerts/index.js'
import { talk } from '../../support/alert-flows.js'
import { insertFixtureFlows } from '../../support/fixture-flows.js'
import { requireTools } from '../../support/tools.js'
import { cells, reloadsAfter, SHOTS, startUiSession, webUnits } from '../../support/ui-session.js'

const DAY = 86_400
const LAPTOP = '192.168.1.30'
const PHONE = '2001:db8:1::40'
const TV = '192.168.1.20'
const NAS = '192.168.1.50'
/** An access point's exporter, silent for two hours. */
const AP = '192.168.1.3'
const KINDS: Record<string, string> = {
  new_destination: 'new destination',
  device_volume: 'volume',
  exporter_silent: 'exporter silent',
}

const params = (page: Page): URLSearchParams => new URL(page.url()).searchParams
const hrefParams = async (page: Page, selector: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    new URLSearchParams(((await page.locator(selector).getAttribute('href')) ?? '').split('?')[1]),
  )
const overflow = (page: Page): Promise<number> =>
  page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  )

void test('alerts in the console in chromium', { timeout: 300_000 }, async (t) => {
  if (!requireTools(t, 'chromium')) return
  const ui = await startUiSession(t, {
    'alerts.enabled': true,
    'alerts.learning_days': 1,
    // No scheduled run in the test's time: it runs the rules itself.
    'alerts.check_schedule': '0 0 1 1 *',
    'alerts.device_bytes_per_hour': 150_000_000,
    'alerts.exporter_silence_minutes': 15,
  })
  const { bytes } = await webUnits()
  const client = ui.svc.service.engine.client
  const rules = ui.svc.service.alerts
  const runRules = async (): Promise<Alert[]> => {
    const raised = await rules.runNow()
    assert.ok(raised, 'a run of the rules was already going')
    await rules.idle()
    return raised
  }
  const apiAlerts = async (q = ''): Promise<Alert[]> => {
    const r = await fetch(`${ui.svc.httpBase}/api/alerts${q}`)
    assert.equal(r.status, 200)
    return ((await r.json()) as { alerts: Alert[] }).alerts
  }

  await t.test('no alert yet: the page says the devices are being learned', async () => {
    const page = await ui.open('/?view=alerts')
    assert.equal(await page.locator('#alerts-card').isVisible(), true)
    assert.equal(await page.locator('#traffic-card').isVisible(), false)
    assert.equal(await page.locator('#ranges').isVisible(), false, 'the range does not apply')
    const text = await page.locator('#alerts-state').innerText()
    assert.match(text, /No alerts yet/)
    assert.match(text, /for 1 day after its first flow \(alerts\.learning_days\)/)
    assert.equal(await page.locator('#alerts tbody tr').count(), 0)
    assert.equal(await page.locator('#alerts-filter').isVisible(), false, 'nothing to filter')
    assert.equal(await page.locator('#alerts-count').isVisible(), false)
    await page.screenshot({ path: join(SHOTS, 'alerts-none.png'), fullPage: true })
    await page.close()
  })

  await t.test('the rules raise four alerts; one ends', async () => {
    await insertFixtureFlows(client, [
      // Two days ago: the laptop and the phone are past their learning period, and where
      // they go today (Germany, AS64500; the Netherlands, AS64497) is known.
      talk({
        device: LAPTOP,
        name: 'laptop.lan',
        remote: '203.0.113.7',
        country: 'DE',
        as: 64500,
        ago: 2 * DAY,
      }),
      talk({
        device: PHONE,
        name: 'phone.lan',
        remote: '2001:db8:ff::1',
        country: 'NL',
        as: 64497,
        ago: 2 * DAY,
      }),
      // Today each talks somewhere new.
      talk({
        device: LAPTOP,
        name: 'laptop.lan',
        remote: '203.0.113.50',
        country: 'SG',
        as: 64510,
        asName: 'EXAMPLE-FAR',
        ago: 120,
      }),
      talk({
        device: PHONE,
        name: 'phone.lan',
        remote: '2001:db8:fe::1',
        country: 'JP',
        as: 64511,
        asName: 'EXAMPLE-GAMES',
        ago: 150,
      }),
      // The access point exported two hours ago, and nothing since.
      talk({ device: NAS, exporter: AP, ago: 7200 }),
    ])
    // The first run learns the history (the two days) and checks the last hour: the TV
    // and the NAS are new, so still learned quietly.
    const raised = await runRules()
    assert.deepEqual(raised.map((a) => `${a.kind} ${a.subject}`).sort(), [
      `device_volume ${TV}`,
      `exporter_silent ${AP}`,
      `new_destination ${LAPTOP}`,
      `new_destination ${PHONE}`,
    ])
    // The access point sends again: its alert ends, the others last or were once.
    await insertFixtureFlows(client, [talk({ device: NAS, exporter: AP, ago: 20 })])
    assert.deepEqual(await runRules(), [])
    const ap = (await apiAlerts(`?subject=${AP}`))[0]
    assert.ok(ap && ap.resolved_at > 0, 'the silent exporter alert ended')
  })

  await t.test('the alerts page, one click from the nav: rows, links, count', async () => {
    const api = await apiAlerts()
    assert.equal(api.length, 4)
    const page = await ui.open('/')
    assert.equal(await page.locator('#alerts-count').innerText(), '4')
    await reloadsAfter(page, () => page.click('#views a[data-view="alerts"]'))
    assert.equal(params(page).get('view'), 'alerts')
    assert.equal(await page.title(), 'Alerts · flowloft')
    assert.match(await page.locator('#alerts-note').innerText(), /^4 alerts, newest first/)
    const rows = await cells(page, '#alerts')
    // The API's order (newest first), each row its kind and subject.
    assert.deepEqual(
      rows.map((r) => [r[1], r[2]?.split(' ').pop()]),
      api.map((a) => [KINDS[a.kind], a.subject]),
    )
    for (const r of rows) assert.match(r[0] ?? '', /\d/, 'a time')
    const row = (subject: string): string[] =>
      rows.find((r) => r[2]?.endsWith(subject)) ?? assert.fail(`no row of ${subject}`)
    // The laptop: its name and address, linked to its page; the new country and AS, linked.
    assert.deepEqual(row(LAPTOP).slice(2), [
      `laptop.lan ${LAPTOP}`,
      'first time to Singapore, AS64510 EXAMPLE-FAR',
      '',
    ])
    assert.equal(row(PHONE)[3], 'first time to Japan, AS64511 EXAMPLE-GAMES')
    const laptop = `#alerts tbody tr:has-text("${LAPTOP}")`
    assert.deepEqual(await hrefParams(page, `${laptop} a[href*="view=device"]`), {
      view: 'device',
      device: LAPTOP,
    })
    assert.deepEqual(await hrefParams(page, `${laptop} a:text-is("Singapore")`), {
      view: 'country',
      country: 'SG',
    })
    assert.deepEqual(await hrefParams(page, `${laptop} a:text-is("AS64510 EXAMPLE-FAR")`), {
      view: 'as',
      as: '64510',
    })
    // The TV: its bytes as the rule counted them, still over the threshold.
    const tv = api.find((a) => a.subject === TV)?.details as Record<string, number>
    assert.deepEqual(row(TV).slice(2), [
      `living-room-tv ${TV}`,
      `${bytes(tv['bytes'] ?? 0)} in an hour (${bytes(tv['bytes_in'] ?? 0)} in, ${bytes(tv['bytes_out'] ?? 0)} out), over ${bytes(150_000_000)}`,
      'ongoing',
    ])
    // The access point: linked to the exporter's page, ended.
    assert.match(row(AP)[3] ?? '', /^no flows since \d/)
    assert.match(row(AP)[4] ?? '', /^ended \d/)
    assert.deepEqual(
      await hrefParams(page, `#alerts tbody tr:has-text("${AP}") a[href*="view=exporter"]`),
      { view: 'exporter', exporter: AP },
    )
    await page.screenshot({ path: join(SHOTS, 'alerts.png'), fullPage: true })
    // A country link opens its page.
    await reloadsAfter(page, () => page.click(`${laptop} a:text-is("Singapore")`))
    assert.equal(params(page).get('view'), 'country')
    assert.equal(await page.locator('#page-name').innerText(), 'Singapore')
    await page.close()
  })

  await t.test('filters by kind and device, in the URL', async () => {
    const page = await ui.open('/?view=alerts')
    await reloadsAfter(page, () => page.selectOption('#alerts-kind', 'new_destination'))
    assert.equal(params(page).get('kind'), 'new_destination')
    let rows = await cells(page, '#alerts')
    assert.deepEqual(rows.map((r) => r[1]).sort(), ['new destination', 'new destination'])
    // Every subject stays selectable under a kind.
    const options = await page.locator('#alerts-device option').allInnerTexts()
    assert.equal(options.length, 5, options.join(' | '))
    await reloadsAfter(page, () => page.selectOption('#alerts-device', LAPTOP))
    assert.equal(params(page).get('device'), LAPTOP)
    assert.equal(params(page).get('kind'), 'new_destination')
    rows = await cells(page, '#alerts')
    assert.deepEqual(
      rows.map((r) => r[2]),
      [`laptop.lan ${LAPTOP}`],
    )
    // A reload keeps both; back drops the device.
    await reloadsAfter(page, () => page.reload())
    assert.equal(await page.inputValue('#alerts-kind'), 'new_destination')
    assert.equal(await page.inputValue('#alerts-device'), LAPTOP)
    assert.equal((await cells(page, '#alerts')).length, 1)
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('device'), null)
    assert.equal((await cells(page, '#alerts')).length, 2)
    await page.close()
    // Nothing of that kind about that device.
    const none = await ui.open(`/?view=alerts&kind=device_volume&device=${LAPTOP}`)
    assert.deepEqual(await cells(none, '#alerts'), [['no alert of this kind or device']])
    await none.close()
  })

  await t.test("a device's page: its own alerts, or none", async () => {
    const page = await ui.open('/?view=alerts')
    await reloadsAfter(page, () =>
      page.click(`#alerts tbody tr:has-text("${LAPTOP}") a[href*="view=device"]`),
    )
    assert.equal(params(page).get('device'), LAPTOP)
    const own = await cells(page, '#device-alerts')
    assert.deepEqual(
      own.map((r) => r.slice(1)),
      [['new destination', 'first time to Singapore, AS64510 EXAMPLE-FAR', '']],
    )
    assert.deepEqual(await hrefParams(page, '#device-alerts-note a'), {
      view: 'alerts',
      device: LAPTOP,
    })
    await page.screenshot({ path: join(SHOTS, 'device-alerts.png'), fullPage: true })
    await page.close()
    const tv = await ui.open(`/?view=device&device=${TV}`, { size: { width: 390, height: 844 } })
    assert.deepEqual(
      (await cells(tv, '#device-alerts')).map((r) => [r[1], r[3]]),
      [['volume', 'ongoing']],
    )
    assert.ok((await overflow(tv)) <= 0, 'the device page is wider than the phone')
    await tv.screenshot({ path: join(SHOTS, 'device-alerts-phone.png'), fullPage: true })
    await tv.close()
    const nas = await ui.open(`/?view=device&device=${NAS}`)
    assert.deepEqual(await cells(nas, '#device-alerts'), [['none: no alert about this device']])
    await nas.close()
  })

  await t.test('the alerts page on a phone and in dark mode', async () => {
    const phone = await ui.open('/?view=alerts', { size: { width: 390, height: 844 } })
    assert.equal((await cells(phone, '#alerts')).length, 4)
    assert.ok((await overflow(phone)) <= 0, 'the alerts page is wider than the phone')
    await phone.screenshot({ path: join(SHOTS, 'alerts-phone.png'), fullPage: true })
    await phone.close()
    const dark = await ui.open('/?view=alerts', {
      before: (p) => p.emulateMedia({ colorScheme: 'dark' }),
    })
    assert.equal((await cells(dark, '#alerts')).length, 4)
    await dark.screenshot({ path: join(SHOTS, 'alerts-dark.png'), fullPage: true })
    await dark.close()
  })

  assert.deepEqual(ui.foreign, [], 'the UI fetched from outside the collector')
  assert.deepEqual(ui.errors, [], 'errors in the page console')
})
