// Runs real exporters and peer collectors for tests: softflowd turns a pcap into
// NetFlow/IPFIX, nfcapd stores what it receives, nfdump reports its totals.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSocket } from 'node:dgram'
import { udpSocketStats } from '../../dist/observability/proc-net.js'

/**
 * Export a pcap with softflowd to the given host:port destinations; resolves on exit
 * with the number of flow records softflowd says it exported.
 */
export function softflowd(
  pcap: string,
  destinations: string[],
  version: 5 | 9 | 10,
  extra: string[] = [],
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'softflowd-'))
  return runSoftflowd([
    '-r',
    pcap,
    '-n',
    destinations.join(','),
    '-v',
    String(version),
    '-d',
    '-p',
    join(dir, 'pid'),
    '-c',
    'none',
    ...extra,
  ])
}

/**
 * Run softflowd with these arguments (reading a capture with `-r`, so it exits at the
 * end of the file); resolves with the number of flow records it says it exported.
 */
export function runSoftflowd(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn('softflowd', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()))
    let err = ''
    p.stderr?.on('data', (d: Buffer) => (err += d.toString()))
    p.on('error', reject)
    p.on('exit', (code) => {
      const exported = /Flows exported: \d+ \((\d+) records\)/.exec(out)?.[1]
      if (code !== 0) reject(new Error(`softflowd exited ${code}: ${err}`))
      else if (exported === undefined)
        reject(new Error(`softflowd did not report its exports: ${out}`))
      else resolve(Number(exported))
    })
  })
}

export interface NfTotals {
  flows: number
  packets: number
  bytes: number
}

export class Nfcapd {
  readonly dir = mkdtempSync(join(tmpdir(), 'nfcapd-'))
  #p: ChildProcess | undefined
  port = 0

  async start(): Promise<void> {
    this.port = await freeUdpPort()
    // A large socket buffer: softflowd sends a capture's export in one burst.
    this.#p = spawn(
      'nfcapd',
      ['-w', this.dir, '-p', String(this.port), '-b', '127.0.0.1', '-B', String(8 << 20)],
      {
        stdio: 'ignore',
      },
    )
    // Wait until nfcapd has bound its socket: under load it can take more than a second.
    await waitForUdpPort(this.port, 10_000)
  }

  /**
   * Stop (which flushes the file) and read the totals with nfdump. Datagrams still in
   * nfcapd's socket queue when it stops are never read: wait (up to 5 s) for the queue
   * to empty first.
   */
  async totals(): Promise<NfTotals> {
    const p = this.#p
    if (p && p.exitCode === null) {
      const until = Date.now() + 5000
      while ((udpSocketStats([this.port]).get(this.port)?.rxQueue ?? 0) > 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50))
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve())
        p.kill('SIGTERM')
      })
    }
    const files = readdirSync(this.dir).filter((f) => f.startsWith('nfcapd.'))
    if (files.length === 0) throw new Error('nfcapd wrote no file')
    const out = spawnSync('nfdump', ['-R', this.dir, '-I'], { encoding: 'utf8' })
    if (out.status !== 0) throw new Error(`nfdump failed: ${out.stderr}`)
    const get = (k: string): number =>
      Number(new RegExp(`^${k}: (\\d+)`, 'm').exec(out.stdout)?.[1] ?? NaN)
    return { flows: get('Flows'), packets: get('Packets'), bytes: get('Bytes') }
  }
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  const port = s.address().port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** Where a test exporter sends from: a source address on loopback and a fixed port. */
export interface UdpSource {
  address?: string
  port?: number
}

/**
 * Send datagrams to 127.0.0.1:`port`, from an ephemeral port unless `from` fixes one
 * (an exporter's templates belong to its address and source port: its session).
 */
export async function sendUdp(
  port: number,
  datagrams: Uint8Array[],
  from: UdpSource = {},
): Promise<void> {
  const fixed = from.address !== undefined || from.port !== undefined
  const s = createSocket({ type: 'udp4', reuseAddr: fixed })
  if (fixed) {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.bind(from.port ?? 0, from.address ?? '127.0.0.1', () => {
        s.removeListener('error', reject)
        resolve()
      })
    })
  }
  for (const d of datagrams) {
    await new Promise<void>((resolve, reject) =>
      s.send(d, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
    )
  }
  await new Promise<void>((r) => s.close(() => r()))
}

/** Resolve once some process has a UDP socket bound to `port` (read from /proc/net/udp*). */
export async function waitForUdpPort(port: number, timeoutMs: number): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  const until = Date.now() + timeoutMs
  for (;;) {
    for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
      let text = ''
      try {
        text = readFileSync(f, 'utf8')
      } catch {
        continue
      }
      // Column 2 is local_address:port in hex.
      if (text.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex))) return
    }
    if (Date.now() > until) throw new Error(`nothing bound UDP port ${port} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
