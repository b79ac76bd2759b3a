// The CLI as a user runs it: `flowloft decode` prints one JSON object per flow of a
// capture (column names as keys), `flowloft import` stores the same flows, and
// `flowloft query` reads them back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticTraffic, writePcap } from '@flowloft/decoder-wasm/testing'
import { COLUMN_NAMES } from '../../../dist/flows/tsv-json.js'
import { Nfcapd, softflowd } from '../../support/exporters.js'
import { UdpRecorder } from '../../support/capture.js'
import { requireTools } from '../../support/tools.js'

const MAIN = new URL('../../../dist/cli/main.js', import.meta.url).pathname

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

// `npx flowloft` from the repository root, as the README says: the root package's bin.
const ROOT = new URL('../../../../', import.meta.url).pathname

function byName(args: string[], cwd = ROOT): ReturnType<typeof flowloft> {
  const r = spawnSync('npx', ['--no-install', 'flowloft', ...args], { cwd, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

// The launcher npx runs, called directly where npx's own start-up would only add seconds.
const LAUNCHER = new URL('../../../bin/flowloft.js', import.meta.url).pathname
const launcher = (args: string[]): ReturnType<typeof flowloft> => {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

void test('flowloft by name: --version, version, help COMMAND and COMMAND --help', () => {
  const pkg = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as {
    version: string
  }
  for (const [i, args] of [['--version'], ['version'], ['-V']].entries()) {
    const r = i === 0 ? byName(args) : launcher(args)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `flowloft ${pkg.version}\n`)
  }
  const top = launcher(['--help'])
  assert.equal(top.status, 0)
  for (const c of ['serve', 'query', 'decode', 'import', 'migrate', 'config', 'version', 'help'])
    assert.match(top.stdout, new RegExp(`^  ${c}\\b`, 'm'))
  const a = launcher(['help', 'decode'])
  const b = launcher(['decode', '--help'])
  assert.equal(a.status, 0)
  assert.equal(a.stdout, b.stdout)
  assert.match(a.stdout, /^usage: flowloft decode FILE\.pcap$/m)
  assert.match(launcher(['help', 'settings']).stdout, /FLOWLOFT_DATA_DIR/)
  const bad = launcher(['help', 'nope'])
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /no command nope/)
})

void test('flowloft by name runs in the caller directory: relative paths resolve there', () => {
  // From the repository root, a relative data_dir lands under the root, not collector/.
  const rel = join('test-output', `cwd-${process.pid}`)
  try {
    const r = byName(['migrate', '--http', '127.0.0.1:1', '--data-dir', rel])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, 'schema is up to date\n')
    assert.ok(existsSync(join(ROOT, rel, 'clickhouse')), 'data_dir not under the caller directory')
    assert.ok(!existsSync(join(ROOT, 'collector', rel)))
  } finally {
    rmSync(join(ROOT, rel), { recursive: true, force: true })
  }
})

void test('a failure is one line without a stack trace', () => {
  const r = launcher(['decode', '/no/such/capture.pcap'])
  assert.equal(r.status, 1)
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/)
})

void test('on a CPU without AVX2 the embedded engine stops with one line that says what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-avx2-'))
  try {
    // A Celeron J4125's flags: SSE4.2 and AES, no AVX at all.
    const cpuinfo = join(dir, 'cpuinfo')
    writeFileSync(
      cpuinfo,
      'processor\t: 0\nmodel name\t: Intel(R) Celeron(R) J4125 CPU @ 2.00GHz\n' +
        'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr sse sse2 ssse3 sse4_1 sse4_2 popcnt aes rdrand\n',
    )
    const r = spawnSync(process.execPath, [MAIN, 'migrate', '--data-dir', join(dir, 'data')], {
      encoding: 'utf8',
      env: { ...process.env, FLOWLOFT_CPUINFO: cpuinfo },
    })
    assert.equal(r.status, 1)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /needs a CPU with AVX2.*docker compose up.*--clickhouse-url/)
    // The same command on this machine's own flags gets past the check.
    const ok = spawnSync(process.execPath, [MAIN, 'migrate', '--data-dir', join(dir, 'data')], {
      encoding: 'utf8',
    })
    assert.equal(ok.status, 0, ok.stderr)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
