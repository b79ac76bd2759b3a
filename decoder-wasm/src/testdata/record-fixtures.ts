// Records the softflowd captures under src/testdata and their golden decodes:
//   npm run build && node dist/testdata/record-fixtures.js
// Needs softflowd. The oracle tests check the same kind of export against tshark and
// nfdump; the goldens pin our own decode of these exact bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { format } from 'prettier'
import { syntheticTraffic } from '../pcap/traffic.js'
import { writePcap } from '../pcap/write.js'
import { capturePath } from './flow-fixtures.js'
import { goldenOf } from './flow-golden.js'
import { softflowdExport } from './oracle-tools.js'
import { writeUdpPcap } from './udp-capture.js'

const runs: [string, string[]][] = [
  ['softflowd-v9.pcap', ['-v', '9']],
  ['softflowd-v9-sampled.pcap', ['-v', '9', '-s', '4']],
  ['softflowd-ipfix.pcap', ['-v', '10']],
  ['softflowd-ipfix-biflow.pcap', ['-v', '10', '-b', '-s', '2']],
]

const dir = mkdtempSync(join(tmpdir(), 'flowloft-fixtures-'))
try {
  writePcap(
    `${dir}/traffic.pcap`,
    syntheticTraffic({ flows: 40, seed: 5, startMs: Date.now() - 60_000, ipv6: 0.3 }),
  )
  for (const [name, args] of runs) {
    const exp = await softflowdExport(`${dir}/traffic.pcap`, dir, args)
    writeUdpPcap(capturePath(name), exp.datagrams, exp.exporterPort, 2055)
    const golden = await format(JSON.stringify(goldenOf(name)), { parser: 'json' })
    writeFileSync(capturePath(name.replace('.pcap', '.golden.json')), golden)
    console.log(`${name}: ${exp.datagrams.length} datagrams`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
