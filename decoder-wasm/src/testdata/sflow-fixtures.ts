// sFlow v5 datagrams built in code that between them reach every branch of the sFlow
// decoder: the conformance suite's and the fuzzer's seeds beside the pmacct capture.
import { frame } from '../pcap/write.js'
import { buildSflow } from './sflow-builder.js'

const v4 = frame({
  timeMs: 0,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  proto: 6,
  srcPort: 1,
  dstPort: 2,
  payloadBytes: 100,
  vlan: 9,
})
const v6 = frame({
  timeMs: 0,
  src: 'fd00::1',
  dst: 'fd00::2',
  proto: 58,
  icmpType: 128,
  payloadBytes: 16,
})

/** Builder datagrams that between them reach every branch of the sFlow decoder. */
export function sflowBuilderFixtures(): Uint8Array[] {
  return [
    buildSflow({
      samples: [
        {
          kind: 'flow',
          rate: 100,
          input: 3,
          output: 0x80000002,
          records: [
            { kind: 'switch', srcVlan: 9, dstVlan: 10 },
            { kind: 'header', frame: v4, stripped: 4 },
            { kind: 'router', nextHop: '10.0.0.254', srcMask: 24, dstMask: 8 },
            {
              kind: 'gateway',
              nextHop: '2001:db8::1',
              as: 1,
              srcAs: 2,
              srcPeerAs: 3,
              path: [
                { type: 2, asns: [4, 5] },
                { type: 1, asns: [6] },
              ],
              communities: [7],
            },
          ],
        },
        {
          kind: 'counters',
          records: [
            { kind: 'generic', ifIndex: 3 },
            { kind: 'raw', format: 2, data: new Uint8Array(52) },
          ],
        },
      ],
    }),
    buildSflow({
      agent: '2001:db8::5',
      samples: [
        {
          kind: 'flow',
          expanded: true,
          rate: 10,
          records: [
            {
              kind: 'ethernet',
              length: 80,
              srcMac: '0:1:2:3:4:5',
              dstMac: '6:7:8:9:a:b',
              type: 0x86dd,
            },
            {
              kind: 'ipv6',
              length: 64,
              protocol: 17,
              src: 'fd00::1',
              dst: 'fd00::2',
              srcPort: 1,
              dstPort: 2,
            },
            { kind: 'header', frame: v6, protocol: 12, headerLength: 60 },
          ],
        },
        { kind: 'counters', expanded: true, records: [{ kind: 'generic', ifIndex: 7 }] },
        { kind: 'raw', format: (9 << 12) | 1, data: new Uint8Array(10) },
      ],
    }),
    buildSflow({
      agent: '',
      samples: [
        {
          kind: 'flow',
          rate: 1,
          records: [
            {
              kind: 'ipv4',
              length: 40,
              protocol: 6,
              src: '1.2.3.4',
              dst: '5.6.7.8',
              srcPort: 80,
              dstPort: 81,
            },
            { kind: 'raw', format: 1005, data: new Uint8Array([1, 2, 3]) },
          ],
        },
        {
          kind: 'flow',
          rate: 1,
          records: [{ kind: 'header', protocol: 11, frame: v4.subarray(18) }],
        },
      ],
    }),
  ]
}
