// anonymise.addresses: local through the real pipeline (NetFlow v9 over UDP loopback,
// the workers, the embedded ClickHouse), for IPv4 and IPv6: the local side and its
// post-NAT address stored in their Crypto-PAn form under the configured key, the remote
// side and its post-NAT address in clear, the next hop anonymised, an absent one left
// absent; country, AS and direction from the clear addresses. The same with
// anonymise.clear_days (the workers store clear rows in flows_clear, the view writes
// them anonymised into flows): flows holds the same rows, flows_clear the clear ones.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatAddress, parseAddress } from '@flowloft/decoder-wasm'
import { buildV9, type TemplateDef } from '@flowloft/decoder-wasm/testing'
import { CryptoPan } from '../../../dist/anonymise/crypto-pan.js'
import { sendUdp } from '../../support/exporters.js'
import { eventually, startTestService } from '../../support/service.js'

const KEY = '0123456789abcdef'.repeat(4)
const cp = new CryptoPan(Buffer.from(KEY, 'hex'))
const anon = (a: string): string => formatAddress(cp.anonymiseStored(parseAddress(a)), 0)

const common = [
  { id: 1, length: 8 },
  { id: 2, length: 8 },
  { id: 4, length: 1 },
  { id: 7, length: 2 },
  { id: 11, length: 2 },
]
const V4: TemplateDef = {
  id: 300,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 225, length: 4 },
    { id: 226, length: 4 },
    { id: 15, length: 4 },
    ...common,
  ],
}
const V6: TemplateDef = {
  id: 301,
  fields: [{ id: 27, length: 16 }, { id: 28, length: 16 }, { id: 62, length: 16 }, ...common],
}
const HOME_V6 = '2001:db8:1::10'
const GOOGLE_V6 = '2a00:1450:4001:80b::200e'

interface Row {
  src: string
  dst: string
  nat_src: string
  nat_dst: string
  hop: string
  dst_port: number
  direction: string
  src_country: string
  src_as_name: string
  dst_as: number
}

for (const clearDays of [0, 3])
  void test(`local mode, clear_days ${clearDays}: local sides and their post-NAT addresses anonymised, IPv4 and IPv6; enrichment from the clear`, async () => {
    const svc = await startTestService({
      'anonymise.addresses': 'local',
      'anonymise.key': KEY,
      'anonymise.clear_days': clearDays,
      'enrich.local_prefixes': ['192.168.1.0/24', '2001:db8:1::/48'],
      'enrich.learn_prefixes': false,
    })
    try {
      const header = { sysUptime: 60_000, unixSecs: Math.floor(Date.now() / 1000), sourceId: 1 }
      const f = (port: number): [number, number, number, number, number] => [
        1000,
        2,
        6,
        40000,
        port,
      ]
      await sendUdp(svc.netflowPort, [
        buildV9(header, [
          { templates: [V4, V6] },
          {
            template: V4,
            records: [
              // Outbound through NAT: the home's public address is the post-NAT source.
              ['192.168.1.10', '8.8.8.8', '198.51.100.7', '8.8.8.8', '0.0.0.0', ...f(1)],
              ['8.8.8.8', '192.168.1.10', '8.8.8.8', '192.168.1.10', '203.0.113.1', ...f(2)],
            ],
          },
          {
            template: V6,
            records: [
              [HOME_V6, GOOGLE_V6, 'fe80::1', ...f(3)],
              [GOOGLE_V6, HOME_V6, '::', ...f(4)],
            ],
          },
        ]),
      ])
      const strip = (col: string, as: string): string =>
        `replaceOne(IPv6NumToString(${col}), '::ffff:', '') AS ${as}`
      let rows: Row[] = []
      await eventually(async () => {
        rows = await svc.query<Row>(
          `SELECT ${strip('src_addr', 'src')}, ${strip('dst_addr', 'dst')},
          ${strip('post_nat_src_addr', 'nat_src')}, ${strip('post_nat_dst_addr', 'nat_dst')},
          ${strip('next_hop', 'hop')}, dst_port, toString(direction) AS direction,
          src_country, src_as_name, dst_as FROM flows ORDER BY dst_port`,
        )
        return rows.length === 4
      })
      const [out4, in4, out6, in6] = rows
      assert.ok(out4 && in4 && out6 && in6)
      assert.deepEqual(
        [out4.src, out4.dst, out4.nat_src, out4.nat_dst, out4.hop, out4.direction],
        [anon('192.168.1.10'), '8.8.8.8', anon('198.51.100.7'), '8.8.8.8', '0.0.0.0', 'outbound'],
      )
      // The local source's country and AS name are those of the clear 192.168.1.10.
      assert.deepEqual(
        [out4.src_country, out4.src_as_name, out4.dst_as],
        ['private', 'private', 15169],
      )
      assert.deepEqual(
        [in4.src, in4.dst, in4.nat_src, in4.nat_dst, in4.hop, in4.direction],
        [
          '8.8.8.8',
          anon('192.168.1.10'),
          '8.8.8.8',
          anon('192.168.1.10'),
          anon('203.0.113.1'),
          'inbound',
        ],
      )
      assert.deepEqual(
        [out6.src, out6.dst, out6.hop, out6.direction],
        [anon(HOME_V6), GOOGLE_V6, anon('fe80::1'), 'outbound'],
      )
      assert.deepEqual(
        [in6.src, in6.dst, in6.hop, in6.direction],
        [GOOGLE_V6, anon(HOME_V6), '::', 'inbound'],
      )
      // Mapped: not the clear address, and IPv6 stays IPv6 in the /48 the mapping gives.
      assert.notEqual(anon(HOME_V6), HOME_V6)
      assert.ok(!anon(HOME_V6).includes('.'))
      const clear = await svc.query<{ src: string; dst: string; hop: string }>(
        `SELECT ${strip('src_addr', 'src')}, ${strip('dst_addr', 'dst')}, ${strip('next_hop', 'hop')}
       FROM flows_clear ORDER BY dst_port`,
      )
      assert.deepEqual(
        clear,
        clearDays === 0
          ? []
          : [
              { src: '192.168.1.10', dst: '8.8.8.8', hop: '0.0.0.0' },
              { src: '8.8.8.8', dst: '192.168.1.10', hop: '203.0.113.1' },
              { src: HOME_V6, dst: GOOGLE_V6, hop: 'fe80::1' },
              { src: GOOGLE_V6, dst: HOME_V6, hop: '::' },
            ],
      )
    } finally {
      await svc.stop()
    }
  })
