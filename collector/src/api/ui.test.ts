// The web UI in headless Debian chromium (driven by playwright-core) against a real
// collector holding fixture flows: the chart draws, top lists and exporters show the
// fixture, the SQL console renders rows and errors, the phone layout does not overflow,
// and nothing is fetched from outside the collector. Screenshots go to test-output/ui/.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { requireTools } from '../testing/tools.js'
import { startTestService } from '../testing/service.js'
import { insertFixtureFlows } from './fixture-flows.js'
import { WEB_DIR } from './static.js'

const SHOTS = fileURLToPath(new URL('../../test-output/ui/', import.meta.url))
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

async function openBrowser(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  })
}

async function loaded(page: Page): Promise<void> {
  await page.waitForSelector('body[data-loaded]', { timeout: 20_000 })
}

void test('web UI renders the fixture in chromium', { timeout: 120_000 }, async (t) => {
  if (!requireTools(t, 'chromium')) return
  assert.ok(
    existsSync(join(WEB_DIR, 'index.html')),
    'web UI not built: npm run build in collector/',
  )
  const svc = await startTestService()
  t.after(() => svc.stop())
  await insertFixtureFlows(svc.service.pipeline.engine.client)
  mkdirSync(SHOTS, { recursive: true })
  const profile = mkdtempSync(join(tmpdir(), 'flowloft-chromium-'))
  const browser = await openBrowser(profile)
  t.after(async () => {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const origin = new URL(svc.httpBase).origin
  const foreign: string[] = []
  const consoleErrors: string[] = []
  browser.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url())
  })

  await t.test('desktop: chart, top lists, exporters', async () => {
    const page = await browser.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`)
    })
    page.on('pageerror', (e) => consoleErrors.push(e.message))
    await page.goto(svc.httpBase)
    await loaded(page)
    const canvas = await page.locator('#traffic canvas').first().boundingBox()
    assert.ok(
      canvas && canvas.width > 300 && canvas.height > 100,
      `canvas ${JSON.stringify(canvas)}`,
    )
    // The legend shows values before any hover, in bits/s.
    const legend = await page.locator('#traffic-legend').innerText()
    assert.match(legend, /in\s+[\d.]+ [kMG]?b\/s\s+peak [\d.]+ [kMG]?b\/s/)
    assert.match(legend, /out\s+[\d.]+ [kMG]?b\/s/)
    assert.doesNotMatch(legend, /B\/s|--/)
    // A refresh updates the chart in place: same canvas, the zoom is kept.
    await page.evaluate(`document.querySelector('#traffic canvas').dataset.mark = 'kept'`)
    const over = await page.locator('#traffic .u-over').boundingBox()
    assert.ok(over)
    await page.mouse.move(over.x + over.width * 0.5, over.y + 20)
    await page.mouse.down()
    await page.mouse.move(over.x + over.width * 0.8, over.y + 20, { steps: 5 })
    await page.mouse.up()
    const xScale = `JSON.stringify(document.querySelector('#traffic').traffic.chart.scales.x)`
    const zoomed = await page.evaluate<string>(xScale)
    await page.evaluate(`delete document.body.dataset.loaded`)
    await page.click('#ranges button[aria-pressed="true"]')
    await loaded(page)
    assert.equal(await page.locator('#traffic canvas[data-mark="kept"]').count(), 1)
    assert.equal(await page.evaluate<string>(xScale), zoomed)

    const top = (name: string): Promise<string> =>
      page.locator(`.card.top[data-top="${name}"] tbody`).innerText()
    const hosts = await top('host')
    assert.match(hosts, /nas\.lan[\s\S]*cdn\.example\.net[\s\S]*laptop\.lan/)
    const countries = await top('country')
    assert.match(countries, /DE[\s\S]*FR/)
    assert.match(await top('as'), /64500\s*EXAMPLE-CDN/)
    assert.match(await top('proto'), /TCP[\s\S]*UDP/)
    // Switching a list to the other side asks the API again.
    await page.selectOption('.card.top[data-top="host"] select', 'src_host')
    await page.waitForFunction(
      `document.querySelector('.card.top[data-top="host"] th')?.textContent?.includes('src_host')`,
    )
    assert.match(await top('host'), /cdn\.example\.net/)

    const exporters = await page.locator('#exporters tbody').innerText()
    assert.match(exporters, /192\.0\.2\.10[\s\S]*netflow9/)
    assert.match(exporters, /198\.51\.100\.1[\s\S]*ipfix/)
    await page.locator('#exporters tbody tr', { hasText: '192.0.2.10' }).click()
    await page.waitForSelector('#templates h3')
    assert.match(await page.locator('#templates').innerText(), /Templates of 192\.0\.2\.10/)
    await page.screenshot({ path: join(SHOTS, 'desktop.png'), fullPage: true })
    await page.close()
  })

  await t.test('SQL console: rows and errors', async () => {
    const page = await browser.newPage()
    await page.goto(svc.httpBase)
    await loaded(page)
    // Every shipped example runs as it is.
    const examples = await page.locator('#sql-example option').allInnerTexts()
    assert.ok(examples.length >= 3)
    for (const [i, name] of examples.entries()) {
      await page.selectOption('#sql-example', String(i))
      await page.evaluate(`document.querySelector('#sql-info').textContent = ''`)
      await page.click('#sql-run')
      await page.waitForFunction(
        `/rows|^$/.test(document.querySelector('#sql-info').textContent) && document.querySelector('#sql-info').textContent !== 'running…' && (document.querySelector('#sql-info').textContent !== '' || !document.querySelector('#sql-error').hidden)`,
      )
      assert.equal(
        await page.locator('#sql-error').isHidden(),
        true,
        `${name}: ${await page.locator('#sql-error').innerText()}`,
      )
      assert.ok((await page.locator('#sql-result tbody tr').count()) > 0, `${name} has rows`)
    }
    await page.selectOption('#sql-example', '0')
    await page.click('#sql-run')
    await page.waitForFunction(`document.querySelectorAll('#sql-result tbody tr').length === 3`)
    assert.deepEqual(await page.locator('#sql-result thead th').allInnerTexts(), [
      'dst_host',
      'volume',
      'flows',
    ])
    assert.deepEqual(
      await page.locator('#sql-result tbody tr').first().locator('td').allInnerTexts(),
      ['nas.lan', '90.00 MB', '30'],
    )
    assert.match(await page.locator('#sql-info').innerText(), /3 rows/)
    // CSV download of the same query.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sql-csv')])
    const csv = readFileSync(await download.path(), 'utf8')
    assert.match(csv, /^"dst_host","volume","flows"\n"nas\.lan","90\.00 MB",30\n/)
    await page.screenshot({ path: join(SHOTS, 'sql.png'), fullPage: true })

    await page.fill('#sql', 'DROP TABLE flows')
    await page.click('#sql-run')
    await page.waitForSelector('#sql-error:not([hidden])')
    assert.match(await page.locator('#sql-error').innerText(), /not allowed|readonly|read-only/i)
    assert.equal(await page.locator('#sql-result tbody tr').count(), 0)
    await page.fill('#sql', 'SELECT nosuchcol FROM flows')
    await page.click('#sql-run')
    await page.waitForFunction(
      `document.querySelector('#sql-error').textContent.includes('nosuchcol')`,
    )
    const message = await page.locator('#sql-error').innerText()
    assert.match(message, /Unknown expression identifier `nosuchcol`/)
    assert.doesNotMatch(message, /FORMAT/)
    await page.close()
  })

  await t.test('phone: fits the screen', async () => {
    const page = await browser.newPage()
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(svc.httpBase)
    await loaded(page)
    const canvas = await page.locator('#traffic canvas').first().boundingBox()
    assert.ok(
      canvas && canvas.width > 200 && canvas.width <= 390,
      `canvas ${JSON.stringify(canvas)}`,
    )
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`)
    await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true })
    await page.close()
  })

  assert.deepEqual(foreign, [], 'the UI fetched from outside the collector')
  assert.deepEqual(consoleErrors, [], 'errors in the page console')
})
