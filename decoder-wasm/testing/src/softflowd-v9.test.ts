import { test } from 'node:test'
import assert from 'node:assert/strict'
import { requireTools } from './oracles/tools.js'
import { runOracle, truthTimes } from './oracles/softflowd-oracle.js'

const TOOLS = ['softflowd', 'tshark', 'nfcapd', 'nfdump']
const PACKAGES = 'softflowd tshark nfdump'

void test(
  'softflowd NetFlow v9: every record matches tshark, totals match nfdump',
  { timeout: 60_000 },
  async (t) => {
    if (!requireTools(t, TOOLS, PACKAGES)) return
    const run = await runOracle({ version: 9 })
    assert.ok(run.datagrams > 1)
    assert.deepEqual(new Set(run.statuses), new Set(['ok']))
    assert.equal(run.rows.length, 300)
    assert.deepEqual(run.ours, run.theirs)
    const bytes = run.rows.reduce((n, r) => n + r.bytes, 0)
    const packets = run.rows.reduce((n, r) => n + r.packets, 0)
    assert.deepEqual(run.nfdump, { flows: run.rows.length, packets, bytes })
    assert.equal(packets, run.packets.length)
    // Flow times land on the capture's packet times: v9 headers carry whole seconds (up to
    // 999 ms early), and softflowd's sysUptime milliseconds round once more (a few ms).
    const SLACK_MS = 1005
    const truth = truthTimes(run.packets)
    for (const r of run.rows) {
      const key = `${r.src}|${r.dst}|${r.proto}|${r.proto === 1 || r.proto === 58 ? 0 : r.srcPort}|${r.proto === 1 || r.proto === 58 ? 0 : r.dstPort}`
      const f = truth.get(key)
      assert.ok(f, `no synthetic flow ${key}`)
      assert.ok(Math.abs(r.start - f.first) <= SLACK_MS, `${key} start ${r.start} vs ${f.first}`)
      assert.ok(Math.abs(r.end - f.last) <= SLACK_MS, `${key} end ${r.end} vs ${f.last}`)
      assert.equal(r.packets, f.packets)
    }
  },
)

void test(
  'softflowd NetFlow v9 sampled 1:10: options data rate applied',
  { timeout: 60_000 },
  async (t) => {
    if (!requireTools(t, TOOLS, PACKAGES)) return
    const run = await runOracle({ version: 9, softflowdArgs: ['-s', '10'] })
    assert.deepEqual(new Set(run.statuses), new Set(['ok']))
    assert.ok(run.rows.length > 0)
    assert.deepEqual(new Set(run.rows.map((r) => r.rate)), new Set([10]))
    assert.deepEqual(run.ours, run.theirs)
    // nfdump stores the counters as sent (it does not scale by the options rate).
    const bytes = run.rows.reduce((n, r) => n + r.bytes / r.rate, 0)
    const packets = run.rows.reduce((n, r) => n + r.packets / r.rate, 0)
    assert.deepEqual(run.nfdump, { flows: run.rows.length, packets, bytes })
    // Scaled back up, 1 packet in 10 estimates the capture's packet count.
    const estimate = packets * 10
    assert.ok(
      Math.abs(estimate - run.packets.length) < run.packets.length * 0.2,
      `${estimate} vs ${run.packets.length}`,
    )
  },
)
