// A real Net-SNMP agent (Debian `snmpd`) on 127.0.0.1:<free port> with its own config
// file and state directory, and `snmpwalk` (Debian `snmp`) as the oracle of what it serves.
// On Linux the agent serves the host's real IF-MIB; `lines` can add `override` entries.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freeUdpPort, waitForUdpPort } from './exporters.js'

/** No MIB files loaded: numeric OIDs only, and no warnings about missing MIBs. */
const QUIET_MIBS = { MIBS: '', MIBDIRS: '/nonexistent' }

export class Snmpd {
  readonly dir = mkdtempSync(join(tmpdir(), 'snmpd-'))
  port = 0
  #p: ChildProcess | undefined
  #log = ''
  readonly community: string
  readonly lines: string[]

  /** `lines`: more snmpd.conf lines, e.g. `override <oid> octet_str "text"`. */
  constructor(community: string, lines: string[] = []) {
    this.community = community
    this.lines = lines
  }

  async start(port?: number): Promise<void> {
    this.port = port ?? (await freeUdpPort())
    const conf = join(this.dir, 'snmpd.conf')
    writeFileSync(
      conf,
      [
        `agentAddress udp:127.0.0.1:${this.port}`,
        `rocommunity ${this.community} 127.0.0.1`,
        'master no',
        'dontLogTCPWrappersConnects yes',
        ...this.lines,
        '',
      ].join('\n'),
    )
    // -f foreground, -Lo log to stdout, -C only this config file.
    const p = spawn('/usr/sbin/snmpd', ['-f', '-Lo', '-C', '-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...QUIET_MIBS, SNMP_PERSISTENT_DIR: join(this.dir, 'state') },
    })
    this.#p = p
    p.stdout.on('data', (d: Buffer) => (this.#log += d.toString()))
    p.stderr.on('data', (d: Buffer) => (this.#log += d.toString()))
    try {
      await waitForUdpPort(this.port, 10_000)
    } catch (err) {
      await this.stop()
      throw new Error(`snmpd did not start: ${this.#log}`, { cause: err })
    }
  }

  /** Stop the agent; its directory stays until dispose(). */
  async stop(): Promise<void> {
    const p = this.#p
    this.#p = undefined
    if (!p || p.exitCode !== null || p.signalCode !== null) return
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve())
      p.kill('SIGTERM')
    })
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** One column by index, as `snmpwalk` reports it (strings unquoted, numbers as text). */
  walk(oid: string): Map<number, string> {
    const r = spawnSync(
      'snmpwalk',
      ['-v2c', '-c', this.community, '-On', '-Oq', `127.0.0.1:${this.port}`, oid],
      { encoding: 'utf8', env: { ...process.env, ...QUIET_MIBS }, timeout: 10_000 },
    )
    if (r.status !== 0) throw new Error(`snmpwalk failed: ${r.stderr}`)
    const out = new Map<number, string>()
    for (const line of r.stdout.split('\n')) {
      const m = /^\.?([\d.]+) (.*)$/.exec(line)
      if (!m?.[1]?.startsWith(`${oid}.`)) continue
      let v = m[2] ?? ''
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2)
        v = v.slice(1, -1).replace(/\\(.)/g, '$1')
      out.set(Number(m[1].slice(oid.length + 1)), v)
    }
    return out
  }
}
