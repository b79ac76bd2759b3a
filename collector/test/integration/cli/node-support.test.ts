// Which Node.js runs flowloft: the launcher refuses an older one in one line before loading
// the build, `serve` warns on a line past its end of life, and package.json says the same
// range. The launcher runs in a child process told another version by a preload module.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { endOfLifeNode, nodeEngines, unsupportedNode } from '../../../dist/cli/node-support.js'

const LAUNCHER = new URL('../../../bin/flowloft.js', import.meta.url).pathname

/** The launcher under this Node, with process.version set to `version` before it runs. */
function launcherAs(version: string, args: string[], cwd?: string) {
  const preload = `data:text/javascript,Object.defineProperty(process,'version',{value:'${version}'})`
  return spawnSync(process.execPath, ['--import', preload, LAUNCHER, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  })
}

void test('supported: 20.19+, 22.13+ and 24 onwards; the rest get one line naming the need', () => {
  for (const v of [
    'v20.19.0',
    'v20.20.2',
    'v22.13.0',
    'v22.23.5',
    'v24.0.0',
    'v24.22.3',
    'v26.1.0',
  ])
    assert.equal(unsupportedNode(v), null, v)
  for (const v of ['v18.20.8', 'v20.9.0', 'v20.18.3', 'v21.7.3', 'v22.12.0', 'v23.11.1'])
    assert.equal(
      unsupportedNode(v),
      `flowloft needs Node.js 20.19+, 22.13+ or 24+ (24 LTS recommended); this is ${v}`,
    )
  assert.equal(unsupportedNode(process.version), null, 'the Node running the tests')
})

void test('Node 20 is past its end of life: a warning naming 24 LTS; 22 and 24 are not', () => {
  assert.equal(
    endOfLifeNode('v20.20.2'),
    'Node.js 20 reached its end of life in April 2026: run flowloft on Node.js 24 LTS',
  )
  for (const v of ['v22.13.0', 'v24.22.3', 'v26.1.0']) assert.equal(endOfLifeNode(v), null, v)
})

void test('package.json engines (root and collector) state the same range', () => {
  assert.equal(nodeEngines(), '^20.19.0 || ^22.13.0 || >=24')
  for (const file of ['../../../../package.json', '../../../package.json']) {
    const pkg = JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as {
      engines?: { node?: string }
    }
    assert.equal(pkg.engines?.node, nodeEngines(), file)
  }
})

void test('the launcher on too old a Node: exit 1, one line on stderr, nothing loaded', () => {
  const r = launcherAs('v18.20.8', ['version'])
  assert.equal(r.status, 1)
  assert.equal(r.stdout, '')
  assert.equal(
    r.stderr,
    'flowloft needs Node.js 20.19+, 22.13+ or 24+ (24 LTS recommended); this is v18.20.8\n',
  )
  const ok = launcherAs('v20.19.0', ['version'])
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(ok.stdout, /^flowloft \d+\.\d+\.\d+\n$/)
})

/**
 * `serve` under this Node told `version`, until it logs that it is ready (then SIGTERM);
 * its stderr. Fails after 60 s without the ready line.
 */
async function serveUntilReady(version: string, args: string[]): Promise<string> {
  const preload = `data:text/javascript,Object.defineProperty(process,'version',{value:'${version}'})`
  const child = spawn(process.execPath, ['--import', preload, LAUNCHER, 'serve', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  const exited = once(child, 'exit')
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000)
    child.stderr.on('data', (d: string) => {
      stderr += d
      if (/"msg":"ready: /.test(stderr)) {
        clearTimeout(timer)
        resolve(true)
      }
    })
    void exited.then(() => {
      clearTimeout(timer)
      resolve(false)
    })
  })
  const reached = await ready
  child.kill('SIGTERM')
  await exited
  assert.ok(reached, `serve on ${version} did not get ready:\n${stderr}`)
  return stderr
}

void test('serve on Node 20 logs the end-of-life warning first; on 24 it does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-node-'))
  try {
    // No ClickHouse answers on port 1: serve spools and still gets ready.
    const args = ['--clickhouse-url', 'http://127.0.0.1:1', '--http', '127.0.0.1:0']
    args.push(
      '--listen-netflow',
      '127.0.0.1:0',
      '--listen-ipfix',
      '127.0.0.1:0',
      '--listen-sflow',
      '127.0.0.1:0',
    )
    args.push('--data-dir', dir)
    const old = await serveUntilReady('v20.20.2', args)
    const first = JSON.parse(old.split('\n')[0] ?? '') as Record<string, unknown>
    assert.equal(first['level'], 'warn')
    assert.equal(first['msg'], endOfLifeNode('v20.20.2'))
    assert.equal(first['node'], 'v20.20.2')
    const now = await serveUntilReady('v24.22.3', args)
    assert.doesNotMatch(now, /end of life/)
    assert.match(now, /ECONNREFUSED 127\.0\.0\.1:1/, 'it got as far as the same failure')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
