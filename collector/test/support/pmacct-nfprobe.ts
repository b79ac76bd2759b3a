// pmacctd's nfprobe plugin as a real NetFlow v9 exporter for tests: exports a pcap to a
// collector with a fixed input ifIndex (nfprobe_direction in), as a router's interface would.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Export `pcap` as NetFlow v9 to 127.0.0.1:`port`, flows entering on `ifIndex`. */
export function nfprobeExport(pcap: string, port: number, ifIndex: number): void {
  const conf = join(mkdtempSync(join(tmpdir(), 'fl-nfprobe-')), 'pmacctd.conf')
  // Plugin-scoped keys: nfprobe_direction and nfprobe_ifindex cannot be global.
  writeFileSync(
    conf,
    [
      `pcap_savefile: ${pcap}`,
      'pcap_savefile_wait: false',
      'plugins: nfprobe[p]',
      `nfprobe_receiver[p]: 127.0.0.1:${port}`,
      'nfprobe_version[p]: 9',
      'nfprobe_direction[p]: in',
      `nfprobe_ifindex[p]: ${ifIndex}`,
      '',
    ].join('\n'),
  )
  const r = spawnSync('pmacctd', ['-f', conf], { encoding: 'utf8', timeout: 30_000 })
  const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('ERROR'))
  if (r.status !== 0 || errors.length > 0)
    throw new Error(`pmacctd exited ${r.status}: ${errors.join('; ')}`)
}
