// Golden decode of a recorded capture: every record of every datagram, decoded by one
// Decoder with fixed receive time and exporter, as stored in *.golden.json.
import { readFileSync } from 'node:fs'
import { readCaptureFile } from '../pcap/read.js'
import { capturePath } from './flow-fixtures.js'
import { FlowHarness, type FlowRow } from './flow-harness.js'

export interface Golden {
  statuses: string[]
  rows: FlowRow[]
}

export function goldenOf(capture: string): Golden {
  const datagrams = readCaptureFile(capturePath(capture)).map((d) => d.payload)
  const { statuses, rows } = new FlowHarness().decode(datagrams, {
    exporter: '192.0.2.1',
    receivedMs: 1_700_000_000_000,
  })
  return { statuses, rows }
}

export function readGolden(capture: string): Golden {
  return JSON.parse(
    readFileSync(capturePath(capture.replace('.pcap', '.golden.json')), 'utf8'),
  ) as Golden
}
