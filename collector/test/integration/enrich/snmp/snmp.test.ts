// The SNMP interface poller against a real Net-SNMP agent (Debian snmpd), with snmpwalk
// (Debian snmp) as the oracle; and the faults: a wrong community, an agent that never
// answers, one that answers garbage, a restart with the agent gone (the cache file).
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createLogger } from '../../../../dist/observability/log.js'
import { Registry } from '../../../../dist/observability/metrics.js'
import { requireTools } from '../../../support/tools.js'
import { Snmpd } from '../../../support/snmpd.js'
import type { InterfaceInfo } from '../../../../dist/enrich/index.js'
import { CACHE_FILE } from '../../../../dist/enrich/snmp/cache.js'
import type { SnmpConfig } from '../../../../dist/enrich/snmp/config.js'
import { createSnmpPoller } from '../../../../dist/enrich/snmp/index.js'
import {
  IF_ALIAS,
  IF_DESCR,
  IF_HIGH_SPEED,
  IF_NAME,
  SnmpWalkError,
  walkInterfaces,
} from '../../../../dist/enrich/snmp/walk.js'

const COMMUNITY = 'fl-test-c0mmunity'
const ALIAS = 'uplink: core-1 (port 7)'
const SPEED = 40000
const agent = new Snmpd(COMMUNITY, [
  // A known ifAlias and ifHighSpeed on ifIndex 1 (lo), beside the host's real values.
  `override ${IF_ALIAS}.1 octet_str "${ALIAS}"`,
  `override ${IF_HIGH_SPEED}.1 uinteger ${SPEED}`,
])
const dir = mkdtempSync(join(tmpdir(), 'flowloft-snmp-'))
let started = false

before(async () => {
  if (existsSync('/usr/sbin/snmpd')) {
    await agent.start()
    started = true
  }
})
after(async () => {
  await agent.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const target = (over: Partial<Parameters<typeof walkInterfaces>[0]> = {}) => ({
  host: '127.0.0.1',
  port: agent.port,
  community: COMMUNITY,
  timeoutMs: 1000,
  retries: 0,
  ...over,
})

/** A UDP socket that takes requests and never answers (or answers `reply`). */
async function silentAgent(reply?: Buffer) {
  const s = createSocket('udp4')
  let received = 0
  s.on('message', (_m, from) => {
    received++
    if (reply) s.send(reply, from.port, from.address)
  })
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  return {
    port: s.address().port,
    received: () => received,
    close: () => new Promise<void>((r) => s.close(() => r())),
  }
}

void test('the walk gives the interfaces snmpwalk reports (ifName, ifDescr, ifAlias, ifHighSpeed)', async (t) => {
  if (!requireTools(t, 'snmpd', 'snmpwalk') || !started) return
  const got = await walkInterfaces(target())
  const names = agent.walk(IF_NAME)
  const descrs = agent.walk(IF_DESCR)
  const aliases = agent.walk(IF_ALIAS)
  const speeds = agent.walk(IF_HIGH_SPEED)
  assert.ok(names.size >= 1, 'the host has at least lo')
  assert.deepEqual(
    [...got.keys()].sort((a, b) => a - b),
    [...descrs.keys()].sort((a, b) => a - b),
  )
  for (const [i, info] of got) {
    assert.equal(info.name, names.get(i) || descrs.get(i), `ifName of ${i}`)
    assert.equal(info.description, descrs.get(i), `ifDescr of ${i}`)
    assert.equal(info.alias, aliases.get(i) ?? '', `ifAlias of ${i}`)
    assert.equal(info.speedMbps, Number(speeds.get(i) ?? 0), `ifHighSpeed of ${i}`)
  }
  // The config lines reached both, so the comparison covers non-empty aliases and speeds.
  assert.equal(got.get(1)?.alias, ALIAS)
  assert.equal(got.get(1)?.speedMbps, SPEED)
})

void test('a wrong community is a timeout (v2c agents do not answer it)', async (t) => {
  if (!requireTools(t, 'snmpd') || !started) return
  const t0 = Date.now()
  await assert.rejects(
    walkInterfaces(target({ community: 'not-the-community', timeoutMs: 300 })),
    (err: unknown) => {
      assert.ok(err instanceof SnmpWalkError)
      assert.equal(err.kind, 'timeout')
      assert.ok(!err.message.includes('not-the-community'), 'the community is not in the message')
      return true
    },
  )
  assert.ok(Date.now() - t0 < 5000, 'bounded by timeout_ms')
})

void test('an agent that never answers times out after the retries; garbage answers are an error', async () => {
  const hole = await silentAgent()
  try {
    await assert.rejects(
      walkInterfaces(target({ port: hole.port, timeoutMs: 200, retries: 2 })),
      (err: unknown) => err instanceof SnmpWalkError && err.kind === 'timeout',
    )
    // Four columns, each sent 1 + 2 retries times before the first gave up.
    assert.ok(hole.received() >= 3, `requests received: ${hole.received()}`)
  } finally {
    await hole.close()
  }
  const junk = await silentAgent(Buffer.from('this is not BER at all'))
  try {
    await assert.rejects(
      walkInterfaces(target({ port: junk.port, timeoutMs: 300 })),
      (err: unknown) => err instanceof SnmpWalkError && err.kind === 'error',
    )
  } finally {
    await junk.close()
  }
})

interface Recorded {
  exporter: string
  ifs: Map<number, InterfaceInfo>
}

function pollerConfig(port: number, community = COMMUNITY): SnmpConfig {
  return {
    community: 'public',
    port: 161,
    intervalSeconds: 600,
    timeoutMs: 300,
    retries: 0,
    exporters: [{ exporter: '192.0.2.7', host: '127.0.0.1', port, community }],
  }
}

function makePoller(config: SnmpConfig, lines: string[]) {
  const metrics = new Registry()
  const calls: Recorded[] = []
  const poller = createSnmpPoller(config, {
    dataDir: dir,
    log: createLogger('debug', {}, (l) => lines.push(l)),
    metrics,
    dynamic: { setInterfaces: (exporter, ifs) => calls.push({ exporter, ifs: new Map(ifs) }) },
  })
  return { poller, metrics, calls }
}

void test('the poller publishes the names, caches them, and uses the cache while the agent is gone', async (t) => {
  if (!requireTools(t, 'snmpd', 'snmpwalk') || !started) return
  const lines: string[] = []
  const a = makePoller(pollerConfig(agent.port), lines)
  await a.poller.pollAll()
  const polled = a.metrics.render()
  assert.match(polled, /flowloft_enrich_snmp_polls_total\{exporter="192.0.2.7",result="ok"\} 1/)
  assert.equal(a.calls.length, 1)
  assert.equal(a.calls[0]?.exporter, '192.0.2.7')
  const names = agent.walk(IF_NAME)
  assert.deepEqual(
    new Map([...(a.calls[0]?.ifs ?? [])].map(([i, x]) => [i, x.name])),
    names,
    'the names published are the ones snmpwalk sees',
  )
  const cacheFile = join(dir, CACHE_FILE)
  assert.ok(existsSync(cacheFile))
  // A second poll with nothing changed publishes nothing new.
  await a.poller.pollAll()
  assert.equal(a.calls.length, 1)
  assert.ok(a.metrics.render().includes('result="ok"} 2'))

  // Restart with the agent gone: the cached names are applied at start, before any answer.
  await agent.stop()
  const b = makePoller(pollerConfig(agent.port), lines)
  b.poller.start()
  assert.equal(b.calls.length, 1, 'cached names applied synchronously at start')
  assert.deepEqual(b.calls[0]?.ifs, a.calls[0]?.ifs)
  await b.poller.pollAll()
  b.poller.stop()
  const text = b.metrics.render()
  assert.match(text, /flowloft_enrich_snmp_polls_total\{exporter="192.0.2.7",result="timeout"\} 1/)
  const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as {
    exporters: Record<string, { polled_at: number }>
  }
  const polledAt = cached.exporters['192.0.2.7']?.polled_at
  assert.ok(polledAt !== undefined && polledAt > 0)
  assert.match(
    text,
    new RegExp(
      `flowloft_enrich_snmp_last_success_timestamp_seconds\\{exporter="192.0.2.7"\\} ${polledAt}`,
    ),
  )
  assert.equal(b.calls.length, 1, 'a failed poll keeps the names')
  const warned = lines.filter((l) => l.includes('SNMP poll failed'))
  assert.ok(warned.length >= 1)
  assert.ok(!lines.some((l) => l.includes(COMMUNITY)), 'the community is never logged')
})
