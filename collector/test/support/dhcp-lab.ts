// A real DHCP network for tests: two network namespaces joined by a veth pair, a DHCP
// server on one side writing its lease file here (dnsmasq from Debian dnsmasq-base, Kea
// from kea-dhcp4-server with a memfile CSV, or ISC dhcpd from isc-dhcp-server), and
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

export type DhcpServerKind = 'dnsmasq' | 'kea' | 'isc'

/** The server binary of each kind (for requireTools). */
export const DHCP_SERVER_TOOL: Record<DhcpServerKind, string> = {
  dnsmasq: 'dnsmasq',
  kea: 'kea-dhcp4',
  isc: 'dhcpd',
}

export interface DhcpLab {
  /** The server's lease file. */
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

const LEASE_FILE: Record<DhcpServerKind, string> = {
  dnsmasq: 'dnsmasq.leases',
  kea: 'kea-leases4.csv',
  isc: 'dhcpd.leases',
}

/** The server's command line (files it needs written into `dir`); 2-minute leases. */
function serverArgs(kind: DhcpServerKind, dir: string, iface: string): string[] {
  const leases = join(dir, LEASE_FILE[kind])
  const pool = [`${SUBNET}.50`, `${SUBNET}.99`]
  switch (kind) {
    case 'dnsmasq':
      return [
        ...['dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv'],
        ...['--no-hosts', '--port=0', `--interface=${iface}`, '--bind-interfaces'],
        // no-ping: dnsmasq would otherwise wait for an echo before each offer.
        ...['--no-ping', '--dhcp-authoritative', `--dhcp-range=${pool.join(',')},2m`],
        ...[`--dhcp-leasefile=${leases}`, '--user=root', '--pid-file='],
      ]
    case 'kea': {
      const conf = join(dir, 'kea-dhcp4.json')
      const dhcp4 = {
        'interfaces-config': { interfaces: [iface] },
        // lfc every second: the test also sees leases moved to the cleanup's files.
        'lease-database': { type: 'memfile', persist: true, name: leases, 'lfc-interval': 1 },
        'valid-lifetime': 120,
        subnet4: [{ id: 1, subnet: `${SUBNET}.0/24`, pools: [{ pool: pool.join(' - ') }] }],
        loggers: [{ name: 'kea-dhcp4', output_options: [{ output: 'stdout' }], severity: 'WARN' }],
      }
      writeFileSync(conf, JSON.stringify({ Dhcp4: dhcp4 }))
      return ['kea-dhcp4', '-c', conf]
    }
    case 'isc': {
      const conf = join(dir, 'dhcpd.conf')
      writeFileSync(
        conf,
        'default-lease-time 120;\nmax-lease-time 120;\nauthoritative;\n' +
          `subnet ${SUBNET}.0 netmask 255.255.255.0 { range ${pool.join(' ')}; }\n`,
      )
      writeFileSync(leases, '')
      const pid = join(dir, 'dhcpd.pid')
      return ['dhcpd', '-4', '-f', '-q', '-cf', conf, '-lf', leases, '-pf', pid, iface]
    }
  }
}

export async function startDhcpLab(kind: DhcpServerKind): Promise<DhcpLab> {
  const tag = `${process.pid % 100000}`
  const serverNs = `fl-dhs-${tag}`
  const clientNs = `fl-dhc-${tag}`
  const [vs, vc] = [`fds${tag}`, `fdc${tag}`]
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-lab-'))
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
    for (const ns of [serverNs, clientNs]) spawnSync('ip', ['netns', 'del', ns])
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    ip('netns', 'add', serverNs)
    ip('netns', 'add', clientNs)
    ip('link', 'add', vs, 'type', 'veth', 'peer', 'name', vc)
    ip('link', 'set', vs, 'netns', serverNs)
    ip('link', 'set', vc, 'netns', clientNs)
    ip('-n', serverNs, 'addr', 'add', `${SUBNET}.1/24`, 'dev', vs)
    ip('-n', serverNs, 'link', 'set', vs, 'up')
    ip('-n', clientNs, 'link', 'set', vc, 'up')
  } catch (err) {
    await stop()
    throw err
  }
  const daemon = spawn('ip', ['netns', 'exec', serverNs, ...serverArgs(kind, dir, vs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Kea: its pid file here, no lock file.
    env: { ...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: 'none' },
  })
  children.add(daemon)
  let serverOut = ''
  daemon.stdout?.on('data', (d: Buffer) => (serverOut += d.toString()))
  daemon.stderr?.on('data', (d: Buffer) => (serverOut += d.toString()))
  await new Promise((r) => setTimeout(r, 500))
  if (daemon.exitCode !== null) {
    await stop()
    throw new Error(`${kind} exited ${daemon.exitCode}: ${serverOut}`)
  }
  const leaseFile = join(dir, LEASE_FILE[kind])

  return {
    leaseFile,
    async lease({ mac, hostname }) {
      ip('-n', clientNs, 'link', 'set', vc, 'down')
      ip('-n', clientNs, 'link', 'set', vc, 'address', mac)
      ip('-n', clientNs, 'link', 'set', vc, 'up')
      const args = ['netns', 'exec', clientNs, 'busybox', 'udhcpc', '-i', vc, '-f', '-R']
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
