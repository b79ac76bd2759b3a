// An exporter restarts with a new layout under the same template ID (NetFlow v9 and
// IPFIX, ID 256): layout A carries IPv4 addresses and no ports, layout B IPv6 addresses,
// ports and 8-byte counters. Data sent after the new template must be stored with B's
// values, and what came before with A's. The data-only datagrams follow the template at
// once, one datagram per decode task: the exporter's lane must decode them in the order
// they came (piscina re-queued busy-worker tasks at the tail before `stricterFIFO`).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  buildIpfix,
  buildV9,
  type FieldValue,
  type TemplateDef,
} from '@flowloft/decoder-wasm/testing'
import { freeUdpPort, sendUdp } from '../support/exporters.js'
import { eventually, startTestService } from '../support/service.js'

const RECORDS = 3
const DATAGRAMS = 20

type Protocol = 'netflow9' | 'ipfix'
/** Time fields: v9 sysUptime ms (FIRST/LAST_SWITCHED), IPFIX flowStart/EndMilliseconds. */
const times = (p: Protocol): TemplateDef['fields'] =>
  p === 'netflow9'
    ? [
        { id: 22, length: 4 },
        { id: 21, length: 4 },
      ]
    : [
        { id: 152, length: 8 },
        { id: 153, length: 8 },
      ]
const layoutA = (p: Protocol): TemplateDef => ({
  id: 256,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 4, length: 1 },
    { id: 1, length: 4 },
    { id: 2, length: 4 },
    ...times(p),
  ],
})
const layoutB = (p: Protocol): TemplateDef => ({
  id: 256,
  fields: [
    { id: 7, length: 2 },
    { id: 11, length: 2 },
    { id: 27, length: 16 },
    { id: 28, length: 16 },
    { id: 4, length: 1 },
    { id: 1, length: 8 },
    { id: 2, length: 8 },
    ...times(p),
  ],
})

interface Row {
  type: string
  src: string
  dst: string
  src_port: number
  dst_port: number
  proto: number
  bytes: number
  packets: number
}

const order = (rows: Row[]): Row[] =>
  [...rows].sort((a, b) => a.type.localeCompare(b.type) || a.bytes - b.bytes)

/** Values of record j of datagram k in layout A or B, and the row it must become. */
function flow(p: Protocol, layout: 'A' | 'B', k: number, j: number): [FieldValue[], Row] {
  const now = Date.now()
  const t: FieldValue[] =
    p === 'netflow9' ? [8_000, 9_000] : [BigInt(now - 2000), BigInt(now - 1000)]
  const n = k * RECORDS + j
  if (layout === 'A') {
    const v = ['10.5.0.1', '10.6.0.2', 17, 100 + n, 1]
    return [
      [...v, ...t],
      {
        type: p,
        src: '::ffff:10.5.0.1',
        dst: '::ffff:10.6.0.2',
        src_port: 0,
        dst_port: 0,
        proto: 17,
        bytes: 100 + n,
        packets: 1,
      },
    ]
  }
  const v = [4321, 8000 + n, '2001:db8::b1', '2001:db8::b2', 6, 70_000n + BigInt(n), 7n]
  return [
    [...v, ...t],
    {
      type: p,
      src: '2001:db8::b1',
      dst: '2001:db8::b2',
      src_port: 4321,
      dst_port: 8000 + n,
      proto: 6,
      bytes: 70_000 + n,
      packets: 7,
    },
  ]
}

/** Datagram k of layout A or B, with the template first when `withTemplate`. */
function datagram(
  p: Protocol,
  layout: 'A' | 'B',
  k: number,
  withTemplate: boolean,
): [Uint8Array, Row[]] {
  const tpl = layout === 'A' ? layoutA(p) : layoutB(p)
  const flows = Array.from({ length: RECORDS }, (_, j) => flow(p, layout, k, j))
  const records = flows.map((f) => f[0])
  const rows = flows.map((f) => f[1])
  // After the restart the exporter's uptime and sequence start again.
  const restarted = layout === 'B'
  const unixSecs = Math.floor(Date.now() / 1000)
  if (p === 'netflow9') {
    const h = { sysUptime: restarted ? 10_000 : 900_000, unixSecs, sequence: k, sourceId: 5 }
    return [
      buildV9(h, [...(withTemplate ? [{ templates: [tpl] }] : []), { template: tpl, records }]),
      rows,
    ]
  }
  const h = { exportTime: unixSecs, sequence: k * RECORDS, domain: 5 }
  return [
    buildIpfix(h, [...(withTemplate ? [{ templates: [tpl] }] : []), { template: tpl, records }]),
    rows,
  ]
}

void test(
  'a new layout under the same template ID decodes with the new layout (v9, IPFIX)',
  { timeout: 60_000 },
  async () => {
    // Two workers, one datagram per task: the lane's queue holds many tasks at once.
    const svc = await startTestService({ 'decode.workers': 2, 'decode.batch_datagrams': 1 })
    try {
      const expected: Row[] = []
      const from = { port: await freeUdpPort() } // one exporter session
      const send = async (layout: 'A' | 'B'): Promise<void> => {
        for (const p of ['netflow9', 'ipfix'] as const) {
          // The template rides with the first data; the rest is data only.
          const first = datagram(p, layout, 0, true)
          await sendUdp(svc.netflowPort, [first[0]], from)
          expected.push(...first[1])
          const rest: Uint8Array[] = []
          for (let k = 1; k < DATAGRAMS; k++) {
            const [d, rows] = datagram(p, layout, k, false)
            rest.push(d)
            expected.push(...rows)
          }
          await sendUdp(svc.netflowPort, rest, from)
        }
        await eventually(async () => (await stored()).length === expected.length)
      }
      const stored = (): Promise<Row[]> =>
        svc
          .query<Row>(
            'SELECT toString(flow_type) AS type, toString(src_addr) AS src, toString(dst_addr) AS dst, src_port, dst_port, proto, bytes, packets FROM flows',
          )
          .then(order)

      for (const layout of ['A', 'B', 'A', 'B'] as const) {
        await send(layout)
        assert.deepEqual(await stored(), order(expected), `after layout ${layout}`)
      }
      assert.equal(expected.length, 4 * 2 * DATAGRAMS * RECORDS)
    } finally {
      await svc.stop()
    }
  },
)
