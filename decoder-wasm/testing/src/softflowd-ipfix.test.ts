import { test } from 'node:test'
import assert from 'node:assert/strict'
import { requireTools } from './oracles/tools.js'
import { runOracle, truthTimes } from './oracles/softflowd-oracle.js'

const TOOLS = ['softflowd', 'tshark', 'nfcapd', 'nfdump']
const PACKAGES = 'softflowd tshark nfdump'

void test(
  'softflowd IPFIX: every record matches tshark, totals match nfdump',
  { timeout: 60_000 },
  async (t) => {
    if (!requireTools(t, TOOLS, PACKAGES)) return
    const run = await runOracle({ version: 10, seed: 11 })
    assert.deepEqual(new Set(run.statuses), new Set(['ok']))
    assert.equal(run.rows.length, 300)
    assert.deepEqual(run.ours, run.theirs)
    const bytes = run.rows.reduce((n, r) => n + r.bytes, 0)
    const packets = run.rows.reduce((n, r) => n + r.packets, 0)
    assert.deepEqual(run.nfdump, { flows: run.rows.length, packets, bytes })
    // Relative times anchored on systemInitTimeMilliseconds from options data land on
    // the capture's packet times.
    const truth = truthTimes(run.packets)
    for (const r of run.rows) {
      const icmp = r.proto === 1 || r.proto === 58
      const key = `${r.src}|${r.dst}|${r.proto}|${icmp ? 0 : r.srcPort}|${icmp ? 0 : r.dstPort}`
      const f = truth.get(key)
      assert.ok(f, `no synthetic flow ${key}`)
      assert.ok(Math.abs(r.start - f.first) <= 5, `${key} start ${r.start} vs ${f.first}`)
      assert.ok(Math.abs(r.end - f.last) <= 5, `${key} end ${r.end} vs ${f.last}`)
    }
  },
)

void test(
  'softflowd IPFIX sampled 1:10: samplingPacketInterval/Space gives the rate',
  { timeout: 60_000 },
  async (t) => {
    if (!requireTools(t, TOOLS, PACKAGES)) return
    const run = await runOracle({ version: 10, seed: 12, softflowdArgs: ['-s', '10'] })
    assert.deepEqual(new Set(run.statuses), new Set(['ok']))
    assert.ok(run.rows.length > 0)
    assert.deepEqual(new Set(run.rows.map((r) => r.rate)), new Set([10]))
    assert.deepEqual(run.ours, run.theirs)
    const bytes = run.rows.reduce((n, r) => n + r.bytes / r.rate, 0)
    const packets = run.rows.reduce((n, r) => n + r.packets / r.rate, 0)
    assert.deepEqual(run.nfdump, { flows: run.rows.length, packets, bytes })
  },
)

void test(
  'softflowd IPFIX biflows (RFC 5103): reverse records match tshark',
  { timeout: 60_000 },
  async (t) => {
    if (!requireTools(t, TOOLS, PACKAGES)) return
    const run = await runOracle({ version: 10, seed: 13, softflowdArgs: ['-b'] })
    assert.deepEqual(new Set(run.statuses), new Set(['ok']))
    assert.deepEqual(run.ours, run.theirs)
    // Every packet of the capture is counted once, in one direction or the other.
    assert.equal(
      run.rows.reduce((n, r) => n + r.packets, 0),
      run.packets.length,
    )
    assert.ok(run.nfdump.flows <= run.rows.length)
  },
)
