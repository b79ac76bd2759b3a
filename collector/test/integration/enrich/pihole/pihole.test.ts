// The Pi-hole / dnsmasq query log: a sample in dnsmasq 2.90's log-queries=extra format
// (interleaved queries, CNAME chains, PTR and blocked answers, a foreign line) teaches
// exactly the asked names; the follower keeps up with appends, truncation and rotation
// by rename; a log written by a real dnsmasq gives the name asked before the CNAME.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../../../dist/observability/log.js'
import { Registry } from '../../../../dist/observability/metrics.js'
import { startDnsmasq } from '../../../support/dnsmasq.js'
import { requireTools } from '../../../support/tools.js'
import { createPiholeLog } from '../../../../dist/enrich/pihole/index.js'

const SAMPLE = new URL(
  '../../../../test/integration/enrich/pihole/testdata/pihole.log',
  import.meta.url,
)

function follow(path: string) {
  const metrics = new Registry()
  const learned: Array<[string, string]> = []
  const log = createPiholeLog(path, {
    log: createLogger('error'),
    metrics,
    onName: (addr, name) => learned.push([addr, name]),
  })
  const count = (name: string, label: Record<string, string>): number =>
    metrics
      .read(name)
      .filter((s) => Object.entries(label).every(([k, v]) => s.labels[k] === v))
      .reduce((t, s) => t + s.value, 0)
  return { log, learned, count }
}

void test('the sample log teaches addresses the names that were asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pihole-'))
  const path = join(dir, 'pihole.log')
  writeFileSync(path, readFileSync(SAMPLE))
  const f = follow(path)
  await f.log.poll()
  assert.deepEqual(f.learned, [
    ['198.51.100.20', 'www.example.test'],
    ['2001:db8::20', 'video.example.test'],
    ['198.51.100.21', 'www.example.test'],
    ['10.0.0.5', 'nas.lan.test'],
    ['203.0.113.9', 'plain.example.test'], // no serial numbers: the latest query
  ])
  const lines = 'flowloft_enrich_pihole_lines_total'
  assert.equal(f.count(lines, { result: 'error' }), 1)
  assert.equal(f.count(lines, { result: 'learned' }), 5)
  assert.equal(f.count(lines, { result: 'ignored' }), 3) // start-up and forwarded lines
  await f.log.stop()
})

void test('appends, truncation and rotation by rename are followed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pihole-'))
  const path = join(dir, 'pihole.log')
  const q = (serial: number, name: string, addr: string): string =>
    `Nov 22 15:26:49 dnsmasq[7]: ${serial} 10.0.0.9/5000 query[A] ${name} from 10.0.0.9\n` +
    `Nov 22 15:26:49 dnsmasq[7]: ${serial} 10.0.0.9/5000 reply ${name} is ${addr}\n`
  const f = follow(path)
  await f.log.poll() // no file yet: nothing, no failure
  writeFileSync(path, q(1, 'one.test', '192.0.2.1'))
  await f.log.poll()
  // Half a line, then the rest.
  const two = q(2, 'two.test', '192.0.2.2')
  appendFileSync(path, two.slice(0, 100))
  await f.log.poll()
  appendFileSync(path, two.slice(100))
  await f.log.poll()
  assert.deepEqual(f.learned, [
    ['192.0.2.1', 'one.test'],
    ['192.0.2.2', 'two.test'],
  ])
  // Truncated and written again (copytruncate).
  writeFileSync(path, q(3, 'three.test', '192.0.2.3'))
  await f.log.poll()
  assert.deepEqual(f.learned.at(-1), ['192.0.2.3', 'three.test'])
  assert.equal(f.count('flowloft_enrich_pihole_reopens_total', { reason: 'truncated' }), 1)
  // Rotated: lines written to the old file before the rename are still read.
  appendFileSync(path, q(4, 'four.test', '192.0.2.4'))
  renameSync(path, `${path}.1`)
  writeFileSync(path, q(5, 'five.test', '192.0.2.5'))
  await f.log.poll()
  assert.deepEqual(f.learned.slice(3), [
    ['192.0.2.4', 'four.test'],
    ['192.0.2.5', 'five.test'],
  ])
  assert.equal(f.count('flowloft_enrich_pihole_reopens_total', { reason: 'rotated' }), 1)
  await f.log.stop()
})

void test('a log written by dnsmasq itself: the CNAME chain ends at the asked name', async (t) => {
  if (!requireTools(t, 'dnsmasq')) return
  const dns = await startDnsmasq([
    '--cname=shop.example.test,lb.cdn.test',
    '--cname=lb.cdn.test,node7.cdn.test',
    '--host-record=node7.cdn.test,198.51.100.77',
  ])
  t.after(() => dns.stop())
  assert.deepEqual(await dns.resolver.resolve4('shop.example.test'), ['198.51.100.77'])
  const f = follow(dns.logFile)
  t.after(() => f.log.stop())
  const until = Date.now() + 5000
  while (f.learned.length === 0 && Date.now() < until) {
    await f.log.poll()
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.deepEqual(f.learned, [['198.51.100.77', 'shop.example.test']])
  assert.equal(f.count('flowloft_enrich_pihole_lines_total', { result: 'error' }), 0)
})
