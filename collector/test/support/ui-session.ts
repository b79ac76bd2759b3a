// A browser session on the console for UI tests: a real collector holding a home
// network's flows (home-network.ts) and a 60-minute conversation summary of them,
// headless Debian chromium driven by playwright-core, every request and page error
// recorded. Screenshots go to collector/test-output/ui/.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { insertFixtureFlows, type FixtureFlow } from './fixture-flows.js'
import { WEB_DIR } from '../../dist/api/static.js'
import { homeNetworkFlows } from './home-network.js'
import { eventually, startTestService, type TestService } from './service.js'

export const SHOTS = fileURLToPath(new URL('../../test-output/ui/', import.meta.url))
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

export interface UiSession {
  svc: TestService
  flows: FixtureFlow[]
  browser: BrowserContext
  /** Requests to anywhere but the collector. */
  foreign: string[]
  /** Errors in the pages' consoles. */
  errors: string[]
  /** A new page watched for errors, at `path` of the console, loaded. */
  open(
    path?: string,
    o?: { size?: { width: number; height: number }; before?: (p: Page) => Promise<void> },
  ): Promise<Page>
}

export async function loaded(page: Page): Promise<void> {
  await page.waitForSelector('body[data-loaded]', { timeout: 20_000 })
}

/** A table's body rows as their cells' texts. */
export const cells = (page: Page, table: string): Promise<string[][]> =>
  page.evaluate<string[][]>(
    `[...document.querySelectorAll('${table} tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim()))`,
  )

/** Run `act`, then wait until the console has loaded again. */
export async function reloadsAfter(page: Page, act: () => Promise<unknown>): Promise<void> {
  await page.evaluate(`delete document.body.dataset.loaded`)
  await act()
  await loaded(page)
}

/** `settings`: the collector's, by path (startTestService's overrides). */
export async function startUiSession(
  t: TestContext,
  settings: Record<string, unknown> = {},
): Promise<UiSession> {
  assert.ok(
    existsSync(join(WEB_DIR, 'index.html')),
    'web UI not built: npm run build in collector/',
  )
  const svc = await startTestService(settings)
  t.after(() => svc.stop())
  const flows = await insertFixtureFlows(svc.service.engine.client, homeNetworkFlows())
  const to = Math.floor(Date.now() / 1000) + 60
  // A run may be skipped while the start-up catch-up runs: try again until one is done.
  await eventually(async () => (await svc.service.summaries.runNow(60, to)) !== undefined)
  mkdirSync(SHOTS, { recursive: true })
  const profile = mkdtempSync(join(tmpdir(), 'flowloft-chromium-'))
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  })
  t.after(async () => {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  })
  const origin = new URL(svc.httpBase).origin
  const foreign: string[] = []
  const errors: string[] = []
  browser.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
      foreign.push(r.url())
  })
  return {
    svc,
    flows,
    browser,
    foreign,
    errors,
    async open(path = '/', o = {}) {
      const page = await browser.newPage()
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`)
      })
      page.on('pageerror', (e) => errors.push(e.message))
      if (o.size) await page.setViewportSize(o.size)
      await o.before?.(page)
      await page.goto(`${svc.httpBase}${path}`)
      await loaded(page)
      return page
    },
  }
}

/** The console's own formatters (src/web/units.js), to compare SQL numbers with the page. */
export async function webUnits(): Promise<{
  bytes: (n: number) => string
  bitRate: (bps: number) => string
}> {
  return (await import(pathToFileURL(join(WEB_DIR, 'units.js')).href)) as {
    bytes: (n: number) => string
    bitRate: (bps: number) => string
  }
}
