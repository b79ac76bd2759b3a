// The console's pages per remote host, AS, country, service, exporter and interface in
// headless Debian chromium, on a home network's flows plus a second exporter (an access
// point whose interface 1 is not the router's): each opened from a table row, its facts,
// devices, legend and interfaces checked against SQL over the same flows; the direction
// and interface filters typed and clicked; zoom (fixed, or live when it reaches now) with
// back and forward; the live mode updating in place with the zoom and the scroll kept.
// Screenshots: test-output/ui/page-{remote,as,country,service,exporter,interface}{,-phone,-dark}.png.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { requireTools } from '../../support/tools.js'
import { reloadsAfter, SHOTS, startUiSession, webUnits } from '../../support/ui-session.js'
import { insertFixtureFlows, type FixtureFlow } from '../../support/fixture-flows.js'

const cells = (page: Page, table: string): Promise<string[][]> =>
  page.evaluate<string[][]>(
    `[...document.querySelectorAll('${table} tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim()))`,
  )
const names = async (page: Page, table: string): Promise<string[]> =>
  (await cells(page, table)).map((r) => r[0] ?? '')
const params = (page: Page): URLSearchParams => new URL(page.url()).searchParams

/**
 * Flows seen from the local devices, as the console defines them (an internal flow is
 * received by one device and sent by another), with the remote side's columns.
 */
const SIDED = `(SELECT *, is_in, if(is_in, dst_addr, src_addr) AS l_addr, if(is_in, src_addr, dst_addr) AS r_addr,
    if(is_in, src_as, dst_as) AS r_as, if(is_in, src_country, dst_country) AS r_country
  FROM flows ARRAY JOIN multiIf(direction = 'inbound', [1], direction = 'outbound', [0],
    direction = 'internal', [1, 0], []) AS is_in)`
const DEVICE = `replaceRegexpOne(toString(l_addr), '^::ffff:', '')`

/** An access point exporting sFlow: its interface 1 ("uplink") is not the router's wan. */
function accessPointFlows(): FixtureFlow[] {
  return Array.from({ length: 10 }, (_, i) => ({
    exporter: '192.168.1.3',
    flow_type: 'sflow5',
    sampling_rate: 1,
    src_addr: '203.0.113.99',
    dst_addr: '192.168.1.60',
    src_host: '',
    dst_host: 'printer.lan',
    src_port: 443,
    dst_port: 50000 + i,
    proto: 6,
    proto_name: 'TCP',
    src_as: 64501,
    dst_as: 0,
    src_as_name: 'EXAMPLE-BACKUP',
    dst_as_name: '',
    src_country: 'FR',
    dst_country: '',
    direction: 'inbound',
    in_if: 1,
    out_if: 2,
    in_if_name: 'uplink',
    out_if_name: 'radio0',
    bytes: 700_000,
    packets: 500,
    ago: 100 + i * 60,
  }))
}

void test('pages, filters, zoom and live mode in chromium', { timeout: 300_000 }, async (t) => {
  if (!requireTools(t, 'chromium')) return
  const ui = await startUiSession(t)
  const client = ui.svc.service.engine.client
  await insertFixtureFlows(client, accessPointFlows())
  const { bytes, bitRate } = await webUnits()
  /** [in, out] bytes of the sided flows matching `where`, as the page shows them. */
  const inOut = async (where: string): Promise<string> => {
    const [r] = await ui.svc.query<{ i: number; o: number }>(
      `SELECT sumIf(bytes, is_in = 1) AS i, sumIf(bytes, is_in = 0) AS o FROM ${SIDED} WHERE ${where}`,
    )
    return `${bytes(r?.i ?? 0)} in · ${bytes(r?.o ?? 0)} out`
  }
  /** The devices table by SQL: [device, in, out], largest first. */
  const devicesOf = async (where: string): Promise<string[][]> =>
    (
      await ui.svc.query<{ d: string; i: number; o: number }>(
        `SELECT ${DEVICE} AS d, sumIf(bytes, is_in = 1) AS i, sumIf(bytes, is_in = 0) AS o
         FROM ${SIDED} WHERE ${where} GROUP BY d ORDER BY i + o DESC, d`,
      )
    ).map((r) => [r.d, bytes(r.i), bytes(r.o)])
  const shownDevices = async (page: Page): Promise<string[][]> =>
    (await cells(page, '#devices')).map(([name, i, o]) => [
      name?.split(' ').at(-1) ?? '',
      i ?? '',
      o ?? '',
    ])
  /** The legend's peak of `series` and SQL's, per minute. */
  const peakOf = async (
    page: Page,
    where: string,
    series: 'in' | 'out',
  ): Promise<[string, string]> => {
    const legend = await page.locator('#traffic-legend').innerText()
    const shown =
      new RegExp(`${series}\\s+\\S+ \\S+\\s+peak (\\S+ \\S+)`).exec(legend)?.[1] ?? legend
    const [r] = await ui.svc.query<{ bps: number }>(
      `SELECT max(b) * 8 / 60 AS bps FROM (SELECT toStartOfMinute(time_received) AS m, sum(bytes) AS b
         FROM ${SIDED} WHERE ${where} AND is_in = ${series === 'in' ? 1 : 0} GROUP BY m)`,
    )
    return [shown, bitRate(r?.bps ?? 0)]
  }
  const facts = async (page: Page): Promise<string> => page.locator('#page-facts').innerText()
  /** The window the page last asked /api/devices for, as the API answered it. */
  const windows = new WeakMap<Page, Promise<{ from: number; to: number }>>()
  const watchWindow = (page: Page): void => {
    page.on('response', (r) => {
      if (r.url().includes('/api/devices?'))
        windows.set(page, r.json() as Promise<{ from: number; to: number }>)
    })
  }
  /** Desktop, phone and dark screenshots of the page at `path`; the phone has no sideways scroll. */
  async function shots(path: string, name: string): Promise<void> {
    const phone = await ui.open(path, { size: { width: 390, height: 844 } })
    const overflow = await phone.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )
    assert.ok(overflow <= 0, `${name} is ${overflow}px wider than the phone`)
    await phone.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true })
    await phone.close()
    const dark = await ui.open(path, { before: (p) => p.emulateMedia({ colorScheme: 'dark' }) })
    await dark.screenshot({ path: join(SHOTS, `${name}-dark.png`), fullPage: true })
    await dark.close()
  }
  /** Open the first row's page of `table`, from the overview. */
  async function openRow(table: string, text: string): Promise<Page> {
    const page = await ui.open('/')
    await reloadsAfter(page, () =>
      page.locator(`${table} a.pick`, { hasText: text }).first().click(),
    )
    return page
  }

  await t.test('a remote host: facts, devices, conversations, linked AS and country', async () => {
    const page = await openRow('#remote-host', 'www.netflix.com')
    assert.equal(params(page).get('view'), 'remote')
    assert.equal(params(page).get('remote'), '198.51.100.10')
    assert.equal(await page.locator('#page-kind').innerText(), 'REMOTE HOST')
    assert.equal(await page.locator('#page-name').innerText(), 'www.netflix.com')
    const where = `r_addr = toIPv6('198.51.100.10')`
    const f = await facts(page)
    assert.match(f, new RegExp(`in this range\\s+${await inOut(where)}`))
    assert.match(f, new RegExp(`last 24h\\s+${await inOut(where)}`))
    assert.match(f, /AS\s+EXAMPLE-STREAM AS64496\s+country\s+United States/)
    assert.deepEqual(await shownDevices(page), await devicesOf(where))
    const [shown, sql] = await peakOf(page, where, 'in')
    assert.equal(shown, sql)
    // What the host decides (its AS, its country) has no panel of its own here.
    for (const card of ['#card-host', '#card-as', '#card-country'])
      assert.equal(await page.locator(card).isVisible(), false, card)
    // The host is the server: its side is named (not "this host", which reads as the
    // machine the console runs on), unlinked, marked as the page's own; the client links.
    const convs = await cells(page, '#conversations')
    assert.deepEqual(convs[0]?.slice(0, 3), ['living-room-tv', 'www.netflix.com:443', 'TCP'])
    const first = page.locator('#conversations tbody tr').first()
    assert.equal(
      await first.locator('td').nth(1).locator('strong.self').innerText(),
      'www.netflix.com:443',
    )
    assert.equal(await first.locator('td').nth(1).locator('a').count(), 0)
    assert.equal(await first.locator('td').nth(0).locator('strong.self').count(), 0)
    assert.doesNotMatch(await page.locator('#conversations').innerText(), /this host/)
    await page.screenshot({ path: join(SHOTS, 'page-remote.png'), fullPage: true })
    // Its AS, then back.
    await reloadsAfter(page, () => page.click('#page-facts a:has-text("EXAMPLE-STREAM")'))
    assert.equal(params(page).get('view'), 'as')
    assert.equal(params(page).get('as'), '64496')
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('remote'), '198.51.100.10')
    await reloadsAfter(page, () => page.click('#conversations a:has-text("living-room-tv")'))
    assert.equal(params(page).get('device'), '192.168.1.20')
    await page.close()
    await shots('/?view=remote&remote=198.51.100.10', 'page-remote')
  })

  await t.test('an AS, a country and a service: facts and devices as SQL has them', async () => {
    const pages = [
      ['#remote-as', 'EXAMPLE-BACKUP', 'as', '64501', 'AS', 'r_as = 64501'],
      ['#remote-country', 'Netherlands', 'country', 'NL', 'COUNTRY', `r_country = 'NL'`],
      [
        '#remote-service',
        'quic',
        'service',
        'udp/443',
        'SERVICE',
        'proto = 17 AND (src_port = 443 OR dst_port = 443)',
      ],
    ] as const
    for (const [table, text, view, key, kind, where] of pages) {
      const page = await openRow(table, text)
      assert.equal(params(page).get('view'), view)
      assert.equal(params(page).get(view), key)
      assert.equal(await page.locator('#page-kind').innerText(), kind)
      assert.equal(await page.locator('#page-name').innerText(), text)
      const f = await facts(page)
      assert.match(f, new RegExp(`in this range\\s+${await inOut(where)}`), view)
      assert.match(f, new RegExp(`last 7d\\s+${await inOut(where)}`), view)
      assert.match(f, /first seen\s+\d.*\s+last seen\s+\d/, view)
      assert.deepEqual(await shownDevices(page), await devicesOf(where), view)
      assert.equal(await page.locator(`#card-${view}`).isVisible(), false)
      // No chip: the subject is the page's title, not a filter.
      assert.equal(await page.locator('#chips .chip').count(), 0)
      await page.screenshot({ path: join(SHOTS, `page-${view}.png`), fullPage: true })
      await page.close()
      await shots(`/?view=${view}&${view}=${encodeURIComponent(key)}`, `page-${view}`)
    }
  })

  await t.test('exporters and interfaces: two exporters, each its own interface 1', async () => {
    const page = await ui.open('/')
    // Interfaces of both exporters, named, in and out as SQL has them through each.
    const ifs = await ui.svc.query<{ x: string; i: number; n: string; a: number; b: number }>(
      `SELECT replaceRegexpOne(toString(exporter), '^::ffff:', '') AS x, ifx AS i,
         sumIf(bytes, is_in = 1) AS a, sumIf(bytes, is_in = 0) AS b
       FROM ${SIDED} ARRAY JOIN arrayDistinct([in_if, out_if]) AS ifx
       GROUP BY x, i ORDER BY a + b DESC, x, i`,
    )
    const shownIfs = await cells(page, '#interfaces')
    assert.deepEqual(
      shownIfs.map((r) => r.slice(1)),
      ifs.map((r) => [bytes(r.a), bytes(r.b)]),
    )
    assert.ok(
      shownIfs.some((r) => r[0] === 'uplink #1 on 192.168.1.3'),
      JSON.stringify(shownIfs),
    )
    assert.ok(shownIfs.some((r) => r[0] === 'wan #1 on 192.168.1.1'))
    await reloadsAfter(page, () => page.click('#exporters a:has-text("192.168.1.3")'))
    assert.equal(params(page).get('view'), 'exporter')
    const ap = `exporter = toIPv6('192.168.1.3')`
    const f = await facts(page)
    assert.match(f, new RegExp(`in this range\\s+${await inOut(ap)}`))
    assert.match(f, /sends\s+sflow5/)
    assert.deepEqual(await shownDevices(page), await devicesOf(ap))
    assert.deepEqual(await names(page, '#interfaces'), ['uplink #1', 'radio0 #2'])
    await page.screenshot({ path: join(SHOTS, 'page-exporter.png'), fullPage: true })
    // The router's wan, not the access point's interface 1.
    await reloadsAfter(page, () => page.goBack())
    await reloadsAfter(page, () => page.click('#interfaces a:has-text("wan")'))
    assert.deepEqual(
      [params(page).get('view'), params(page).get('exporter'), params(page).get('interface')],
      ['interface', '192.168.1.1', '1'],
    )
    assert.equal(await page.locator('#page-name').innerText(), 'wan')
    const wan = `exporter = toIPv6('192.168.1.1') AND (in_if = 1 OR out_if = 1)`
    assert.match(await facts(page), new RegExp(`in this range\\s+${await inOut(wan)}`))
    assert.deepEqual(await shownDevices(page), await devicesOf(wan))
    assert.ok(!(await names(page, '#devices')).some((n) => n.includes('192.168.1.60')))
    const [shown, sql] = await peakOf(page, wan, 'out')
    assert.equal(shown, sql)
    await page.screenshot({ path: join(SHOTS, 'page-interface.png'), fullPage: true })
    await reloadsAfter(page, () => page.click('#page-facts a:has-text("192.168.1.1")'))
    assert.deepEqual([params(page).get('view'), params(page).get('interface')], ['exporter', null])
    await page.close()
    await shots('/?view=exporter&exporter=192.168.1.3', 'page-exporter')
    await shots('/?view=interface&exporter=192.168.1.1&interface=1', 'page-interface')
  })

  await t.test('direction and interface filters: clicked, typed, in the URL', async () => {
    const page = await ui.open('/')
    // direction=in filters every panel to what the devices received (the unfiltered
    // chart's legend sets the inbound flows instead: ui.test.ts).
    await reloadsAfter(page, async () => {
      await page.fill('#filter-input', 'direction=in')
      await page.press('#filter-input', 'Enter')
    })
    assert.equal(params(page).get('direction'), 'in')
    assert.deepEqual(await page.locator('#chips .chip').allInnerTexts(), ['direction: in\n×'])
    assert.deepEqual(await shownDevices(page), await devicesOf('is_in = 1'))
    assert.ok((await cells(page, '#remote-host')).every((r) => r[2] === '0 B'))
    assert.match(await page.locator('#traffic-note').innerText(), /filtered/)
    // An interface by name, typed; then one clicked in the interfaces panel.
    await reloadsAfter(page, async () => {
      await page.fill('#filter-input', 'interface=wlan')
      await page.press('#filter-input', 'Enter')
    })
    assert.equal(params(page).get('interface'), 'wlan')
    assert.deepEqual(
      await shownDevices(page),
      await devicesOf(
        "is_in = 1 AND exporter = toIPv6('192.168.1.1') AND (in_if = 3 OR out_if = 3)",
      ),
    )
    await reloadsAfter(page, () => page.reload())
    assert.deepEqual(await page.locator('#chips .chip').allInnerTexts(), [
      'interface: wlan\n×',
      'direction: in\n×',
    ])
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('interface'), null)
    assert.equal(params(page).get('direction'), 'in')
    await reloadsAfter(page, () =>
      page.locator('#interfaces tr', { hasText: 'uplink' }).locator('button.filter').click(),
    )
    assert.deepEqual(
      [params(page).get('exporter'), params(page).get('interface')],
      ['192.168.1.3', '1'],
    )
    assert.deepEqual(await names(page, '#devices'), ['printer.lan 192.168.1.60'])
    // A filter on what a page is about is refused with a reason.
    await reloadsAfter(page, () => page.click('#devices a.pick'))
    await page.fill('#filter-input', 'device=192.168.1.20')
    await page.press('#filter-input', 'Enter')
    assert.match(await page.locator('#filter-error').innerText(), /what this page is about/)
    await page.fill('#filter-input', 'direction=sideways')
    await reloadsAfter(page, () => page.press('#filter-input', 'Enter'))
    assert.match(await page.locator('#remote-host').innerText(), /direction must be in, out/)
    await page.close()
  })

  await t.test('zoom: the tables follow, live when it reaches now, back and forward', async () => {
    const page = await ui.open('/?view=as&as=64496')
    watchWindow(page)
    const over = await page.locator('#traffic .u-over').boundingBox()
    assert.ok(over)
    const drag = async (a: number, b: number): Promise<void> =>
      reloadsAfter(page, async () => {
        await page.mouse.move(over.x + over.width * a, over.y + 30)
        await page.mouse.down()
        await page.mouse.move(over.x + over.width * b, over.y + 30, { steps: 6 })
        await page.mouse.up()
      })
    // To the right edge: the last N minutes, still live.
    await drag(0.8, 1)
    const range = params(page).get('range') ?? ''
    const minutes = Number(/^(\d+)m$/.exec(range)?.[1])
    assert.ok(minutes >= 10 && minutes <= 14, `zoomed to ${range}`)
    assert.deepEqual([params(page).get('view'), params(page).get('as')], ['as', '64496'])
    assert.equal(await page.locator('#live').getAttribute('aria-pressed'), 'true')
    assert.equal(await page.locator('#zoomed').innerText(), `last ${minutes} min`)
    const w = await windows.get(page)
    assert.equal((w?.to ?? 0) - (w?.from ?? 0), minutes * 60)
    const recent = `r_as = 64496 AND time_received >= ${w?.from} AND time_received < ${w?.to}`
    assert.deepEqual(await shownDevices(page), await devicesOf(recent))
    // Inside: a fixed window, not live; the tables hold what it holds.
    await drag(0.3, 0.6)
    const from = Number(params(page).get('from'))
    const to = Number(params(page).get('to'))
    assert.ok(to - from >= 300 && to - from < minutes * 60, `${from} ${to}`)
    assert.equal(await page.locator('#live').getAttribute('aria-pressed'), 'false')
    const fixed = `r_as = 64496 AND time_received >= ${from} AND time_received < ${to}`
    assert.deepEqual(await shownDevices(page), await devicesOf(fixed))
    assert.match(await facts(page), new RegExp(`in this range\\s+${await inOut(fixed)}`))
    await reloadsAfter(page, () => page.goBack())
    assert.equal(params(page).get('range'), range)
    await reloadsAfter(page, () => page.goForward())
    assert.equal(params(page).get('from'), String(from))
    // Live again from the fixed window: as long, ending now.
    await reloadsAfter(page, () => page.click('#live'))
    assert.equal(params(page).get('from'), null)
    assert.equal(params(page).get('range'), `${Math.round((to - from) / 60)}m`)
    await page.close()
  })

  await t.test('live mode updates in place, keeping the zoom and the scroll', async () => {
    const page = await ui.open('/?range=30m', {
      size: { width: 1280, height: 600 },
      before: (p) => p.clock.install(),
    })
    const url = page.url()
    await page.evaluate(`document.querySelector('#traffic canvas').dataset.mark = 'kept'`)
    await page.evaluate('window.scrollTo(0, 500)')
    const scrolled = await page.evaluate<number>('window.scrollY')
    assert.ok(scrolled > 0)
    // A new device appears while the page is open.
    await insertFixtureFlows(client, [
      {
        ...(accessPointFlows()[0] as FixtureFlow),
        dst_addr: '192.168.1.77',
        dst_host: 'tablet.lan',
        bytes: 9e8,
        ago: 20,
      },
    ])
    await reloadsAfter(page, () => page.clock.fastForward(31_000))
    assert.equal(page.url(), url)
    assert.equal(await page.locator('#traffic canvas[data-mark="kept"]').count(), 1)
    assert.equal(await page.evaluate<number>('window.scrollY'), scrolled)
    assert.equal((await cells(page, '#devices'))[0]?.[0], 'tablet.lan 192.168.1.77')
    assert.equal((await cells(page, '#devices'))[0]?.[1], bytes(9e8))
    // Held: the window stops moving and nothing reloads.
    await reloadsAfter(page, () => page.click('#live'))
    assert.ok(params(page).get('from'))
    await page.evaluate(`delete document.body.dataset.loaded`)
    await page.clock.fastForward(61_000)
    await page.waitForTimeout(500)
    assert.equal(await page.evaluate<string | undefined>('document.body.dataset.loaded'), undefined)
    await page.close()
  })

  assert.deepEqual(ui.foreign, [], 'the UI fetched from outside the collector')
  // The refused direction is the only failed request (one per panel that asked).
  const unexpected = ui.errors.filter((e) => !/status of 400 .*direction=sideways/.test(e))
  assert.deepEqual(unexpected, [], 'errors in the page console')
})
