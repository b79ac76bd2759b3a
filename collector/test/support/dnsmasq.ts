// Runs a real dnsmasq (Debian dnsmasq-base) on 127.0.0.1 and a free UDP port for
// tests: no upstream, no /etc/hosts, records given as options, queries logged in the
// Pi-hole format (log-queries=extra) to a file of its own. Also a black-hole DNS
// server: a UDP socket that counts queries and never answers.
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { Resolver } from 'node:dns/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findTool } from '@flowloft/decoder-wasm/testing'
import { freeUdpPort } from './exporters.js'

export interface Dnsmasq {
  port: number
  /** host:port for enrich.dns.servers. */
  server: string
  /** The query log dnsmasq writes. */
  logFile: string
  /** A resolver that asks this dnsmasq. */
  resolver: Resolver
  stop(): Promise<void>
}

/** Start dnsmasq with extra options (--ptr-record=..., --host-record=..., --cname=...). */
export async function startDnsmasq(options: string[]): Promise<Dnsmasq> {
  const bin = findTool('dnsmasq')
  if (!bin) throw new Error('dnsmasq not found: apt-get install -y dnsmasq-base')
  const dir = mkdtempSync(join(tmpdir(), 'dnsmasq-'))
  const logFile = join(dir, 'pihole.log')
  const port = await freeUdpPort()
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--bogus-priv',
    '--bind-interfaces',
    '--listen-address=127.0.0.1',
    `--port=${port}`,
    '--pid-file=',
    '--log-queries=extra',
    `--log-facility=${logFile}`,
    ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ...options,
  ]
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const resolver = new Resolver({ timeout: 200, tries: 1 })
  resolver.setServers([`127.0.0.1:${port}`])
  const stop = async (): Promise<void> => {
    resolver.cancel()
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  // Ready when it answers (anything, even an error code, is an answer; a refused or
  // unanswered query means it is not listening yet).
  const until = Date.now() + 5000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`dnsmasq exited ${child.exitCode}: ${stderr}`)
    }
    const answered = await resolver.resolve4('ready.invalid').then(
      () => true,
      (e: unknown) => {
        const code = (e as { code?: unknown }).code
        return code !== 'ETIMEOUT' && code !== 'ECONNREFUSED'
      },
    )
    if (answered) break
    await new Promise((r) => setTimeout(r, 50))
    if (Date.now() > until) {
      await stop()
      throw new Error(`dnsmasq did not answer on port ${port}: ${stderr}`)
    }
  }
  return { port, server: `127.0.0.1:${port}`, logFile, resolver, stop }
}

export interface BlackHole {
  server: string
  /** Queries received (and never answered). */
  readonly queries: number
  stop(): Promise<void>
}

export async function startBlackHoleDns(): Promise<BlackHole> {
  const s: Socket = createSocket('udp4')
  let queries = 0
  s.on('message', () => queries++)
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
  return {
    server: `127.0.0.1:${s.address().port}`,
    get queries() {
      return queries
    },
    stop: () => new Promise<void>((r) => s.close(() => r())),
  }
}
