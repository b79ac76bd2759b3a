// Tried as a new user would: a fresh `flowloft serve` with no configuration at all, fed a
// home router's export (softflowd, NetFlow v9 like a MikroTik's default, of LAN hosts on
// 192.168.1.0/24 and fd00::/8 talking to the internet), stores every flow with a
// direction, inbound and outbound, and the home dashboards' panels (overview, countries,
// hosts), run through the collector's own /api/query, return rows.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Packet, writePcap } from '@flowloft/decoder-wasm/testing'
import { startChildService, type ChildService } from '../support/child-service.js'
import { RANGES, runEveryPanel, type Result } from '../support/dashboard-panels.js'
import { runSoftflowd } from '../support/exporters.js'
import { eventually } from '../support/service.js'
import { requireTools } from '../support/tools.js'

const dir = mkdtempSync(join(tmpdir(), 'fl-first-run-'))
let svc: ChildService | undefined
after(async () => {
  await svc?.kill()
  rmSync(dir, { recursive: true, force: true })
})

const SERVERS = ['93.184.216.34', '151.101.1.69', '142.250.74.46', '2a00:1450:4001:80b::200e']

/** Ten minutes of a home: each LAN host fetches from servers that answer. */
function homeTraffic(now: number): Packet[] {
  const packets: Packet[] = []
  for (let i = 0; i < 400; i++) {
    const v6 = i % 4 === 3
    const host = v6 ? `fd00:1::${(i % 7) + 1}` : `192.168.1.${10 + (i % 7)}`
    const server = v6 ? (SERVERS[3] ?? '') : (SERVERS[i % 3] ?? '')
    const t = now - 600_000 + i * 1000
    const port = 40000 + (i % 40)
    packets.push(
      {
        timeMs: t,
        src: host,
        dst: server,
        proto: 6,
        srcPort: port,
        dstPort: 443,
        payloadBytes: 200,
      },
      {
        timeMs: t + 20,
        src: server,
        dst: host,
        proto: 6,
        srcPort: 443,
        dstPort: port,
        payloadBytes: 1400,
      },
    )
    if (i % 10 === 0)
      packets.push({
        timeMs: t + 1,
        src: host,
        dst: '1.1.1.1',
        proto: 17,
        srcPort: 5300 + i,
        dstPort: 53,
        payloadBytes: 40,
      })
  }
  return packets
}

void test('a fresh serve with no config stores a home export with a direction, and the home dashboards have rows', async (t) => {
  if (!requireTools(t, 'softflowd')) return
  svc = await startChildService(join(dir, 'data'))
  const s = svc
  const pcap = join(dir, 'home.pcap')
  writePcap(pcap, homeTraffic(Date.now()))
  const records = await runSoftflowd(['-r', pcap, '-n', `127.0.0.1:${s.netflowPort}`, '-v', '9'])
  assert.ok(records > 0)
  await eventually(async () => {
    const [row] = await s.query<{ n: number }>('SELECT count() AS n FROM flows')
    return Number(row?.n) === records
  }, 30_000)
  // The rollups' parts are committed right after the raw part: wait for the one the
  // dashboards' exporter variable reads.
  await eventually(async () => {
    const [row] = await s.query<{ n: number }>('SELECT count() AS n FROM flowloft.exporters')
    return Number(row?.n) > 0
  }, 10_000)
  const byDirection = await s.query<{ direction: string; n: string }>(
    'SELECT direction, count() AS n FROM flows GROUP BY direction ORDER BY direction',
  )
  const counts = Object.fromEntries(byDirection.map((r) => [r.direction, Number(r.n)]))
  console.log(`${records} flows from softflowd, by direction: ${JSON.stringify(counts)}`)
  assert.deepEqual(Object.keys(counts), ['inbound', 'outbound'])
  assert.ok((counts['inbound'] ?? 0) > 0 && (counts['outbound'] ?? 0) > 0)

  // The dashboards' queries, through the collector's own SQL endpoint.
  const run = async (sql: string): Promise<Result> => {
    const res = await fetch(`${s.httpBase}/api/query`, { method: 'POST', body: sql })
    const text = await res.text()
    if (res.status !== 200) throw new Error(`${res.status}: ${text}`)
    return JSON.parse(text) as Result
  }
  const hour = RANGES[0]
  const home = ['overview.json', 'countries.json', 'hosts.json']
  // Alerts are off without config: the alerts panel's query runs but has nothing to list.
  const r = await runEveryPanel(run, hour, Math.floor(Date.now() / 1000) + 60, home, [
    'Alerts (newest first)',
  ])
  console.log(`home dashboards: ${r.runs} queries, ${r.panelsWithRows} panels with rows`)
  assert.ok(r.panelsWithRows >= 3)
})
