// The fuzzer's seeds: real datagrams of every protocol the decoder reads. Recorded
// exports (softflowd NetFlow v9 and IPFIX, pmacct sFlow) where there are captures,
// the test builders' datagrams beside them and for the versions with no capture.
import {
  buildFixed,
  buildV5,
  builtIpfix,
  builtV9,
  capturePayloads,
  mutationPool,
  type MutationPool,
  sflowBuilderFixtures,
  type V5Record,
} from '@flowloft/decoder-wasm/testing'

export const PROTOCOLS = [
  'netflow1',
  'netflow5',
  'netflow6',
  'netflow7',
  'netflow9',
  'ipfix',
  'sflow5',
] as const
export type Protocol = (typeof PROTOCOLS)[number]

const record = (i: number): V5Record => ({
  src: `10.0.${i & 0xff}.1`,
  dst: '93.184.216.34',
  nextHop: '10.0.0.254',
  input: 3,
  output: 7,
  packets: 10 + i,
  bytes: 1500 * (i + 1),
  first: 90_000,
  last: 99_000,
  srcPort: 50_000 + i,
  dstPort: i % 3 === 0 ? 0x0303 : 443,
  tcpFlags: 0x1b,
  proto: i % 3 === 0 ? 1 : 6,
  tos: 8,
  srcAs: 64_512,
  dstAs: 15_133,
  srcMask: 24,
  dstMask: 16,
})
const records = (n: number): V5Record[] => Array.from({ length: n }, (_, i) => record(i))
const header = {
  sysUptime: 100_000,
  unixSecs: 1_700_000_000,
  unixNsecs: 5,
  sequence: 9,
  engineId: 1,
}

/** Fixed-format datagrams: one record, a full one, and (v5) a sampled one. */
function fixed(version: 1 | 5 | 6 | 7): Uint8Array[] {
  const max = version === 1 ? 24 : version === 5 ? 30 : 27
  const build = (n: number, sampling = 0): Uint8Array =>
    version === 5
      ? buildV5({ ...header, sampling }, records(n))
      : buildFixed(version, header, records(n))
  return version === 5
    ? [build(1), build(max), build(3, 0x4000 | 100)]
    : [build(1), build(max), build(5)]
}

/** The seeds of one protocol, with v9 / IPFIX set framing for set splicing. */
export function corpus(p: Protocol): MutationPool {
  switch (p) {
    case 'netflow1':
      return mutationPool(fixed(1))
    case 'netflow5':
      return mutationPool(fixed(5))
    case 'netflow6':
      return mutationPool(fixed(6))
    case 'netflow7':
      return mutationPool(fixed(7))
    case 'netflow9':
      return mutationPool(
        [
          ...builtV9(),
          ...capturePayloads('softflowd-v9.pcap'),
          ...capturePayloads('softflowd-v9-sampled.pcap'),
        ],
        { headerLength: 20 },
      )
    case 'ipfix':
      return mutationPool(
        [
          ...builtIpfix(),
          ...capturePayloads('softflowd-ipfix.pcap'),
          ...capturePayloads('softflowd-ipfix-biflow.pcap'),
        ],
        { headerLength: 16 },
      )
    case 'sflow5':
      return mutationPool([...sflowBuilderFixtures(), ...capturePayloads('sflow-pmacct.pcap')])
  }
}
