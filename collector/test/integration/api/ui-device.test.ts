// The console's device page and SQL console in headless Debian chromium on a home
// network's flows: a device's facts, traffic and conversations (from the summaries),
// IPv4 and IPv6 devices; the shipped example queries run unmodified, CSV download,
// ClickHouse's errors. Screenshots: test-output/ui/{device,device-phone,device-dark,sql}.png.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { requireTools } from '../../support/tools.js'
import { loaded, reloadsAfter, SHOTS, startUiSession, webUnits } from '../../support/ui-session.js'

const cells = (page: Page, table: string): Promise<string[][]> =>
  page.evaluate<string[][]>(
    `[...document.querySelectorAll('${table} tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent.trim()))`,
  )

void test('device page and SQL console in chromium', { timeout: 180_000 }, async (t) => {
  if (!requireTools(t, 'chromium')) return
  // Every conversation kept, so the laptop's small DNS ones with the Pi-hole are too.
  const ui = await startUiSession(t, { 'summaries.top': 1000 })
  const { bytes } = await webUnits()

  await t.test('a device row opens its page; the URL holds it', async () => {
    const page = await ui.open('/')
    await reloadsAfter(page, () => page.click('#devices a:has-text("living-room-tv")'))
    const url = new URL(page.url())
    assert.equal(url.searchParams.get('view'), 'device')
    assert.equal(url.searchParams.get('device'), '192.168.1.20')
    assert.equal(await page.locator('#page-name').innerText(), 'living-room-tv')
    const [tv] = await ui.svc.query<{ i: number; o: number }>(
      `SELECT sumIf(bytes, dst_addr = toIPv6('192.168.1.20')) AS i,
         sumIf(bytes, src_addr = toIPv6('192.168.1.20')) AS o FROM flows`,
    )
    const facts = await page.locator('#page-facts').innerText()
    const inOut = `${bytes(tv?.i ?? 0)} in · ${bytes(tv?.o ?? 0)} out`
    assert.match(facts, new RegExp(`in this range\\s+${inOut}`))
    assert.match(facts, new RegExp(`last 24h\\s+${inOut}`))
    assert.match(facts, /first seen\s+\d/)
    assert.match(facts, /last seen\s+\d/)
    assert.match(await page.locator('#traffic-note').innerText(), /filtered/)
    // Where it talks to: only its own remote side.
    assert.deepEqual(
      (await cells(page, '#remote-host')).map((r) => r[0]),
      ['www.netflix.com 198.51.100.10'],
    )
    assert.equal(await page.locator('#card-devices').isVisible(), false)
    // Its conversations, from the 60-minute summary, one row per server and port.
    const convs = await cells(page, '#conversations')
    assert.deepEqual(convs[0]?.slice(0, 4), ['this device', 'www.netflix.com:443', 'TCP', '30'])
    assert.deepEqual(convs[0]?.slice(4), [bytes(tv?.o ?? 0), bytes(tv?.i ?? 0)])
    await page.screenshot({ path: join(SHOTS, 'device.png'), fullPage: true })
    // Back returns to the overview.
    await reloadsAfter(page, () => page.goBack())
    assert.equal(new URL(page.url()).searchParams.get('view'), null)
    assert.equal(await page.locator('#card-devices').isVisible(), true)
    await page.close()
  })

  await t.test('an IPv6 device from a bookmark; a LAN peer is in its remote side', async () => {
    const page = await ui.open('/?view=device&device=2001:db8:1::40')
    assert.equal(await page.locator('#page-name').innerText(), 'phone.lan')
    assert.deepEqual(
      (await cells(page, '#remote-service')).map((r) => r[0]),
      ['quic udp/443'],
    )
    await page.close()
    const laptop = await ui.open('/?view=device&device=192.168.1.30')
    assert.deepEqual(
      (await cells(laptop, '#remote-service')).map((r) => r[0]),
      ['https tcp/443', 'dns udp/53'],
    )
    // Its conversation with the Pi-hole (on the LAN) links to the Pi-hole's device page,
    // the one with the cloud to the remote host's page.
    const links = await laptop.evaluate<[string, string][]>(
      `[...document.querySelectorAll('#conversations a')].map((a) => [a.textContent, a.href])`,
    )
    const to = (text: string): [string | null, string | null] => {
      const href = links.find(([t]) => t === text)?.[1]
      assert.ok(href, `no link ${text} in ${JSON.stringify(links)}`)
      const q = new URL(href).searchParams
      return [q.get('view'), q.get('device') ?? q.get('remote')]
    }
    assert.deepEqual(to('pihole.lan:53'), ['device', '192.168.1.2'])
    assert.equal(to(links.find(([t]) => t.endsWith(':443'))?.[0] ?? '')[0], 'remote')
    // So does its Remote hosts panel.
    const hosts = await laptop.evaluate<[string, string][]>(
      `[...document.querySelectorAll('#remote-host a')].map((a) => [a.textContent, a.href])`,
    )
    const view = (name: string): [string | null, string | null] => {
      const href = hosts.find(([t]) => t.startsWith(name))?.[1]
      assert.ok(href, `no ${name} in ${JSON.stringify(hosts)}`)
      const q = new URL(href).searchParams
      return [q.get('view'), q.get('device') ?? q.get('remote')]
    }
    assert.deepEqual(view('pihole.lan'), ['device', '192.168.1.2'])
    assert.equal(view('cloud.example.net')[0], 'remote')
    await laptop.close()
  })

  await t.test('device page on a phone and in dark mode; keyboard to a device', async () => {
    const phone = await ui.open('/?view=device&device=192.168.1.20', {
      size: { width: 390, height: 844 },
    })
    const overflow = await phone.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )
    assert.ok(overflow <= 0, `the device page is ${overflow}px wider than the phone`)
    await phone.screenshot({ path: join(SHOTS, 'device-phone.png'), fullPage: true })
    await phone.close()
    const dark = await ui.open('/?view=device&device=2001:db8:1::40', {
      before: (p) => p.emulateMedia({ colorScheme: 'dark' }),
    })
    assert.equal(await dark.locator('#page-name').innerText(), 'phone.lan')
    await dark.screenshot({ path: join(SHOTS, 'device-dark.png'), fullPage: true })
    await dark.close()
    // Tab to the first device and open it with Enter.
    const page = await ui.open('/')
    await page.focus('#filter-input')
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab')
      if (await page.evaluate<boolean>(`document.activeElement.matches('#devices a.pick')`)) break
    }
    await reloadsAfter(page, () => page.keyboard.press('Enter'))
    assert.equal(new URL(page.url()).searchParams.get('device'), '192.168.1.20')
    await page.close()
  })

  await t.test('SQL console: the examples run as shipped, CSV, errors', async () => {
    const page = await ui.open('/?view=sql')
    assert.equal(await page.locator('#sql-card').isVisible(), true)
    assert.equal(await page.locator('#traffic-card').isVisible(), false)
    const examples = await page
      .locator('#sql-example optgroup[label="Examples"] option')
      .allInnerTexts()
    assert.ok(examples.length >= 4)
    const done = `!['', 'running…'].includes(document.querySelector('#sql-info').textContent) || !document.querySelector('#sql-error').hidden`
    for (const [i, name] of examples.entries()) {
      await page.selectOption('#sql-example', `e:${i}`)
      await page.evaluate(`document.querySelector('#sql-info').textContent = ''`)
      await page.click('#sql-run')
      await page.waitForFunction(done)
      const error = await page.locator('#sql-error').innerText()
      assert.equal(await page.locator('#sql-error').isHidden(), true, `${name}: ${error}`)
      assert.ok((await page.locator('#sql-result tbody tr').count()) > 0, `${name} has rows`)
    }
    await page.selectOption('#sql-example', 'e:0')
    await page.click('#sql-run')
    await page.waitForFunction(`document.querySelectorAll('#sql-result tbody tr').length === 8`)
    assert.deepEqual(await page.locator('#sql-result thead th').allInnerTexts(), [
      'dst_host',
      'volume',
      'flows',
    ])
    assert.deepEqual((await cells(page, '#sql-result'))[0], ['living-room-tv', '240.00 MB', '30'])
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sql-csv')])
    const csv = readFileSync(await download.path(), 'utf8')
    assert.match(csv, /^"dst_host","volume","flows"\n"living-room-tv","240\.00 MB",30\n/)
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
    await loaded(page)
    await page.close()
  })

  await t.test('SQL console: schema browser and saved queries', async () => {
    const page = await ui.open('/?view=sql')
    await page.click('#schema summary')
    await page.waitForSelector('.schema-table[data-table="flows"]')
    const tables = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.schema-table')].map((d) => d.dataset.table)`,
    )
    assert.deepEqual(tables.slice(0, 1), ['flows'])
    assert.ok(tables.includes('flows_1h') && !tables.some((x) => x.endsWith('_mv')))
    // The clear rows of anonymise.clear_days are offered; the table of its key is not.
    assert.ok(tables.includes('flows_clear') && !tables.includes('anonymise_key'))
    // Every table says what it holds.
    const bare = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.schema-table')].filter((d) => !d.querySelector('summary small')?.textContent?.trim()).map((d) => d.dataset.table)`,
    )
    assert.deepEqual(bare, [], 'tables without a description')
    await page.click('.schema-table[data-table="flows"] summary')
    await page.fill('#sql', 'SELECT  FROM flows')
    await page.evaluate(`document.querySelector('#sql').setSelectionRange(7, 7)`)
    await page.click('.schema-table[data-table="flows"] button.column:text-is("dst_host")')
    assert.equal(await page.inputValue('#sql'), 'SELECT dst_host FROM flows')

    const sql = 'SELECT count() AS n FROM flows'
    await page.fill('#sql', sql)
    await page.fill('#sql-name', 'count flows')
    await page.click('#sql-save')
    await reloadsAfter(page, () => page.reload())
    await page.selectOption('#sql-example', 's:count flows')
    assert.equal(await page.inputValue('#sql'), sql)
    await page.click('#sql-run')
    await page.waitForFunction(`document.querySelector('#sql-info').textContent.includes('1 rows')`)
    assert.deepEqual(await cells(page, '#sql-result'), [[String(ui.flows.length)]])
    await page.click('#sql-delete')
    assert.equal(await page.locator('#sql-example option[value="s:count flows"]').count(), 0)
    await page.close()
  })

  assert.deepEqual(ui.foreign, [], 'the UI fetched from outside the collector')
  // The refused and failed queries above are the only failed requests.
  const unexpected = ui.errors.filter((e) => !/status of 40[03] .*\/api\/query$/.test(e))
  assert.deepEqual(unexpected, [], 'errors in the page console')
  assert.equal(ui.errors.length, 2)
})
