// A real DHCP network for tests: two network namespaces joined by a veth pair, dnsmasq
// (Debian dnsmasq-base) serving DHCP on one side and writing its lease file here, and
// BusyBox udhcpc (Debian busybox) on the other taking leases with or without a host
// name and releasing them. Needs root (namespaces); everything is removed by stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface DhcpLease {
  ip: string
  /** Release the lease (DHCPRELEASE) and stop the client. */
  release(): Promise<void>
}

export interface DhcpLab {
  /** dnsmasq's lease file (dhcp-leasefile). */
  leaseFile: string
  /** Take a lease from the client side, with this hardware address and host name. */
  lease(opts: { mac: string; hostname?: string }): Promise<DhcpLease>
  stop(): Promise<void>
}

const SUBNET = '10.77.0'

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`)
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((r) => child.once('exit', () => r()))
}

/** Wait for a line of a child's output matching `re`; rejects after `ms` or on exit. */
function waitFor(child: ChildProcess, out: { text: string }, re: RegExp, ms: number) {
  return new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = re.exec(out.text)
      if (m) done(() => resolve(m))
      else if (Date.now() > until || child.exitCode !== null)
        done(() => reject(new Error(`no ${String(re)} from udhcpc: ${out.text}`)))
    }, 20)
    const until = Date.now() + ms
    const done = (f: () => void): void => {
      clearInterval(timer)
      f()
    }
  })
}

export async function startDhcpLab(): Promise<DhcpLab> {
  const tag = `${process.pid % 100000}`
  const server = `fl-dhs-${tag}`
  const client = `fl-dhc-${tag}`
  const [vs, vc] = [`fds${tag}`, `fdc${tag}`]
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-lab-'))
  const leaseFile = join(dir, 'dnsmasq.leases')
  const script = join(dir, 'udhcpc.sh')
  // What a real client does with the lease: the address on its interface (so a release
  // can be sent from it).
  writeFileSync(
    script,
    '#!/bin/sh\ncase "$1" in\n  bound|renew) ip addr replace "$ip/24" dev "$interface" ;;\n' +
      '  deconfig) ip addr flush dev "$interface" ;;\nesac\nexit 0\n',
  )
  chmodSync(script, 0o755)
  const children = new Set<ChildProcess>()
  const stop = async (): Promise<void> => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
    await Promise.all([...children].map(exited))
    for (const ns of [server, client]) spawnSync('ip', ['netns', 'del', ns])
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    ip('netns', 'add', server)
    ip('netns', 'add', client)
    ip('link', 'add', vs, 'type', 'veth', 'peer', 'name', vc)
    ip('link', 'set', vs, 'netns', server)
    ip('link', 'set', vc, 'netns', client)
    ip('-n', server, 'addr', 'add', `${SUBNET}.1/24`, 'dev', vs)
    ip('-n', server, 'link', 'set', vs, 'up')
    ip('-n', client, 'link', 'set', vc, 'up')
  } catch (err) {
    await stop()
    throw err
  }
  const dnsmasq = spawn(
    'ip',
    [
      ...['netns', 'exec', server, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null'],
      ...['--no-resolv', '--no-hosts', '--port=0', `--interface=${vs}`, '--bind-interfaces'],
      // no-ping: dnsmasq would otherwise wait for an echo before each offer.
      ...['--no-ping', '--dhcp-authoritative', `--dhcp-range=${SUBNET}.50,${SUBNET}.99,2m`],
      ...[`--dhcp-leasefile=${leaseFile}`, '--user=root', '--pid-file='],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  children.add(dnsmasq)
  let dnsmasqErr = ''
  dnsmasq.stderr?.on('data', (d: Buffer) => (dnsmasqErr += d.toString()))
  await new Promise((r) => setTimeout(r, 300))
  if (dnsmasq.exitCode !== null) {
    await stop()
    throw new Error(`dnsmasq exited ${dnsmasq.exitCode}: ${dnsmasqErr}`)
  }

  return {
    leaseFile,
    async lease({ mac, hostname }) {
      ip('-n', client, 'link', 'set', vc, 'down')
      ip('-n', client, 'link', 'set', vc, 'address', mac)
      ip('-n', client, 'link', 'set', vc, 'up')
      const args = ['netns', 'exec', client, 'busybox', 'udhcpc', '-i', vc, '-f', '-R']
      args.push('-t', '5', '-T', '1', '-s', script)
      if (hostname !== undefined) args.push('-x', `hostname:${hostname}`)
      const udhcpc = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      children.add(udhcpc)
      const out = { text: '' }
      udhcpc.stdout?.on('data', (d: Buffer) => (out.text += d.toString()))
      udhcpc.stderr?.on('data', (d: Buffer) => (out.text += d.toString()))
      const m = await waitFor(udhcpc, out, /lease of (\S+) obtained/, 10_000)
      return {
        ip: m[1] ?? '',
        async release() {
          udhcpc.kill('SIGUSR2')
          await waitFor(udhcpc, out, /entering released state/, 5000)
          udhcpc.kill('SIGTERM')
          await exited(udhcpc)
          children.delete(udhcpc)
        },
      }
    },
    stop,
  }
}
