// The CI-length fuzz run (`make fuzz` runs 1,000,000 per protocol): every decoder gets
// mutated real datagrams through the decode workers' entry, with a watchdog on every
// call. No trap, no hang, a result for every datagram; the mutations must still reach
// both the decoders' good paths and many of their rejections, and a seed must give the
// same run again.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PROTOCOLS } from './corpus.js'
import { formatResult, runFuzz } from './run.js'

const COUNT = 50_000

void test(`every decoder survives ${COUNT} mutated datagrams`, { timeout: 120_000 }, async () => {
  const results = await runFuzz({
    protocols: PROTOCOLS,
    count: COUNT,
    seed: 20_261_122,
    parallel: 2,
  })
  for (const r of results) {
    console.log(formatResult(r))
    assert.deepEqual(r.traps, [], `${r.protocol}: decoder trapped`)
    assert.equal(r.hang, null, `${r.protocol}: a decode call hung`)
    assert.equal(r.datagrams, COUNT)
    assert.equal(r.unaccounted, 0, `${r.protocol}: datagrams without a result`)
    assert.equal(
      Object.values(r.results).reduce((a, b) => a + b, 0),
      COUNT,
    )
    // Most stay this protocol, a good share still decodes, many reasons are reached.
    assert.ok(
      (r.flowTypes[r.protocol] ?? 0) > COUNT / 2,
      `${r.protocol}: ${JSON.stringify(r.flowTypes)}`,
    )
    assert.ok((r.results['ok'] ?? 0) > COUNT / 10, `${r.protocol}: ${JSON.stringify(r.results)}`)
    assert.ok(Object.keys(r.results).length >= 5, `${r.protocol}: ${JSON.stringify(r.results)}`)
    assert.ok(r.flows > 0)
  }
})

void test('a seed gives the same run again; another seed a different one', async () => {
  const run = (seed: number) => runFuzz({ protocols: ['ipfix'], count: 5000, seed })
  const [a] = await run(7)
  const [b] = await run(7)
  const [c] = await run(8)
  assert.ok(a && b && c)
  const summary = (r: typeof a): unknown => ({
    flows: r.flows,
    results: r.results,
    types: r.flowTypes,
  })
  assert.deepEqual(summary(a), summary(b))
  assert.notDeepEqual(summary(a), summary(c))
})
