// The collector under test for bench/e2e.mjs: `flowloft serve` as a child process on the
// embedded engine (its own data directory, free ports, enrichers on or off), its
// /metrics and /api/query, and its CPU and memory from /proc.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { freeUdpPort } from '../collector/dist-test/support/exporters.js'

const CLI = new URL('../collector/bin/flowloft.js', import.meta.url).pathname
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** The allocator settings the image and `make run` set (Dockerfile, Makefile). */
export const MALLOC_ENV = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '67108864',
  MALLOC_TRIM_THRESHOLD_: '67108864',
}

/** CPU seconds (user + system) and resident bytes of a process, from /proc. */
export function procSample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(f[11]) + Number(f[12])
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  return { cpu: ticks / 100, rss: rss * 1024 }
}

/** Sum of a metric's samples; with `label`, the sums by that label's value. */
export function metricSum(text, name, label) {
  let sum = 0
  const by = {}
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
      const v = Number(line.slice(line.lastIndexOf(' ') + 1))
      sum += v
      if (label) {
        const key = new RegExp(`[{,]${label}="([^"]*)"`).exec(line)?.[1] ?? ''
        by[key] = (by[key] ?? 0) + v
      }
    }
  }
  return label ? by : sum
}

/** flowloft: rows stored for the exporter, once all sent are in (or nothing moves for 10 s). */
export async function flowloftStored(c, address, sent) {
  let last = -1
  let still = 0
  for (let i = 0; i < 600; i++) {
    const rows = await c.query(
      `SELECT count() AS n FROM flows WHERE exporter = toIPv6('::ffff:${address}')`,
    )
    const n = Number(rows[0]?.n ?? 0)
    if (n >= sent) return n
    still = n === last ? still + 1 : 0
    if (still >= 20) return n
    last = n
    await sleep(500)
  }
  return last
}

export async function startCollector(enrich, extraEnv = {}, nodeArgs = []) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'flowloft-e2e-'))
  const ports = {
    netflow: await freeUdpPort(),
    sflow: await freeUdpPort(),
    http: await freeUdpPort(),
  }
  const env = {
    // The caller's allocator settings win.
    ...MALLOC_ENV,
    ...process.env,
    FLOWLOFT_DATA_DIR: dataDir,
    FLOWLOFT_LISTEN_NETFLOW: `127.0.0.1:${ports.netflow}`,
    FLOWLOFT_LISTEN_IPFIX: '',
    FLOWLOFT_LISTEN_SFLOW: `127.0.0.1:${ports.sflow}`,
    FLOWLOFT_HTTP_LISTEN: `127.0.0.1:${ports.http}`,
    FLOWLOFT_LOG_LEVEL: 'warn',
  }
  if (enrich) {
    Object.assign(env, {
      FLOWLOFT_ENRICH_LOCAL_PREFIXES: '10.0.0.0/8,192.168.0.0/16,fd00::/8',
      FLOWLOFT_ENRICH_HOST_ALIASES: JSON.stringify({ '10.0.0.1': 'gateway' }),
      FLOWLOFT_ENRICH_INTERFACES: JSON.stringify({ '127.1.1.1': { 1: 'ether1', 2: 'bridge' } }),
      // Reverse DNS on, for local addresses, against a server that is not there: lookups
      // time out off the hot path, as they would with a slow resolver.
      FLOWLOFT_ENRICH_DNS_ENABLED: 'true',
      FLOWLOFT_ENRICH_DNS_SERVERS: `127.0.0.1:${await freeUdpPort()}`,
    })
  } else {
    Object.assign(env, {
      FLOWLOFT_ENRICH_GEOIP_COUNTRY_DB: 'off',
      FLOWLOFT_ENRICH_GEOIP_ASN_DB: 'off',
    })
  }
  Object.assign(env, extraEnv)
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const exited = new Promise((r) => child.once('exit', r))
  let stderr = ''
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
  let stopping = null
  const c = {
    pid: child.pid,
    ports,
    /** Stop the collector (SIGKILL after `graceMs`) and remove its data directory. */
    stop(graceMs = 60_000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM')
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs)
          await exited
          clearTimeout(t)
        }
        rmSync(dataDir, { recursive: true, force: true })
      })()
      return stopping
    },
  }
  const base = `http://127.0.0.1:${ports.http}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) {
      await c.stop()
      throw new Error(`collector exited: ${stderr}`)
    }
    try {
      if ((await fetch(`${base}/readyz`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await c.stop(5000)
      throw new Error(`collector not ready: ${stderr}`)
    }
    await sleep(200)
  }
  c.query = async (sql) => {
    const res = await fetch(`${base}/api/query`, { method: 'POST', body: sql })
    const body = await res.json()
    if (!res.ok) throw new Error(`query failed: ${JSON.stringify(body)}`)
    return body.data
  }
  c.metrics = async () => (await fetch(`${base}/metrics`)).text()
  return c
}
