// The learned set on its own: caps, expiry, the file it is kept in (entries that are
// not valid are skipped and counted, a file that is not ours is refused), and the
// operator's prefixes taking precedence over learned ones.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPrefixLayers } from '../../../dist/enrich/prefix-precedence.js'
import { LearnedSet } from '../../../dist/learned-prefixes/learned-set.js'

const limits = { perExporter: 2, exporters: 1, forgetSeconds: 100 }
const c = (prefix: string) => ({ prefix, evidence: 'inside_source' as const })

void test('caps per exporter and on exporters; expiry; a saved set reads back', () => {
  const s = new LearnedSet(limits)
  const o = s.observe(
    '192.0.2.1',
    [c('2001:db8:1::/64'), c('2001:db8:2::/64'), c('2001:db8:3::/64')],
    1000,
  )
  assert.deepEqual(o.refused, { exporter_cap: 1, exporters_cap: 0 })
  assert.deepEqual(s.observe('192.0.2.2', [c('203.0.113.9/32')], 1000).refused, {
    exporter_cap: 0,
    exporters_cap: 1,
  })
  s.observe('192.0.2.1', [c('2001:db8:2::/64')], 1050) // seen again: kept longer
  assert.deepEqual(
    [...s.expire(1100)].map(([e, l]) => [e, l.map((p) => p.prefix)]),
    [['192.0.2.1', ['2001:db8:1::/64']]],
  )
  assert.deepEqual(s.prefixes('192.0.2.1'), ['2001:db8:2::/64'])
  const file = join(mkdtempSync(join(tmpdir(), 'fl-learned-')), 'learned-prefixes.json')
  s.save(file)
  const back = new LearnedSet(limits)
  assert.deepEqual(back.load(file), { skipped: 0 })
  assert.deepEqual(back.list('192.0.2.1'), s.list('192.0.2.1'))
})

void test('a file with bad entries loads the good ones; one that is not ours throws', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-learned-'))
  const file = join(dir, 'learned-prefixes.json')
  const good = { prefix: '2001:DB8:1:0::/64', evidence: 'post_nat', learned_at: 1, last_seen: 2 }
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      exporters: {
        '::ffff:192.0.2.1': [good, { ...good, prefix: '10.0.0.0/33' }, { ...good, evidence: 'x' }],
        router: [good],
      },
    }),
  )
  const s = new LearnedSet({ ...limits, perExporter: 10 })
  assert.deepEqual(s.load(file), { skipped: 3 })
  assert.deepEqual(s.list('192.0.2.1'), [{ ...good, prefix: '2001:db8:1::/64' }])
  writeFileSync(file, '{"version":1')
  assert.throws(() => new LearnedSet(limits).load(file), /learned-prefixes\.json is not JSON/)
  assert.deepEqual(new LearnedSet(limits).load(join(dir, 'absent.json')), { skipped: 0 })
})

void test("the operator's prefixes take precedence; removing them lets the learned apply", () => {
  const published = new Map<string, readonly string[]>()
  const layers = createPrefixLayers({
    setExporterPrefixes: (e, p) => void published.set(e, p),
  })
  layers.setLearned('192.0.2.1', ['2001:db8:1::/64'])
  assert.deepEqual(published.get('192.0.2.1'), ['2001:db8:1::/64'])
  layers.setExplicit('::ffff:192.0.2.1', ['10.0.0.0/8'])
  assert.deepEqual(published.get('192.0.2.1'), ['10.0.0.0/8'])
  assert.equal(layers.hasExplicit('192.0.2.1'), true)
  layers.setLearned('192.0.2.1', ['2001:db8:2::/64'])
  assert.deepEqual(published.get('192.0.2.1'), ['10.0.0.0/8'], 'learning does not override')
  layers.setExplicit('192.0.2.1', [])
  assert.deepEqual(layers.effective('192.0.2.1'), ['2001:db8:2::/64'])
  assert.deepEqual(published.get('192.0.2.1'), ['2001:db8:2::/64'])
  assert.throws(() => layers.setExplicit('edge', []), /"edge" is not an IP address/)
})
