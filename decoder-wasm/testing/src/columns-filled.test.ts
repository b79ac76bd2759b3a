// Every flows column of the contract is filled by some decoder: the recorded captures,
// the built fixtures and one IPFIX record carrying every element the decoders map are
// decoded and enriched, and each column must come out non-zero in at least one row. A
// column added to contract/flows.json fails here until a decoder (or the enrichment)
// writes its record field and a fixture carries a value for it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Decoder } from '../../dist/decoder.js'
import { DatagramBatch } from '../../dist/datagram-batch.js'
import {
  ENRICH_FLAGS,
  F,
  FLOW_COLUMNS,
  Q_ADDRESS,
  Q_EXPORTER,
  S,
  type FlowColumn,
} from '../../dist/generated/contract.js'
import { parseAddress } from '../../dist/ip.js'
import { readCaptureFile } from '../../dist/capture-file.js'
import { CAPTURES, builtIpfix, builtV9, capturePath } from './fixtures/flow-fixtures.js'
import type { TemplateDef } from './builders/flow-fields.js'
import { buildIpfix } from './builders/ipfix.js'
import { fullWidthV5 } from './builders/netflow5.js'
import { sflowBuilderFixtures } from './fixtures/sflow-fixtures.js'

/** One element of each kind the decoders map to a record field, and values for two flows. */
const EVERY_ELEMENT: [number, number, number | string, number | string][] = [
  [8, 4, '10.0.0.1', '10.0.0.2'], // sourceIPv4Address
  [12, 4, '203.0.113.5', '203.0.113.6'], // destinationIPv4Address
  [7, 2, 40000, 0], // sourceTransportPort
  [11, 2, 443, 0], // destinationTransportPort
  [4, 1, 6, 1], // protocolIdentifier
  [5, 1, 8, 0], // ipClassOfService
  [6, 2, 0x12, 0], // tcpControlBits
  [32, 2, 0, 0x0303], // icmpTypeCodeIPv4
  [10, 4, 3, 3], // ingressInterface
  [14, 4, 7, 7], // egressInterface
  [15, 4, '192.0.2.254', '192.0.2.254'], // ipNextHopIPv4Address
  [16, 4, 64500, 64500], // bgpSourceAsNumber
  [17, 4, 64501, 64501], // bgpDestinationAsNumber
  [9, 1, 24, 24], // sourceIPv4PrefixLength
  [13, 1, 16, 16], // destinationIPv4PrefixLength
  [56, 6, '02:00:00:00:00:01', '02:00:00:00:00:01'], // sourceMacAddress
  [80, 6, '02:00:00:00:00:02', '02:00:00:00:00:02'], // destinationMacAddress
  [58, 2, 100, 100], // vlanId
  [61, 1, 1, 1], // flowDirection
  [89, 1, 64, 64], // forwardingStatus
  [136, 1, 3, 3], // flowEndReason
  [225, 4, '198.51.100.7', '198.51.100.7'], // postNATSourceIPv4Address
  [226, 4, '198.51.100.8', '198.51.100.8'], // postNATDestinationIPv4Address
  [227, 2, 50000, 50000], // postNAPTSourceTransportPort
  [228, 2, 8443, 8443], // postNAPTDestinationTransportPort
  [230, 1, 1, 1], // natEvent
  [152, 8, 1_700_000_000_000, 1_700_000_000_000], // flowStartMilliseconds
  [153, 8, 1_700_000_001_000, 1_700_000_001_000], // flowEndMilliseconds
  [1, 8, 1500, 84], // octetDeltaCount
  [2, 8, 3, 1], // packetDeltaCount
]

function everyElementIpfix(): Uint8Array {
  const template: TemplateDef = {
    id: 300,
    fields: EVERY_ELEMENT.map(([id, length]) => ({ id, length })),
  }
  return buildIpfix({ exportTime: 1_700_000_002, sequence: 9, domain: 5 }, [
    { templates: [template] },
    {
      template,
      records: [EVERY_ELEMENT.map((e) => e[2]), EVERY_ELEMENT.map((e) => e[3])],
    },
  ])
}

function datagrams(): Uint8Array[] {
  const out = [...builtV9(), ...builtIpfix(), fullWidthV5(), ...sflowBuilderFixtures()]
  for (const name of [...CAPTURES, 'sflow-pmacct.pcap'])
    for (const dg of readCaptureFile(capturePath(name))) out.push(dg.payload)
  out.push(everyElementIpfix())
  return out
}

void test('every flows column of the contract is filled by a decoder or the enrichment', () => {
  const d = new Decoder()
  const id = (s: string): number => d.strings.id(s)
  const filled = new Set<FlowColumn>()
  const batch = new DatagramBatch(4 << 20, 4096)
  const dgs = datagrams()
  for (const dg of dgs) assert.ok(batch.add(dg, parseAddress('192.0.2.1'), 2055, Date.now()))
  const packed = batch.take()
  d.decode(new Uint8Array(packed.buffer, 0, packed.byteLength), packed.count, (v, n) => {
    // Enrich every record: the source is local, so flows get a direction; every name known.
    const misses = d.enrichRun(n, ENRICH_FLAGS.direction | ENRICH_FLAGS.names)
    for (let k = 0; k < misses; k++) {
      const i = d.enrichMissAt(k)
      d.enrichPut(i, F.srcAddr, Q_ADDRESS, id('DE'), 64500, id('Example AS'), id('laptop'), true)
      d.enrichPut(i, F.dstAddr, Q_ADDRESS, id('US'), 64501, id('Other AS'), id('server'), false)
      d.enrichPut(i, F.exporter, Q_EXPORTER, id('router'), 0, 0, 0, false)
      d.enrichPut(i, F.exporter, v.u32(i, F.inIf), id('eth0'), 0, 0, 0, false)
      d.enrichPut(i, F.exporter, v.u32(i, F.outIf), id('eth1'), 0, 0, 0, false)
    }
    assert.equal(d.enrichRetry(misses), 0)
    for (let i = 0; i < n; i++)
      for (const c of FLOW_COLUMNS) {
        if ('string' in c) {
          if (v.sid(i, S[c.string]) !== 0) filled.add(c.name)
          continue
        }
        const f = F[c.field]
        const set =
          c.width === 16
            ? v.addrColumn(i, f) !== '::'
            : c.width === 8
              ? v.u64(i, f) !== 0
              : c.width === 4
                ? v.u32(i, f) !== 0
                : c.width === 2
                  ? v.u16(i, f) !== 0
                  : v.u8(i, f) !== 0
        if (set) filled.add(c.name)
      }
  })
  const empty = FLOW_COLUMNS.filter((c) => !filled.has(c.name)).map((c) => c.name)
  assert.deepEqual(
    empty,
    [],
    `flows columns that no decoder filled from ${dgs.length} datagrams: ${empty.join(', ')} (store the field in the decoder that carries it, and give a fixture a value)`,
  )
})
