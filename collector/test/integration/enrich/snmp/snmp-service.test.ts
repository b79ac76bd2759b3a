// SNMP interface names end to end through a real collector: a real snmpd answers for the
// exporter 127.0.0.1, an agent that never answers stands for 127.0.0.2; NetFlow v5 from
// both is stored, the first with the SNMP names (static enrich.interfaces wins per
// ifIndex), the second with none. After a restart with the agent gone the cached names
// are still written.
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createLogger } from '../../../../dist/observability/log.js'
import { v5Now } from '../../../support/netflow5.js'
import {
  eventually,
  metricValue,
  startTestService,
  type TestService,
} from '../../../support/service.js'
import { Snmpd } from '../../../support/snmpd.js'
import { requireTools } from '../../../support/tools.js'
import { IF_NAME } from '../../../../dist/enrich/snmp/walk.js'

const COMMUNITY = 'fl-e2e-c0mmunity'
/** Rows the host does not have, served through snmpd's `override`: known on any machine. */
const VIRTUAL = { 999: 'fl-virt0', 1000: 'fl-virt1' }
const STATIC = 'static-wins'

const dataDir = mkdtempSync(join(tmpdir(), 'flowloft-snmp-e2e-'))
after(() => rmSync(dataDir, { recursive: true, force: true }))

/** A UDP socket that takes SNMP requests and never answers. */
async function blackHole() {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  return { port: s.address().port, close: () => new Promise<void>((r) => s.close(() => r())) }
}

async function sendFrom(from: string, port: number, datagram: Uint8Array): Promise<void> {
  const s = createSocket('udp4')
  try {
    await new Promise<void>((r) => s.bind(0, from, () => r()))
    await new Promise<void>((resolve, reject) =>
      s.send(datagram, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    )
  } finally {
    await new Promise<void>((r) => s.close(() => r()))
  }
}

interface Row {
  in_if: number
  out_if: number
  in_if_name: string
  out_if_name: string
}

let marker = 0
/**
 * Send flows from `exporter` (in_if/out_if pairs) with a fresh marker in their bytes,
 * wait until they are stored and return them by in_if.
 */
async function roundTrip(
  svc: TestService,
  exporter: string,
  pairs: [number, number][],
): Promise<Map<number, Row>> {
  const bytes = 100_000 + ++marker
  const flows = pairs.map(([input, output], k) => ({
    src: `10.9.${marker % 250}.${k + 1}`,
    dst: '10.8.0.1',
    input,
    output,
    bytes,
  }))
  await sendFrom(exporter, svc.netflowPort, v5Now(flows))
  let rows: Row[] = []
  await eventually(async () => {
    rows = await svc.query<Row>(
      `SELECT in_if, out_if, toString(in_if_name) AS in_if_name, toString(out_if_name) AS out_if_name
       FROM flows WHERE bytes = ${bytes} AND exporter = toIPv6('::ffff:${exporter}')`,
    )
    return rows.length === pairs.length
  })
  return new Map(rows.map((r) => [r.in_if, r]))
}

void test('flows carry SNMP interface names, from the cache after a restart; a silent agent only counts', async (t) => {
  if (!requireTools(t, 'snmpd', 'snmpwalk')) return
  const agent = new Snmpd(
    COMMUNITY,
    Object.entries(VIRTUAL).map(([i, name]) => `override ${IF_NAME}.${i} octet_str "${name}"`),
  )
  t.after(() => agent.dispose())
  await agent.start()
  const oracle = agent.walk(IF_NAME)
  const lo = oracle.get(1)
  assert.ok(lo, 'snmpwalk sees ifIndex 1')
  const hole = await blackHole()
  t.after(() => hole.close())

  const lines: string[] = []
  const log = createLogger('info', {}, (l) => lines.push(l))
  const settings = (agentPort: number) => ({
    data_dir: dataDir,
    'enrich.interfaces': { '127.0.0.1': { '1000': STATIC } },
    'enrich.snmp.exporters': [
      { exporter: '127.0.0.1', agent: `127.0.0.1:${agentPort}`, community: COMMUNITY },
      { exporter: '127.0.0.2', agent: `127.0.0.1:${hole.port}` },
    ],
    'enrich.snmp.community': 'default-c0mmunity',
    'enrich.snmp.timeout_ms': 1500,
    'enrich.snmp.retries': 1,
  })
  const polls = (exporter: string, result: string) =>
    `flowloft_enrich_snmp_polls_total{exporter="${exporter}",result="${result}"}`

  let svc = await startTestService(settings(agent.port), log)
  try {
    await eventually(async () => {
      const m = await svc.metrics()
      return (
        metricValue(m, polls('127.0.0.1', 'ok')) >= 1 &&
        metricValue(m, polls('127.0.0.2', 'timeout')) >= 1
      )
    })
    // Names reach the workers within about a second of the poll: resend until they do.
    let rows = new Map<number, Row>()
    await eventually(async () => {
      rows = await roundTrip(svc, '127.0.0.1', [
        [1, 999],
        [1000, 1],
      ])
      return rows.get(1)?.in_if_name !== ''
    })
    assert.equal(rows.get(1)?.in_if_name, lo, 'ifName of ifIndex 1 as snmpwalk reports it')
    assert.equal(rows.get(1)?.out_if_name, VIRTUAL[999])
    assert.equal(rows.get(1000)?.in_if_name, STATIC, 'enrich.interfaces wins over SNMP')
    assert.equal(rows.get(1000)?.out_if_name, lo)

    // The silent agent's exporter: flows stored, names empty.
    const silent = await roundTrip(svc, '127.0.0.2', [[1, 999]])
    assert.deepEqual(
      [silent.get(1)?.in_if_name, silent.get(1)?.out_if_name],
      ['', ''],
      'no names for an agent that never answered',
    )
    // The interfaces table (fed from the flows) has the SNMP name.
    const [ifRow] = await svc.query<{ if_name: string }>(
      `SELECT if_name FROM flowloft.interfaces FINAL
       WHERE exporter = toIPv6('::ffff:127.0.0.1') AND if_index = 999`,
    )
    assert.equal(ifRow?.if_name, VIRTUAL[999])
  } finally {
    await svc.stop()
  }

  // Restart with the agent gone (its port now a black hole too): the cache still names.
  await agent.stop()
  svc = await startTestService(settings(hole.port), log)
  try {
    const rows = await roundTrip(svc, '127.0.0.1', [
      [1, 999],
      [1000, 1],
    ])
    assert.equal(rows.get(1)?.in_if_name, lo)
    assert.equal(rows.get(1)?.out_if_name, VIRTUAL[999])
    assert.equal(rows.get(1000)?.in_if_name, STATIC)
    await eventually(
      async () => metricValue(await svc.metrics(), polls('127.0.0.1', 'timeout')) >= 1,
    )
    const m = await svc.metrics()
    assert.equal(metricValue(m, polls('127.0.0.1', 'ok')), 0)
    assert.ok(metricValue(m, 'flowloft_enrich_snmp_interfaces{exporter="127.0.0.1"}') >= 3)
    assert.ok(
      metricValue(m, 'flowloft_enrich_snmp_last_success_timestamp_seconds{exporter="127.0.0.1"}') >
        0,
    )
  } finally {
    await svc.stop()
  }
  assert.ok(lines.some((l) => l.includes('SNMP poll failed')))
  assert.ok(!lines.some((l) => l.includes('c0mmunity')), 'communities are never logged')
})
