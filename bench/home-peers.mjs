// The peers of bench/home-rate.mjs, each run under `sh -c '<collector>; exec sleep'` so
// that the CPU of everything it forks (pmacct's plugin and writer processes) is counted
// once reaped (the shell's cutime, which survives the exec): nfcapd (nfdump, binary
// files) and nfacctd with the sqlite3 plugin (pmacct, per-flow keys, 1-min history; the flows counter sums what each row stands for).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { freeUdpPort, waitForUdpPort } from '../collector/dist-test/support/exporters.js'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function statOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** Live processes whose parent is `pid`. */
function childrenOf(pid) {
  const out = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    const f = statOf(d)
    if (f && Number(f[1]) === pid) out.push(Number(d))
  }
  return out
}

/**
 * CPU seconds (user + system, own and of reaped children) and resident bytes of a
 * process and its live descendants.
 */
export function treeSample(pid) {
  let ticks = 0
  let rss = 0
  const todo = [pid]
  while (todo.length > 0) {
    const p = todo.pop()
    const f = statOf(p)
    if (!f) continue
    // Fields from 3 on: utime 14, stime 15, cutime 16, cstime 17, rss 24 (pages).
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])
    rss += Number(f[21]) * 4096
    todo.push(...childrenOf(p))
  }
  return { cpu: ticks / 100, rss }
}

/** A peer under a shell; `stop()` sends `signal` to the collector and waits for its exit. */
function underShell(cmd, args, signal = 'SIGTERM') {
  const quoted = [cmd, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
  const sh = spawn('sh', ['-c', `${quoted} >/dev/null 2>&1; exec sleep 3600`], {
    stdio: 'ignore',
  })
  return {
    pid: sh.pid,
    async stop() {
      for (const c of childrenOf(sh.pid)) {
        const name = readFileSync(`/proc/${c}/comm`, 'utf8').trim()
        if (name !== 'sleep') process.kill(c, signal)
      }
      // Wait until the shell has reaped it (exec'd sleep).
      for (let i = 0; i < 600; i++) {
        if (readFileSync(`/proc/${sh.pid}/comm`, 'utf8').trim() === 'sleep') return
        await sleep(100)
      }
      throw new Error(`${cmd} did not stop within 60 s`)
    },
    kill() {
      sh.kill('SIGKILL')
    },
  }
}

export async function startNfcapd() {
  const dir = mkdtempSync(join(os.tmpdir(), 'home-nfcapd-'))
  const port = await freeUdpPort()
  const p = underShell('nfcapd', [
    '-w',
    dir,
    '-p',
    String(port),
    '-b',
    '127.0.0.1',
    '-B',
    String(8 << 20),
  ])
  await waitForUdpPort(port, 10_000)
  return {
    name: 'nfcapd',
    pid: p.pid,
    port,
    /** Stop (which writes the file) and count the flows with nfdump. */
    async stored() {
      await p.stop()
      const out = spawnSync('nfdump', ['-R', dir, '-I'], { encoding: 'utf8' })
      if (out.status !== 0) throw new Error(`nfdump failed: ${out.stderr}`)
      return Number(/^Flows: (\d+)/m.exec(out.stdout)?.[1] ?? NaN)
    },
    close() {
      p.kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function startNfacctd() {
  const dir = mkdtempSync(join(os.tmpdir(), 'home-nfacctd-'))
  const db = join(dir, 'pmacct.db')
  const schema = readFileSync('/usr/share/doc/pmacct/sql/pmacct-create-table_v9.sqlite3', 'utf8')
  const made = spawnSync('sqlite3', [db], { input: schema, encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`sqlite3 failed: ${made.stderr}`)
  const port = await freeUdpPort()
  const conf = join(dir, 'nfacctd.conf')
  writeFileSync(
    conf,
    [
      'daemonize: false',
      `nfacctd_ip: 127.0.0.1`,
      `nfacctd_port: ${port}`,
      'nfacctd_pipe_size: 8388608',
      // pmacct's advice for bursts: a large core-to-plugin pipe and buffers.
      'plugin_pipe_size: 67108864',
      'plugin_buffer_size: 65536',
      'plugins: sqlite3',
      `sql_db: ${db}`,
      'sql_table: acct_v9',
      'sql_table_version: 9',
      'sql_refresh_time: 60',
      'sql_history: 1m',
      'sql_history_roundoff: m',
      // Each refresh writes its own time bin: INSERT without trying an UPDATE first.
      'sql_dont_try_update: true',
      'aggregate: src_host, dst_host, src_port, dst_port, proto, tos, flows',
      '',
    ].join('\n'),
  )
  // SIGINT: nfacctd ignores SIGTERM in the foreground; on SIGINT it writes its cache.
  const p = underShell('nfacctd', ['-f', conf], 'SIGINT')
  await waitForUdpPort(port, 10_000)
  return {
    name: 'nfacctd',
    pid: p.pid,
    port,
    /** Stop (the SQL cache is written on exit) and sum the flows counter. */
    async stored() {
      await p.stop()
      // The last purge's writer can outlive the core process: wait for its lock. Its CPU
      // is not counted once it is orphaned, so nfacctd's figure is a lower bound.
      const out = spawnSync(
        'sqlite3',
        ['-cmd', '.timeout 60000', db, 'SELECT coalesce(sum(flows), 0) FROM acct_v9'],
        {
          encoding: 'utf8',
        },
      )
      if (out.status !== 0) throw new Error(`sqlite3 failed: ${out.stderr}`)
      return Number(out.stdout.trim())
    },
    close() {
      p.kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
