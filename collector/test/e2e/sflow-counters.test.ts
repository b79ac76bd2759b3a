// sFlow counter samples go to their own table, flowloft.sflow_counters, with the
// agent's 64-bit octet counters intact.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildSflow } from '@flowloft/decoder-wasm/testing'
import { sendUdp } from '../support/exporters.js'
import { eventually, startTestService } from '../support/service.js'

void test('interface counter samples are stored in sflow_counters', async () => {
  const svc = await startTestService()
  try {
    const datagram = buildSflow({
      agent: '192.0.2.7',
      subAgent: 1,
      samples: [
        {
          kind: 'counters',
          sequence: 42,
          sourceIdType: 0,
          sourceIndex: 3,
          records: [
            {
              kind: 'generic',
              ifIndex: 3,
              ifType: 6,
              ifSpeed: 1_000_000_000n,
              ifDirection: 1,
              ifStatus: 3,
              inOctets: 2n ** 40n + 5n,
              inUcast: 1000,
              outOctets: 123_456_789n,
              outUcast: 900,
              inErrors: 2,
            },
          ],
        },
      ],
    })
    // The NetFlow port takes any version: the decoder tells sFlow by its first word.
    await sendUdp(svc.netflowPort, [datagram])
    type Row = {
      agent: string
      if_index: number
      in_octets: string
      out_octets: string
      in_errors: number
      sequence: number
    }
    let rows: Row[] = []
    await eventually(async () => {
      rows = await svc.query<Row>(
        'SELECT toString(agent) AS agent, if_index, toString(in_octets) AS in_octets, toString(out_octets) AS out_octets, in_errors, sequence FROM sflow_counters',
      )
      return rows.length === 1
    })
    assert.deepEqual(rows, [
      {
        agent: '::ffff:192.0.2.7',
        if_index: 3,
        in_octets: String(2n ** 40n + 5n),
        out_octets: '123456789',
        in_errors: 2,
        sequence: 42,
      },
    ])
    const [flows] = await svc.query<{ n: number }>('SELECT count() AS n FROM flows')
    assert.equal(flows?.n, 0, 'counter samples are not flows')
  } finally {
    await svc.stop()
  }
})
