// The bundled domain -> app list and `apps.overrides`: the list is data that parses, names
// at least 150 apps with one entry per suffix; overrides replace or add entries; bad
// lines and bad overrides are refused with the line or the key named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../dist/settings.js'
import { guideBlock } from '../../support/guide-blocks.js'
import { loadBundledAppList, mergeAppLists, parseAppList } from '../../../dist/apps/list.js'

const load = (set: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) =>
  loadConfig({ flags: new Map(), env, set }).apps

void test('the bundled list: 150+ apps, one entry per suffix, lower-case suffixes', () => {
  const list = loadBundledAppList()
  const apps = new Set(list.map((d) => d.app))
  assert.ok(apps.size >= 150, `${apps.size} apps`)
  assert.equal(new Set(list.map((d) => d.suffix)).size, list.length, 'no suffix twice')
  for (const want of ['YouTube', 'Netflix', 'Zoom', 'WhatsApp', 'Steam', 'iCloud', 'TikTok'])
    assert.ok(apps.has(want), want)
  assert.deepEqual(
    list.find((d) => d.suffix === 'windowsupdate.com'),
    { suffix: 'windowsupdate.com', app: 'Windows Update', category: 'Updates' },
  )
  assert.deepEqual(list.find((d) => d.suffix === 'teams.microsoft.com')?.app, 'Microsoft Teams')
})

void test('a bad line of a list is refused with its line number', () => {
  assert.throws(
    () => parseAppList('# c\nyoutube.com\tYouTube\tVideo\nYouTube.com\tX\tY\n', 'l.tsv'),
    /^Error: l\.tsv:3: a domain suffix is lower-case labels/,
  )
  assert.throws(() => parseAppList('a.com\tA\n', 'l.tsv'), /l\.tsv:1: a name is 1\.\.64/)
  assert.throws(() => parseAppList('a.com\tA\tB\tC\n', 'l.tsv'), /l\.tsv:1: more than three/)
})

void test('overrides add and replace entries; an app alone is in Other', () => {
  const c = load({
    'apps.overrides': {
      'Example.Test': 'Home NAS',
      'steamcontent.com': { app: 'Game downloads', category: 'Gaming' },
    },
  })
  assert.deepEqual(c.overrides, [
    { suffix: 'example.test', app: 'Home NAS', category: 'Other' },
    { suffix: 'steamcontent.com', app: 'Game downloads', category: 'Gaming' },
  ])
  const list = mergeAppLists(loadBundledAppList(), c.overrides)
  assert.equal(list.length, loadBundledAppList().length + 1)
  assert.equal(list.find((d) => d.suffix === 'steamcontent.com')?.app, 'Game downloads')
  assert.equal(list.find((d) => d.suffix === 'steampowered.com')?.app, 'Steam')
  // From the environment, as JSON.
  const env = load({}, { FLOWLOFT_APPS_OVERRIDES: '{"plex.lan": "Plex"}' })
  assert.deepEqual(env.overrides, [{ suffix: 'plex.lan', app: 'Plex', category: 'Other' }])
  assert.deepEqual(load().overrides, [])
})

void test('a bad override names its key', () => {
  const bad = (v: unknown, re: RegExp): void =>
    assert.throws(() => load({ 'apps.overrides': v }), re)
  bad(['x'], /apps\.overrides must be a mapping of domain suffix/)
  bad({ 'not a domain': 'X' }, /apps\.overrides\.not a domain: a domain suffix is/)
  bad({ 'a.com': 7 }, /apps\.overrides\.a\.com must be an app name or \{app, category\}/)
  bad({ 'a.com': { app: 'A', colour: 'red' } }, /apps\.overrides\.a\.com\.colour is not a key/)
  bad({ 'a.com': { category: 'C' } }, /apps\.overrides\.a\.com\.app: it must be text/)
  bad(
    { 'a.com': { app: 'A', category: 'x'.repeat(65) } },
    /apps\.overrides\.a\.com\.category: a name is/,
  )
})

void test("docs/apps.md's example loads as written", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-apps-cfg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'flowloft.yaml')
  const docs = new URL('../../../../docs/apps.md', import.meta.url).pathname
  writeFileSync(file, guideBlock('apps-example', docs))
  const c = loadConfig({ flags: new Map(), env: {}, set: {}, file })
  assert.equal(c.enrich.pihole.log, '/var/log/pihole/pihole.log')
  assert.deepEqual(c.apps.overrides, [
    { suffix: 'home.example', app: 'Home', category: 'Other' },
    { suffix: 'media.home.example', app: 'Jellyfin', category: 'Video' },
    { suffix: 'steamcontent.com', app: 'Steam downloads', category: 'Gaming' },
  ])
})
