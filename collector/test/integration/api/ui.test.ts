// The console in headless Debian chromium on a home network's flows: the overview's
// numbers against SQL over the same flows, the chart's live update and zoom, filters as
// chips and in the URL (back, forward, reload), dark mode and the phone layout, and no
// request leaving the host; with alerts off (the default), the alerts page and a device
// page say so and nothing asks /api/alerts. Screenshots:
// test-output/ui/{desktop,dark,phone,alerts-off}.png.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { requireTools } from '../../support/tools.js'
import { loaded, reloadsAfter, SHOTS, startUiSession, webUnits } from '../../support/ui-session.js'

/** A table's body as cell texts. */
const cells = (page: Page, table: string): Promise<string[][]> =>
  page.evaluate<string[][]>(
    `[...document.querySelectorAll('${table} tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim()))`,
  )
/** A table's first column. */
const names = async (page: Page, table: string): Promise<string[]> =>
  (await cells(page, table)).map((r) => r[0] ?? '')
const params = (page: Page): URLSearchParams => new URL(page.url()).searchParams

/** Local devices' bytes in and out by SQL: receivers of inbound and internal flows, senders of outbound and internal ones. */
const DEVICES_SQL = `SELECT device, sum(i) AS in_b, sum(o) AS out_b FROM (
    SELECT replaceRegexpOne(toString(dst_addr), '^::ffff:', '') AS device, bytes AS i, 0 AS o
    FROM flows WHERE direction IN ('inbound', 'internal')
    UNION ALL
    SELECT replaceRegexpOne(toString(src_addr), '^::ffff:', ''), 0, bytes
    FROM flows WHERE direction IN ('outbound', 'internal'))
  GROUP BY device ORDER BY in_b + out_b DESC`

void test('the console in chromium on a home network', { timeout: 180_000 }, async (t) => {
  if (!requireTools(t, 'chromium')) return
  const ui = await startUiSession(t)
  const { bytes, bitRate } = await webUnits()

  await t.test('overview: numbers match SQL over the same flows', async () => {
    // The legend's current rate is the last complete minute's, whichever it is at load.
    const lastMinute = async (): Promise<string> => {
      const [r] = await ui.svc.query<{ bps: number }>(
        `SELECT sum(bytes) * 8 / 60 AS bps FROM flows WHERE direction = 'inbound'
           AND time_received >= toStartOfMinute(now()) - 60 AND time_received < toStartOfMinute(now())`,
      )
      return bitRate(r?.bps ?? 0)
    }
    const before = await lastMinute()
    const page = await ui.open('/')
    const after = await lastMinute()
    const canvas = await page.locator('#traffic canvas').first().boundingBox()
    assert.ok(canvas && canvas.width > 300 && canvas.height > 100, JSON.stringify(canvas))
    // Devices: names where the flows have them, else the address; in and out.
    const devices = await ui.svc.query<{ device: string; in_b: number; out_b: number }>(DEVICES_SQL)
    const shown = await cells(page, '#devices')
    assert.equal(shown.length, devices.length)
    for (const [i, d] of devices.entries()) {
      const row = shown[i] ?? []
      assert.ok(row[0]?.includes(d.device), `${row[0]} shows ${d.device}`)
      assert.deepEqual(row.slice(1), [bytes(d.in_b), bytes(d.out_b)], d.device)
    }
    assert.equal(shown[0]?.[0], 'living-room-tv 192.168.1.20')
    assert.ok(shown.some((r) => r[0] === 'phone.lan 2001:db8:1::40'))
    assert.ok(
      shown.some((r) => r[0] === '192.168.1.50'),
      'a device without a name shows its address',
    )
    // The remote side only: no private "unknown" country, services by name.
    assert.deepEqual(await names(page, '#remote-country'), [
      'United States US',
      'Netherlands NL',
      'Germany DE',
      'France FR',
    ])
    assert.deepEqual(await names(page, '#remote-service'), [
      'https tcp/443',
      'quic udp/443',
      'ssh tcp/22',
    ])
    assert.equal((await names(page, '#remote-as'))[0], 'EXAMPLE-STREAM AS64496')
    assert.deepEqual((await cells(page, '#exporters'))[0]?.slice(0, 3), [
      '192.168.1.1',
      '',
      'netflow9',
    ])
    // The legend, before any hover: in bits/s, the peak as SQL has it per minute.
    const [peak] = await ui.svc.query<{ bps: number }>(
      `SELECT max(b) * 8 / 60 AS bps FROM (SELECT toStartOfMinute(time_received) AS m,
         sum(bytes) AS b FROM flows WHERE direction = 'inbound' GROUP BY m)`,
    )
    const legend = await page.locator('#traffic-legend').innerText()
    const current = legend.match(/in\s+(\S+ \S+)\s+peak (\S+ \S+)/)
    assert.ok(current, legend)
    assert.ok([before, after].includes(current[1] ?? ''), `${current[1]} is ${before} or ${after}`)
    assert.equal(current[2], bitRate(peak?.bps ?? 0))
    assert.match(legend, /out\s+[\d.]+ [kM]b\/s\s+peak/)
    await page.screenshot({ path: join(SHOTS, 'desktop.png'), fullPage: true })
    await page.close()
  })

  await t.test('live refresh updates in place; a zoom becomes the range', async () => {
    const page = await ui.open('/', { before: (p) => p.clock.install() })
    await page.evaluate(`document.querySelector('#traffic canvas').dataset.mark = 'kept'`)
    await reloadsAfter(page, () => page.clock.fastForward(31_000))
    assert.equal(await page.locator('#traffic canvas[data-mark="kept"]').count(), 1)
    const over = await page.locator('#traffic .u-over').boundingBox()
    assert.ok(over)
    await reloadsAfter(page, async () => {
      await page.mouse.move(over.x + over.width * 0.6, over.y + 30)
      await page.mouse.down()
      await page.mouse.move(over.x + over.width * 0.95, over.y + 30, { steps: 5 })
      await page.mouse.up()
    })
    const from = Number(params(page).get('from'))
    const to = Number(params(page).get('to'))
    assert.ok(to - from > 600 && to - from < 1800, `zoomed to ${to - from} s`)
    assert.equal(await page.locator('#zoomed').isVisible(), true)
    assert.equal(await page.locator('#ranges [data-range][aria-pressed="true"]').count(), 0)
    // The tables follow the zoom: the window's devices are fewer bytes than the hour's.
    const [tv] = await ui.svc.query<{ b: number }>(
      `SELECT sum(bytes) AS b FROM flows WHERE dst_addr = toIPv6('192.168.1.20')
         AND time_received >= ${from} AND time_received < ${to}`,
    )
    assert.deepEqual((await cells(page, '#devices'))[0]?.slice(0, 2), [
      'living-room-tv 192.168.1.20',
      bytes(tv?.b ?? 0),
    ])
    // A custom range, typed in local time.
    await page.click('#custom summary')
    await page.fill('#range-from', '2026-01-02T03:04')
    await page.fill('#range-to', '2026-01-02T05:06')
    await reloadsAfter(page, () => page.click('#range-apply'))
    const local = (v: string): string => String(new Date(v).getTime() / 1000)
    assert.equal(params(page).get('from'), local('2026-01-02T03:04'))
    assert.equal(params(page).get('to'), local('2026-01-02T05:06'))
    assert.deepEqual(await names(page, '#devices'), ['no flows in this range'])
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('from'), String(from))
    await page.goBack()
    await loaded(page)
    assert.equal(params(page).get('from'), null)
    assert.equal(await page.locator('#ranges [data-range][aria-pressed="true"]').innerText(), '1 h')
    await page.close()
  })

  await t.test('filters: click, chips, typed, URL round trip', async () => {
    const page = await ui.open('/')
    // The unfiltered chart's "in" is the inbound flows: its legend filters by those, so
    // the line keeps its meaning (direction=in would add what devices got from each other).
    const peakIn = async (): Promise<string | undefined> =>
      /in\s+\S+ \S+\s+peak (\S+ \S+)/.exec(await page.locator('#traffic-legend').innerText())?.[1]
    const before = await peakIn()
    await reloadsAfter(page, () => page.click('#traffic-legend button.legend-pick:text-is("in")'))
    assert.equal(params(page).get('direction'), 'inbound')
    assert.equal(await peakIn(), before)
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('direction'), null)
    await reloadsAfter(page, () =>
      page
        .locator('#remote-country tr', { hasText: 'United States' })
        .locator('button.filter')
        .click(),
    )
    assert.equal(params(page).get('country'), 'US')
    assert.deepEqual(await page.locator('#chips .chip').allInnerTexts(), ['country: US\n×'])
    assert.deepEqual(await names(page, '#devices'), ['living-room-tv 192.168.1.20'])
    await reloadsAfter(page, async () => {
      await page.fill('#filter-input', 'service=quic')
      await page.press('#filter-input', 'Enter')
    })
    assert.deepEqual(await names(page, '#devices'), ['no flows in this range'])
    await reloadsAfter(page, () => page.click('#chips [data-key="country"] button'))
    assert.equal(page.url().includes('country='), false)
    assert.deepEqual(await names(page, '#devices'), ['phone.lan 2001:db8:1::40'])
    // A bookmark: the same URL loaded afresh shows the same.
    await reloadsAfter(page, () => page.reload())
    assert.deepEqual(await page.locator('#chips .chip').allInnerTexts(), ['service: quic\n×'])
    assert.deepEqual(await names(page, '#devices'), ['phone.lan 2001:db8:1::40'])
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('country'), 'US')
    assert.equal(params(page).get('service'), 'quic')
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('service'), null)
    assert.equal(await page.locator('#chips .chip').count(), 1)
    // An exporter's button filters by it.
    await reloadsAfter(page, () => page.click('#exporters button.filter'))
    assert.equal(params(page).get('exporter'), '192.168.1.1')
    assert.deepEqual(await page.locator('#chips .chip').allInnerTexts(), [
      'country: US\n×',
      'exporter: 192.168.1.1\n×',
    ])
    assert.deepEqual(await names(page, '#devices'), ['living-room-tv 192.168.1.20'])
    await page.close()
  })

  await t.test('dark mode follows the system', async () => {
    const page = await ui.open('/', { before: (p) => p.emulateMedia({ colorScheme: 'dark' }) })
    const bg = await page.evaluate<string>(
      `getComputedStyle(document.body.parentElement).backgroundColor`,
    )
    assert.equal(bg, 'rgb(17, 20, 25)')
    const card = await page.evaluate<string>(
      `getComputedStyle(document.querySelector('.card')).color`,
    )
    assert.equal(card, 'rgb(227, 231, 238)')
    await page.screenshot({ path: join(SHOTS, 'dark.png'), fullPage: true })
    await page.close()
  })

  await t.test('phone: fits the screen', async () => {
    const page = await ui.open('/', { size: { width: 390, height: 844 } })
    const canvas = await page.locator('#traffic canvas').first().boundingBox()
    assert.ok(canvas && canvas.width > 200 && canvas.width <= 390, JSON.stringify(canvas))
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`)
    await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true })
    await page.close()
  })

  await t.test('alerts off: the page says how to turn them on', async () => {
    const asked: string[] = []
    const watch = (p: Page): Promise<void> => {
      p.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/alerts')) asked.push(r.url())
      })
      return Promise.resolve()
    }
    const page = await ui.open('/', { before: watch })
    await reloadsAfter(page, () => page.click('#views a[data-view="alerts"]'))
    assert.equal(params(page).get('view'), 'alerts')
    const text = await page.locator('#alerts-state').innerText()
    assert.match(text, /^Alerts are off\./)
    assert.match(text, /alerts\.enabled: true/)
    assert.match(text, /FLOWLOFT_ALERTS_ENABLED=true/)
    assert.equal(await page.locator('#alerts-filter').isVisible(), false)
    assert.equal(await page.locator('#alerts-count').isVisible(), false)
    await page.screenshot({ path: join(SHOTS, 'alerts-off.png'), fullPage: true })
    await reloadsAfter(page, () => page.goto(`${ui.svc.httpBase}/?view=device&device=192.168.1.20`))
    assert.deepEqual(await names(page, '#device-alerts'), [
      'alerts are off (alerts.enabled): the Alerts page says how to turn them on',
    ])
    assert.deepEqual(asked, [], 'the console asked /api/alerts while alerts are off')
    await page.close()
  })

  assert.deepEqual(ui.foreign, [], 'the UI fetched from outside the collector')
  assert.deepEqual(ui.errors, [], 'errors in the page console')
})
