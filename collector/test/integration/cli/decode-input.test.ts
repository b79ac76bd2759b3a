// `flowloft decode` of a file it cannot use says why in one line: a missing file, a file
// that is no capture, and a capture of ordinary traffic rather than a router's export.
// testdata/lan-traffic.pcap is tcpdump on loopback (`port 53 or port 8000`): two DNS
// queries with their answers and one HTTP GET, 16 packets of which 4 are UDP.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runFlowloft } from '../../support/flowloft-cli.js'
import { requireTools } from '../../support/tools.js'

const TRAFFIC = new URL('../../../test/integration/cli/testdata/lan-traffic.pcap', import.meta.url)
  .pathname
const NOT_EXPORT = 'holds no NetFlow/IPFIX/sFlow datagrams'
const CAPTURE_EXPORT =
  "capture the router's export (udp port 2055, 4739 or 6343) rather than its traffic"

function refused(args: string[], stderr: string): void {
  assert.deepEqual(runFlowloft(args), { status: 1, stdout: '', stderr: `${stderr}\n` })
}

void test('decode of a missing file, a directory or a non-capture is one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-decode-in-'))
  try {
    const missing = join(dir, 'x.pcap')
    refused(['decode', missing], `flowloft decode: no such file: ${missing}`)
    refused(
      ['import', missing, '--data-dir', join(dir, 'data')],
      `flowloft import: no such file: ${missing}`,
    )
    refused(['decode', dir], `flowloft decode: ${dir} is a directory, not a capture file`)
    const notes = join(dir, 'notes.txt')
    writeFileSync(notes, 'router: 192.168.1.1\nexport to :2055\n')
    refused(
      ['decode', notes],
      `flowloft decode: ${notes}: not a pcap or pcapng file (unknown magic number)`,
    )
    writeFileSync(notes, '')
    refused(
      ['decode', notes],
      `flowloft decode: ${notes}: the file is empty, not a pcap or pcapng file`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

void test('decode of a capture of DNS and HTTP traffic says to capture the export instead', (t) => {
  refused(
    ['decode', TRAFFIC],
    `flowloft decode: ${TRAFFIC} ${NOT_EXPORT} (16 packets, 4 UDP, none a flow export: ` +
      `4 unknown_version): ${CAPTURE_EXPORT}`,
  )
  if (!requireTools(t, 'tcpdump', 'tshark')) return
  const dir = mkdtempSync(join(tmpdir(), 'fl-decode-in-'))
  try {
    // import stores nothing and says the same.
    refused(
      ['import', TRAFFIC, '--data-dir', join(dir, 'data'), '--log-level', 'error'],
      `flowloft import: ${TRAFFIC} ${NOT_EXPORT} (16 packets, 4 UDP, none a flow export: ` +
        `4 unknown_version): ${CAPTURE_EXPORT}`,
    )
    // Only its TCP packets, as tcpdump writes them: none is UDP.
    const web = join(dir, 'web.pcap')
    const tcp = spawnSync('tcpdump', ['-r', TRAFFIC, '-w', web, 'tcp'], { encoding: 'utf8' })
    assert.equal(tcp.status, 0, tcp.stderr)
    refused(
      ['decode', web],
      `flowloft decode: ${web} ${NOT_EXPORT} (12 packets, none UDP): ${CAPTURE_EXPORT}`,
    )
    // The same capture as pcapng counts the same packets.
    const ng = join(dir, 'traffic.pcapng')
    const conv = spawnSync('tshark', ['-r', TRAFFIC, '-F', 'pcapng', '-w', ng], {
      encoding: 'utf8',
    })
    assert.equal(conv.status, 0, conv.stderr)
    refused(
      ['decode', ng],
      `flowloft decode: ${ng} ${NOT_EXPORT} (16 packets, 4 UDP, none a flow export: ` +
        `4 unknown_version): ${CAPTURE_EXPORT}`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
