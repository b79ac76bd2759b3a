// The console's Apps panel in headless Debian chromium on a home network's flows, with
// `apps.overrides` naming the home's own services: the overview ranks apps by bytes with
// their categories (www.netflix.com is Netflix from the bundled list), a device page
// shows only that device's apps, and an app's name adds the app filter to every panel.
// Screenshots: test-output/ui/{apps-overview,apps-device}.png.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { requireTools } from '../../support/tools.js'
import { cells, reloadsAfter, SHOTS, startUiSession, webUnits } from '../../support/ui-session.js'

void test('apps on the overview and a device page in chromium', { timeout: 180_000 }, async (t) => {
  if (!requireTools(t, 'chromium')) return
  const ui = await startUiSession(t, {
    'apps.overrides': {
      'video.example.com': { app: 'Example Video', category: 'Video' },
      'example.net': { app: 'Example Cloud', category: 'Cloud storage' },
    },
  })
  const { bytes } = await webUnits()
  // What the panel must say, from the stored flows (the internet side only, as the panel).
  const want = async (where: string): Promise<string[][]> =>
    (
      await ui.svc.query<{ app: string; i: string; o: string }>(
        `SELECT app, sumIf(bytes, direction = 'inbound') AS i,
           sumIf(bytes, direction = 'outbound') AS o FROM flows
         WHERE direction != 'internal' ${where} GROUP BY app ORDER BY i + o DESC, app`,
      )
    ).map((r) => [r.app, bytes(Number(r.i)), bytes(Number(r.o))])

  const page = await ui.open('/')
  const overview = await cells(page, '#remote-app')
  const expected = await want('')
  assert.deepEqual(
    expected.map((r) => r[0]),
    ['Netflix', 'Example Video', 'Example Cloud', ''],
  )
  assert.deepEqual(
    overview.map((r) => r[0]),
    ['Netflix Video', 'Example Video Video', 'Example Cloud Cloud storage', '(no app)'],
  )
  // In and out, as the stored flows have them.
  assert.deepEqual(
    overview.map((r) => r.slice(1)),
    expected.map((r) => r.slice(1)),
  )
  await page.locator('#card-app').screenshot({ path: join(SHOTS, 'apps-overview.png') })
  await page.close()

  const laptop = await ui.open('/?view=device&device=192.168.1.30')
  const mine = await cells(laptop, '#remote-app')
  assert.deepEqual(
    mine.map((r) => r[0]),
    ['Example Cloud Cloud storage', '(no app)'],
  )
  await laptop.screenshot({ path: join(SHOTS, 'apps-device.png'), fullPage: true })
  // The app's name filters every panel by it.
  await reloadsAfter(laptop, () =>
    laptop.click('#remote-app button.pick:has-text("Example Cloud")'),
  )
  assert.equal(new URL(laptop.url()).searchParams.get('app'), 'Example Cloud')
  assert.deepEqual(
    (await cells(laptop, '#remote-host')).map((r) => r[0]),
    ['cloud.example.net 203.0.113.7'],
  )
  await laptop.close()
  assert.deepEqual(ui.errors, [])
  assert.deepEqual(ui.foreign, [])
})
