// Apps from DNS end to end: a real dnsmasq answers a device in a network namespace and
// logs its queries (Pi-hole format) to the file a real collector follows; NetFlow v5
// flows from a LAN device to the answered addresses are stored with the app of the name
// asked (the longest listed suffix: mail.google.com is Gmail, not Google), the rollups
// and /api/remote?by=app (with each app's category) agree, the app filter selects one
// app, and `apps.overrides` changes the answer (a new app, a bundled one replaced).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { startDnsmasq } from '../../support/dnsmasq.js'
import { sendUntil } from '../../support/send-until.js'
import { startTestService, type TestService } from '../../support/service.js'
import { requireTools } from '../../support/tools.js'

const NS = 'flowloft-apps'
const HOST_SIDE = '10.203.0.1'
const DEVICE_NS = '10.203.0.2'
const LAPTOP = '192.168.1.30'

/** Name -> the address dnsmasq answers with. */
const RECORDS: Record<string, string> = {
  'r4---sn-4g5e6nzz.googlevideo.com': '198.51.100.31',
  'us04web.zoom.us': '198.51.100.32',
  'cache1-ams1.steamcontent.com': '198.51.100.33',
  '7.tlu.dl.delivery.mp.microsoft.com': '198.51.100.34',
  'mail.google.com': '198.51.100.35',
  'www.google.com': '198.51.100.36',
  'nas.example.test': '198.51.100.37',
}

const ip = (...args: string[]): void => {
  const r = spawnSync('ip', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`)
}

/** Asks dnsmasq for every name from inside the namespace (Node's resolver there). */
function askFromNamespace(port: number): void {
  const script = `const { Resolver } = require('node:dns').promises
    const r = new Resolver({ timeout: 1000, tries: 2 }); r.setServers(['${HOST_SIDE}:${port}'])
    Promise.all(${JSON.stringify(Object.keys(RECORDS))}.map((n) => r.resolve4(n)))
      .then((a) => console.log(JSON.stringify(a)), (e) => { console.error(e); process.exit(1) })`
  const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, '-e', script], {
    encoding: 'utf8',
  })
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(
    JSON.parse(r.stdout),
    Object.values(RECORDS).map((a) => [a]),
  )
}

interface AppRow {
  dst: string
  dst_host: string
  app: string
}

async function storedApps(svc: TestService): Promise<Record<string, string>> {
  const flows = Object.values(RECORDS).map((dst) => ({ src: LAPTOP, dst }))
  const named = (rows: Map<string, { dst_host: string }>): boolean =>
    Object.entries(RECORDS).every(([name, dst]) => rows.get(`${LAPTOP}>${dst}`)?.dst_host === name)
  await sendUntil(svc, flows, named, 2000)
  const rows = await svc.query<AppRow>(
    `SELECT DISTINCT dst_host, app FROM flows WHERE dst_host != '' ORDER BY dst_host`,
  )
  return Object.fromEntries(rows.map((r) => [r.dst_host, r.app]))
}

void test('dnsmasq answers name the apps of flows, the rollups and the API', async (t) => {
  if (!requireTools(t, 'dnsmasq', 'ip')) return
  if (process.getuid?.() !== 0) return t.skip('network namespaces need root')
  spawnSync('ip', ['netns', 'del', NS])
  ip('netns', 'add', NS)
  t.after(() => spawnSync('ip', ['netns', 'del', NS]))
  ip('link', 'add', 'fl-apps0', 'type', 'veth', 'peer', 'name', 'fl-apps1')
  t.after(() => spawnSync('ip', ['link', 'del', 'fl-apps0']))
  ip('link', 'set', 'fl-apps1', 'netns', NS)
  ip('addr', 'add', `${HOST_SIDE}/30`, 'dev', 'fl-apps0')
  ip('link', 'set', 'fl-apps0', 'up')
  ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${DEVICE_NS}/30`, 'dev', 'fl-apps1')
  ip('netns', 'exec', NS, 'ip', 'link', 'set', 'fl-apps1', 'up')
  ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up')
  const dns = await startDnsmasq([
    `--listen-address=${HOST_SIDE}`,
    ...Object.entries(RECORDS).map(([n, a]) => `--host-record=${n},${a}`),
  ])
  t.after(() => dns.stop())
  askFromNamespace(dns.port)
  // The queries came from the namespace's device (dnsmasq's log says whom it answered).
  assert.match(
    readFileSync(dns.logFile, 'utf8'),
    new RegExp(`query\\[A\\] us04web\\.zoom\\.us from ${DEVICE_NS}`),
  )

  const svc = await startTestService({ 'enrich.pihole.log': dns.logFile })
  const bundled = {
    '7.tlu.dl.delivery.mp.microsoft.com': 'Windows Update',
    'cache1-ams1.steamcontent.com': 'Steam',
    'mail.google.com': 'Gmail',
    'nas.example.test': '',
    'r4---sn-4g5e6nzz.googlevideo.com': 'YouTube',
    'us04web.zoom.us': 'Zoom',
    'www.google.com': 'Google',
  }
  try {
    assert.deepEqual(await storedApps(svc), bundled)
    // The rollups keep the app: bytes per app equal the raw flows'.
    const perApp = (table: string): Promise<Array<{ app: string; b: string }>> =>
      svc.query(`SELECT app, toString(sum(bytes)) AS b FROM ${table} GROUP BY app ORDER BY app`)
    const raw = await perApp('flows')
    assert.equal(raw.length, 7) // six apps and none
    assert.deepEqual(await perApp('flows_1m'), raw)
    assert.deepEqual(await perApp('flows_1h'), raw)

    // The device's apps, with their categories.
    const api = async (
      q: string,
    ): Promise<Array<{ key: string; label: string; bytes: number }>> => {
      const res = await fetch(`${svc.httpBase}/api/remote?${q}`)
      assert.equal(res.status, 200, await res.clone().text())
      return ((await res.json()) as { rows: Array<{ key: string; label: string; bytes: number }> })
        .rows
    }
    const rows = await api(`by=app&device=${LAPTOP}&range=1h&limit=20&source=flows`)
    assert.deepEqual(rows.map((r) => `${r.key}/${r.label}`).sort(), [
      '/',
      'Gmail/Email',
      'Google/Search',
      'Steam/Gaming',
      'Windows Update/Updates',
      'YouTube/Video',
      'Zoom/Video calls',
    ])
    const fromRollup = await api(`by=app&device=${LAPTOP}&limit=20&source=flows_1m`)
    assert.deepEqual(
      fromRollup.map((r) => [r.key, r.bytes]).sort(),
      rows.map((r) => [r.key, r.bytes]).sort(),
    )
    const steam = await api(`by=host&device=${LAPTOP}&app=Steam&source=flows`)
    assert.deepEqual(
      steam.map((r) => r.label),
      ['cache1-ams1.steamcontent.com'],
    )
    const none = await api(`by=host&device=${LAPTOP}&app=-&source=flows`)
    assert.deepEqual(
      none.map((r) => r.label),
      ['nas.example.test'],
    )
    const bad = await fetch(`${svc.httpBase}/api/remote?by=app&app=${'x'.repeat(65)}`)
    assert.equal(bad.status, 400)
  } finally {
    await svc.stop()
  }

  // Overrides: a name of one's own, and a bundled suffix given another app.
  const own = await startTestService({
    'enrich.pihole.log': dns.logFile,
    'apps.overrides': {
      'example.test': { app: 'Home NAS', category: 'Self-hosted' },
      'steamcontent.com': 'Game downloads',
    },
  })
  try {
    assert.deepEqual(await storedApps(own), {
      ...bundled,
      'nas.example.test': 'Home NAS',
      'cache1-ams1.steamcontent.com': 'Game downloads',
    })
    const res = await fetch(
      `${own.httpBase}/api/remote?by=app&device=${LAPTOP}&limit=20&source=flows`,
    )
    const rows = ((await res.json()) as { rows: Array<{ key: string; label: string }> }).rows
    assert.deepEqual(
      rows
        .filter((r) => ['Home NAS', 'Game downloads'].includes(r.key))
        .map((r) => `${r.key}/${r.label}`)
        .sort(),
      ['Game downloads/Other', 'Home NAS/Self-hosted'],
    )
  } finally {
    await own.stop()
  }
})
