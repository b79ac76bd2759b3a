import { test } from 'node:test'
import assert from 'node:assert/strict'
import { frame, type Packet } from './builders/pcap-write.js'
import { buildSflow, type FlowSample, type Sample } from './builders/sflow.js'
import { RECEIVED_MS, decodeSflowDatagrams as decode } from './harness/sflow-decode.js'

const tcp: Packet = {
  timeMs: 0,
  src: '192.168.1.10',
  dst: '93.184.216.34',
  proto: 6,
  srcPort: 50000,
  dstPort: 443,
  tcpFlags: 0x18,
  payloadBytes: 960,
  tos: 0x28,
}
const tcpL3 = 20 + 20 + 960

function flowSample(p: Packet, extra: Partial<FlowSample> = {}): FlowSample {
  return { kind: 'flow', rate: 1, records: [{ kind: 'header', frame: frame(p) }], ...extra }
}

function one(samples: Sample[], o = {}) {
  const r = decode([buildSflow({ samples })], o)
  assert.deepEqual(r.statuses, ['ok'])
  return r
}

void test('standard flow sample: raw Ethernet/IPv4/TCP header, L3 bytes times the rate', () => {
  const { flows } = one([
    flowSample(tcp, { rate: 512, sequence: 77, sourceIndex: 0x123456, input: 3, output: 9 }),
  ])
  assert.equal(flows.length, 1)
  assert.deepEqual(flows[0], {
    src: '192.168.1.10',
    dst: '93.184.216.34',
    nextHop: '::',
    exporter: '192.0.2.1',
    bytes: tcpL3 * 512,
    packets: 512,
    rate: 512,
    start: RECEIVED_MS,
    end: RECEIVED_MS,
    srcPort: 50000,
    dstPort: 443,
    proto: 6,
    tos: 0x28,
    tcpFlags: 0x18,
    icmpType: 0,
    icmpCode: 0,
    ipVersion: 4,
    srcMac: '02:00:00:00:00:01',
    dstMac: '02:00:00:00:00:02',
    vlan: 0,
    srcVlan: 0,
    dstVlan: 0,
    inIf: 3,
    outIf: 9,
    srcAs: 0,
    dstAs: 0,
    srcMask: 0,
    dstMask: 0,
    domain: 0x123456,
    sequence: 77,
    flowType: 20,
    datagram: 0,
  })
})

void test('expanded flow sample: 32-bit source index and interfaces', () => {
  const { flows } = one([
    flowSample(tcp, {
      expanded: true,
      rate: 10,
      sourceIdType: 0,
      sourceIndex: 0x01234567,
      input: 0x40000001,
      output: 70000,
      sequence: 5,
    }),
  ])
  assert.equal(flows[0]?.domain, 0x01234567)
  assert.equal(flows[0]?.inIf, 0x40000001)
  assert.equal(flows[0]?.outIf, 70000)
  assert.equal(flows[0]?.sequence, 5)
  assert.equal(flows[0]?.packets, 10)
  assert.equal(flows[0]?.bytes, tcpL3 * 10)
})

void test('interfaces: unknown, discarded and multiple encodings become 0', () => {
  const compact = [
    [0x3fffffff, 0],
    [0x40000000 | 263, 0], // discarded, reason code
    [0x80000003, 0], // multiple, 3 interfaces
    [0xc0000001, 0], // reserved format
    [17, 17],
  ] as const
  for (const [word, want] of compact) {
    const { flows } = one([flowSample(tcp, { input: word, output: word })])
    assert.equal(flows[0]?.inIf, want, `compact input 0x${word.toString(16)}`)
    assert.equal(flows[0]?.outIf, want, `compact output 0x${word.toString(16)}`)
  }
  const { flows } = one([
    flowSample(tcp, {
      expanded: true,
      inputFormat: 2,
      input: 3,
      outputFormat: 0,
      output: 0x3fffffff,
    }),
    flowSample(tcp, {
      expanded: true,
      inputFormat: 1,
      input: 5,
      outputFormat: 0,
      output: 0xffffffff,
    }),
  ])
  assert.deepEqual(
    flows.map((f) => [f.inIf, f.outIf]),
    [
      [0, 0],
      [0, 0],
    ],
  )
})

void test('802.1Q tag in the header and extended switch VLANs', () => {
  const { flows } = one([
    {
      kind: 'flow',
      rate: 1,
      records: [
        { kind: 'switch', srcVlan: 100, dstVlan: 200, srcPriority: 5 },
        { kind: 'header', frame: frame({ ...tcp, vlan: 0x2000 | 42 }) },
      ],
    },
  ])
  assert.equal(flows[0]?.vlan, 42, 'the header tag wins (priority bits masked off)')
  assert.equal(flows[0]?.srcVlan, 100)
  assert.equal(flows[0]?.dstVlan, 200)
  assert.equal(flows[0]?.bytes, tcpL3)
  assert.equal(flows[0]?.dstPort, 443)
  // Without a tag in the header, the switch's input VLAN fills the vlan column.
  const untagged = one([
    {
      kind: 'flow',
      rate: 1,
      records: [
        { kind: 'header', frame: frame(tcp) },
        { kind: 'switch', srcVlan: 7, dstVlan: 8 },
      ],
    },
  ])
  assert.equal(untagged.flows[0]?.vlan, 7)
})

void test('QinQ: the outer tag is the vlan, the inner ethertype is followed', () => {
  const inner = frame({ ...tcp, vlan: 30 })
  const qinq = new Uint8Array(inner.byteLength + 4)
  qinq.set(inner.subarray(0, 12))
  qinq.set([0x88, 0xa8, 0x00, 0x0a], 12)
  qinq.set(inner.subarray(12), 16)
  const { flows } = one([{ kind: 'flow', rate: 1, records: [{ kind: 'header', frame: qinq }] }])
  assert.equal(flows[0]?.vlan, 10)
  assert.equal(flows[0]?.dst, '93.184.216.34')
  assert.equal(flows[0]?.bytes, tcpL3)
})

void test('IPv6 header: addresses, traffic class, UDP ports, 40 + payload length bytes', () => {
  const udp6: Packet = {
    timeMs: 0,
    src: '2001:db8::1',
    dst: '2606:4700:4700::1111',
    proto: 17,
    srcPort: 5353,
    dstPort: 53,
    payloadBytes: 100,
    tos: 0xb8,
  }
  const { flows } = one([flowSample(udp6, { rate: 4 })])
  const f = flows[0]
  assert.equal(f?.src, '2001:db8::1')
  assert.equal(f?.dst, '2606:4700:4700::1111')
  assert.equal(f?.ipVersion, 6)
  assert.equal(f?.tos, 0xb8)
  assert.equal(f?.proto, 17)
  assert.equal(f?.srcPort, 5353)
  assert.equal(f?.dstPort, 53)
  assert.equal(f?.bytes, (40 + 8 + 100) * 4)
  assert.equal(f?.packets, 4)
})

void test('IPv6 extension headers are skipped to the transport header', () => {
  const base = frame({
    timeMs: 0,
    src: '2001:db8::1',
    dst: '2001:db8::2',
    proto: 6,
    srcPort: 1234,
    dstPort: 22,
    tcpFlags: 0x02,
    payloadBytes: 0,
  })
  // Insert a hop-by-hop header (8 bytes) and a first-fragment header (8 bytes).
  const ext = new Uint8Array([44, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0x00, 0x01, 0, 0, 0, 1])
  const f = new Uint8Array(base.byteLength + ext.byteLength)
  f.set(base.subarray(0, 54))
  f.set(ext, 54)
  f.set(base.subarray(54), 70)
  f[14 + 6] = 0 // next header: hop-by-hop
  new DataView(f.buffer).setUint16(14 + 4, 20 + 16)
  const { flows } = one([{ kind: 'flow', rate: 1, records: [{ kind: 'header', frame: f }] }])
  assert.equal(flows[0]?.proto, 6)
  assert.equal(flows[0]?.dstPort, 22)
  assert.equal(flows[0]?.tcpFlags, 0x02)
  assert.equal(flows[0]?.bytes, 40 + 36)
  // A later fragment has no transport header: protocol known, ports not.
  const later = f.slice()
  later[54 + 8 + 3] = 0x08 // fragment offset 1
  const r = one([{ kind: 'flow', rate: 1, records: [{ kind: 'header', frame: later }] }])
  assert.equal(r.flows[0]?.proto, 6)
  assert.equal(r.flows[0]?.dstPort, 0)
})

void test('ICMP and ICMPv6 type and code', () => {
  const icmp: Packet = {
    timeMs: 0,
    src: '10.0.0.1',
    dst: '10.0.0.2',
    proto: 1,
    icmpType: 3,
    icmpCode: 4,
    payloadBytes: 28,
  }
  const icmp6: Packet = {
    timeMs: 0,
    src: 'fd00::1',
    dst: 'fd00::2',
    proto: 58,
    icmpType: 135,
    icmpCode: 0,
    payloadBytes: 24,
  }
  const { flows } = one([flowSample(icmp), flowSample(icmp6)])
  assert.deepEqual(
    flows.map((f) => [f.proto, f.icmpType, f.icmpCode, f.srcPort, f.dstPort, f.bytes]),
    [
      [1, 3, 4, 0, 0, 20 + 8 + 28],
      [58, 135, 0, 0, 0, 40 + 8 + 24],
    ],
  )
})

void test('a header cut before the IP header: frame length minus L2 header and stripped bytes', () => {
  const tagged = frame({ ...tcp, vlan: 5 })
  const { flows } = one([
    {
      kind: 'flow',
      rate: 3,
      records: [{ kind: 'header', frame: tagged, headerLength: 16, stripped: 4 }],
    },
    {
      kind: 'flow',
      rate: 1,
      records: [{ kind: 'header', frame: frame(tcp), headerLength: 30, stripped: 4 }],
    },
    { kind: 'flow', rate: 1, records: [{ kind: 'header', frame: frame(tcp), headerLength: 6 }] },
  ])
  assert.equal(flows[0]?.bytes, tcpL3 * 3, '18-byte L2 header, FCS stripped')
  assert.equal(flows[0]?.vlan, 5)
  assert.equal(flows[0]?.ipVersion, 0)
  assert.equal(flows[1]?.bytes, tcpL3, 'IPv4 header cut after 16 bytes')
  assert.equal(flows[2]?.bytes, tcpL3, 'Ethernet header itself cut')
})

void test('raw IPv4 header protocol (11) and a zero IP total length fall back to the frame', () => {
  const ip = frame(tcp).subarray(14)
  const zeroLen = frame(tcp)
  zeroLen[14 + 2] = 0
  zeroLen[14 + 3] = 0
  const { flows } = one([
    { kind: 'flow', rate: 1, records: [{ kind: 'header', protocol: 11, frame: ip }] },
    { kind: 'flow', rate: 1, records: [{ kind: 'header', frame: zeroLen, stripped: 4 }] },
  ])
  assert.equal(flows[0]?.dst, '93.184.216.34')
  assert.equal(flows[0]?.bytes, tcpL3)
  assert.equal(flows[0]?.srcMac, '00:00:00:00:00:00')
  assert.equal(flows[1]?.bytes, tcpL3)
})

void test('sampled IPv4 / IPv6 records are used when there is no header', () => {
  const { flows } = one([
    {
      kind: 'flow',
      rate: 100,
      records: [
        {
          kind: 'ethernet',
          length: 1018,
          srcMac: 'aa:bb:cc:dd:ee:01',
          dstMac: 'aa:bb:cc:dd:ee:02',
          type: 0x0800,
        },
        {
          kind: 'ipv4',
          length: 1000,
          protocol: 6,
          src: '10.1.1.1',
          dst: '10.2.2.2',
          srcPort: 1111,
          dstPort: 80,
          tcpFlags: 0x12,
          tos: 0x10,
        },
      ],
    },
    {
      kind: 'flow',
      rate: 2,
      records: [
        {
          kind: 'ipv6',
          length: 1280,
          protocol: 17,
          src: 'fd00::a',
          dst: 'fd00::b',
          srcPort: 53,
          dstPort: 999,
          tos: 0x20,
        },
      ],
    },
    {
      kind: 'flow',
      rate: 1,
      records: [
        {
          kind: 'ipv4',
          length: 84,
          protocol: 1,
          src: '10.0.0.1',
          dst: '10.0.0.2',
          srcPort: 8,
          dstPort: 0,
        },
      ],
    },
  ])
  assert.deepEqual(
    flows.map((f) => [
      f.src,
      f.dst,
      f.proto,
      f.srcPort,
      f.dstPort,
      f.tcpFlags,
      f.tos,
      f.bytes,
      f.packets,
      f.ipVersion,
    ]),
    [
      ['10.1.1.1', '10.2.2.2', 6, 1111, 80, 0x12, 0x10, 100_000, 100, 4],
      ['fd00::a', 'fd00::b', 17, 53, 999, 0, 0x20, 2560, 2, 6],
      ['10.0.0.1', '10.0.0.2', 1, 0, 0, 0, 0, 84, 1, 4],
    ],
  )
  assert.equal(flows[0]?.srcMac, 'aa:bb:cc:dd:ee:01')
  assert.equal(flows[0]?.dstMac, 'aa:bb:cc:dd:ee:02')
  assert.equal(flows[2]?.icmpType, 8)
})

void test('the raw header wins over a sampled IPv4 record in either order', () => {
  const sampled = { kind: 'ipv4', length: 1, protocol: 17, src: '1.1.1.1', dst: '2.2.2.2' } as const
  const header = { kind: 'header', frame: frame(tcp) } as const
  const { flows } = one([
    { kind: 'flow', rate: 1, records: [sampled, header] },
    { kind: 'flow', rate: 1, records: [header, sampled] },
  ])
  for (const f of flows) {
    assert.equal(f.src, '192.168.1.10')
    assert.equal(f.proto, 6)
    assert.equal(f.bytes, tcpL3)
  }
})

void test('extended router and gateway: next hop, masks, AS numbers', () => {
  const gw = {
    kind: 'gateway',
    nextHop: '203.0.113.1',
    as: 64500,
    srcAs: 64501,
    srcPeerAs: 64502,
    communities: [1, 2],
    localPref: 200,
  } as const
  const { flows } = one([
    {
      kind: 'flow',
      rate: 1,
      records: [
        { kind: 'header', frame: frame(tcp) },
        { kind: 'router', nextHop: '192.0.2.254', srcMask: 24, dstMask: 16 },
        { ...gw, path: [{ type: 2, asns: [3356, 1299, 15169] }] },
      ],
    },
    // Gateway alone: its BGP next hop fills next_hop; an empty path means the router's AS.
    {
      kind: 'flow',
      rate: 1,
      records: [
        { kind: 'header', frame: frame(tcp) },
        { ...gw, path: [] },
      ],
    },
    // Several segments: dst_as is the last AS of the path, an IPv6 next hop.
    {
      kind: 'flow',
      rate: 1,
      records: [
        { kind: 'router', nextHop: '2001:db8::fe', srcMask: 48, dstMask: 64 },
        {
          ...gw,
          path: [
            { type: 2, asns: [174] },
            { type: 1, asns: [65001, 65002] },
          ],
        },
      ],
    },
  ])
  assert.deepEqual(
    flows.map((f) => [f.nextHop, f.srcMask, f.dstMask, f.srcAs, f.dstAs]),
    [
      ['192.0.2.254', 24, 16, 64501, 15169],
      ['203.0.113.1', 0, 0, 64501, 64500],
      ['2001:db8::fe', 48, 64, 64501, 65002],
    ],
  )
})

void test('sampling rate goes through the configured override and default', () => {
  const dg = [
    buildSflow({ samples: [flowSample(tcp, { rate: 0 }), flowSample(tcp, { rate: 50 })] }),
  ]
  assert.deepEqual(
    decode(dg).flows.map((f) => [f.rate, f.packets]),
    [
      [1, 1],
      [50, 50],
    ],
  )
  assert.deepEqual(
    decode(dg, { samplingDefault: 8 }).flows.map((f) => [f.rate, f.bytes]),
    [
      [8, tcpL3 * 8],
      [50, tcpL3 * 50],
    ],
  )
  assert.deepEqual(
    decode(dg, { samplingOverride: 7 }).flows.map((f) => f.rate),
    [7, 7],
  )
})

void test('counter samples: generic interface counters into counter records', () => {
  const { flows, counters, skipped } = one([
    {
      kind: 'counters',
      sequence: 9,
      sourceIdType: 0,
      sourceIndex: 4,
      records: [
        {
          kind: 'generic',
          ifIndex: 4,
          ifType: 6,
          ifSpeed: 10_000_000_000n,
          ifDirection: 1,
          ifStatus: 3,
          inOctets: 0x1_0000_0001n,
          inUcast: 10,
          inMcast: 11,
          inBcast: 12,
          inDiscards: 13,
          inErrors: 14,
          inUnknownProtos: 15,
          outOctets: 2n ** 60n,
          outUcast: 20,
          outMcast: 21,
          outBcast: 22,
          outDiscards: 23,
          outErrors: 24,
          promiscuous: 1,
        },
        { kind: 'raw', format: 2, data: new Uint8Array(52) }, // Ethernet counters: skipped
      ],
    },
    {
      kind: 'counters',
      expanded: true,
      sequence: 10,
      sourceIdType: 3,
      sourceIndex: 0x01000000,
      records: [{ kind: 'generic', ifIndex: 0x01000000, ifStatus: 1 }],
    },
  ])
  assert.equal(flows.length, 0)
  assert.deepEqual(skipped, [1])
  assert.equal(counters.length, 2)
  assert.deepEqual(counters[0], {
    exporter: '192.0.2.1',
    agent: '192.0.2.10',
    subAgent: 0,
    uptime: 60_000,
    timeReceived: RECEIVED_MS,
    sourceIdType: 0,
    sourceId: 4,
    sequence: 9,
    ifIndex: 4,
    ifType: 6,
    ifSpeed: 10_000_000_000n,
    ifDirection: 1,
    ifStatus: 3,
    inOctets: 0x1_0000_0001n,
    inUcast: 10,
    inMcast: 11,
    inBcast: 12,
    inDiscards: 13,
    inErrors: 14,
    inUnknownProtos: 15,
    outOctets: 2n ** 60n,
    outUcast: 20,
    outMcast: 21,
    outBcast: 22,
    outDiscards: 23,
    outErrors: 24,
    promiscuous: 1,
    flowType: 20,
    datagram: 0,
  })
  assert.equal(counters[1]?.sourceIdType, 3)
  assert.equal(counters[1]?.sourceId, 0x01000000)
  assert.equal(counters[1]?.ifIndex, 0x01000000)
  assert.equal(counters[1]?.ifStatus, 1)
})

void test('IPv6 agent address, sub-agent and uptime reach the counter records', () => {
  const { counters } = one([{ kind: 'counters', records: [{ kind: 'generic', ifIndex: 1 }] }])
  assert.equal(counters[0]?.agent, '192.0.2.10')
  const r = decode([
    buildSflow({
      agent: '2001:db8::10',
      subAgent: 3,
      uptime: 123_456,
      samples: [flowSample(tcp), { kind: 'counters', records: [{ kind: 'generic', ifIndex: 1 }] }],
    }),
    buildSflow({
      agent: '',
      samples: [{ kind: 'counters', records: [{ kind: 'generic', ifIndex: 2 }] }],
    }),
  ])
  assert.deepEqual(r.statuses, ['ok', 'ok'])
  assert.equal(r.flows.length, 1)
  assert.deepEqual(
    r.counters.map((c) => [c.agent, c.subAgent, c.uptime, c.datagram]),
    [
      ['2001:db8::10', 3, 123_456, 0],
      ['::', 0, 60_000, 1],
    ],
  )
})

void test('unknown samples, unknown records and other enterprises are skipped and counted', () => {
  const odd = new Uint8Array([1, 2, 3, 4, 5]) // length not a multiple of 4: padded
  const { flows, skipped, records } = one([
    { kind: 'raw', format: 5, data: new Uint8Array(40) }, // discarded-packet sample
    { kind: 'raw', format: (4413 << 12) | 1, data: odd }, // vendor sample
    {
      kind: 'flow',
      rate: 2,
      records: [
        { kind: 'raw', format: (8800 << 12) | 1, data: new Uint8Array(12) },
        { kind: 'raw', format: 1005, data: odd }, // extended URL
        { kind: 'header', frame: frame(tcp) },
        { kind: 'raw', format: 2100, data: new Uint8Array(0) },
      ],
    },
    { kind: 'counters', records: [{ kind: 'raw', format: 1001, data: new Uint8Array(8) }] },
  ])
  assert.deepEqual(skipped, [6])
  assert.deepEqual(records, [1])
  assert.equal(flows[0]?.bytes, tcpL3 * 2)
  assert.equal(flows[0]?.dstPort, 443)
})

void test('bad datagrams get a status; good samples before a bad one are kept', () => {
  const good = buildSflow({ samples: [flowSample(tcp)] })
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['truncated_header', good.slice(0, 6)],
    ['truncated_header', good.slice(0, 20)],
    ['bad_agent_address', buildSflow({ agentType: 3, samples: [] })],
    ['bad_count', buildSflow({ count: 1000, samples: [flowSample(tcp)] })],
    ['truncated_sample', good.slice(0, good.byteLength - 4)],
    ['truncated_sample', buildSflow({ samples: [flowSample(tcp, { length: 0xfffffff0 })] })],
    ['bad_count', buildSflow({ samples: [flowSample(tcp, { count: 0x7fffffff })] })],
    [
      'truncated_sample',
      buildSflow({
        samples: [
          flowSample(tcp, {
            records: [{ kind: 'raw', format: 1, data: new Uint8Array(8), length: 400 }],
          }),
        ],
      }),
    ],
    [
      'bad_sample',
      buildSflow({
        samples: [
          flowSample(tcp, { records: [{ kind: 'raw', format: 1001, data: new Uint8Array(8) }] }),
        ],
      }),
    ],
    [
      'bad_sample',
      buildSflow({
        samples: [
          { kind: 'counters', records: [{ kind: 'raw', format: 1, data: new Uint8Array(80) }] },
        ],
      }),
    ],
    ['bad_sample', buildSflow({ samples: [{ kind: 'raw', format: 1, data: new Uint8Array(20) }] })],
    ['ok', buildSflow({ samples: [] })],
  ]
  const kept = buildSflow({
    samples: [
      flowSample(tcp),
      flowSample(tcp, {
        records: [{ kind: 'raw', format: 1002, data: new Uint8Array([0, 0, 0, 9]) }],
      }),
    ],
  })
  const r = decode([...cases.map(([, d]) => d), kept, good])
  assert.deepEqual(r.statuses, [...cases.map(([s]) => s), 'bad_sample', 'ok'])
  assert.deepEqual(r.records.slice(-2), [1, 1], 'first sample kept, the bad one dropped')
  assert.equal(r.flows.length, 2)
})

void test('flow and counter records beyond the regions are handed over in several runs', () => {
  const dg = buildSflow({
    samples: [
      flowSample(tcp),
      flowSample(tcp),
      {
        kind: 'counters',
        records: [
          { kind: 'generic', ifIndex: 1 },
          { kind: 'generic', ifIndex: 2 },
        ],
      },
    ],
  })
  const r = decode(
    Array.from({ length: 50 }, () => dg),
    { records: 16, counters: 5 },
  )
  assert.ok(r.statuses.every((s) => s === 'ok'))
  assert.equal(r.flows.length, 100)
  assert.equal(r.counters.length, 100)
  assert.deepEqual(
    r.counters.slice(0, 4).map((c) => [c.datagram, c.ifIndex]),
    [
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ],
  )
  // A datagram with more counter blocks than the region holds is cut, not retried forever.
  const big = buildSflow({
    samples: [
      {
        kind: 'counters',
        records: Array.from({ length: 8 }, (_, i) => ({ kind: 'generic', ifIndex: i }) as const),
      },
    ],
  })
  const cut = decode([big, dg], { counters: 5 })
  assert.deepEqual(cut.statuses, ['too_many_records', 'ok'])
})
