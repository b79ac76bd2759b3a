// The CLI as a user runs it: `flowloft decode` prints one JSON object per flow of a
// capture (column names as keys), `flowloft import` stores the same flows, and
// `flowloft query` reads them back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticTraffic, writePcap } from '@flowloft/decoder-wasm'
import { COLUMN_NAMES } from '../flows/tsv-json.js'
import { Nfcapd, softflowd } from '../testing/exporters.js'
import { UdpRecorder } from '../testing/capture.js'
import { requireTools } from '../testing/tools.js'

const MAIN = new URL('./main.js', import.meta.url).pathname

function flowloft(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

void test('decode and import a capture of a softflowd v5 export; totals equal nfdump', async (t) => {
  if (!requireTools(t, 'softflowd', 'nfcapd', 'nfdump')) return
  const dir = mkdtempSync(join(tmpdir(), 'fl-cli-'))
  try {
    const traffic = join(dir, 'traffic.pcap')
    writePcap(traffic, syntheticTraffic({ flows: 200, seed: 7, ipv6: 0 }))
    const rec = new UdpRecorder()
    const nf = new Nfcapd()
    await rec.start()
    await nf.start()
    const exported = await softflowd(traffic, [`127.0.0.1:${rec.port}`, `127.0.0.1:${nf.port}`], 5)
    await new Promise((r) => setTimeout(r, 300))
    await rec.stop()
    const expected = await nf.totals()
    assert.equal(expected.flows, exported, 'nfcapd lost datagrams')
    const export5 = join(dir, 'export-v5.pcap')
    rec.write(export5)

    const d = flowloft(['decode', export5])
    assert.equal(d.status, 0, d.stderr)
    const rows = d.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.equal(rows.length, expected.flows)
    assert.deepEqual(Object.keys(rows[0] ?? {}), COLUMN_NAMES)
    const sum = (k: string): number => rows.reduce((n, r) => n + Number(r[k]), 0)
    assert.equal(sum('bytes'), expected.bytes)
    assert.equal(sum('packets'), expected.packets)
    assert.equal(rows[0]?.['flow_type'], 'netflow5')
    assert.equal(rows[0]?.['exporter'], '127.0.0.1')

    const data = join(dir, 'data')
    const imp = flowloft(['import', export5, '--data-dir', data, '--http', '127.0.0.1:1'])
    assert.equal(imp.status, 0, imp.stderr)
    assert.match(imp.stdout, new RegExp(`imported ${expected.flows} flows`))

    const q = flowloft([
      'query',
      'SELECT count() AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM flows',
      '--data-dir',
      data,
      '--http',
      '127.0.0.1:1',
    ])
    assert.equal(q.status, 0, q.stderr)
    assert.deepEqual(JSON.parse(q.stdout.trim()), expected)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('a bad setting is named in the error and exits non-zero', () => {
  const r = flowloft(['config', '--listen-netflow', '0.0.0.0:70000'])
  assert.equal(r.status, 1)
  assert.match(
    r.stderr,
    /listen\.netflow \(--listen-netflow, FLOWLOFT_LISTEN_NETFLOW\).*port must be 0\.\.65535/,
  )
  const u = flowloft(['config', '--no-such-thing', '1'])
  assert.equal(u.status, 1)
  assert.match(u.stderr, /unknown flag --no-such-thing/)
})
