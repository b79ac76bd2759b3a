// Templates have one way into a decoder besides the wire: the registry's snapshot, read
// when the decoder is made (a worker's start, a rebuild after a trap). A decoder seeded
// after another one learned a template decodes that exporter's data-only datagrams at
// once; one made without the seed holds them, waiting for the template.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DatagramBatch, parseAddress } from '@flowloft/decoder-wasm'
import { buildV9, type TemplateDef } from '@flowloft/decoder-wasm/testing'
import { BatchDecoder } from '../../../dist/decode/batch-decoder.js'
import { TemplateSeed } from '../../../dist/decode/template-channel.js'
import { createTemplateStore } from '../../../dist/decode/template-store.js'
import { createLogger } from '../../../dist/observability/log.js'

const TEMPLATE: TemplateDef = {
  id: 300,
  fields: [
    { id: 8, length: 4 },
    { id: 12, length: 4 },
    { id: 4, length: 1 },
    { id: 1, length: 4 },
    { id: 2, length: 4 },
  ],
}
const EXPORTER = '192.0.2.9'
const header = { sysUptime: 60_000, unixSecs: Math.floor(Date.now() / 1000), sourceId: 7 }

function batchOf(datagram: Uint8Array): ReturnType<DatagramBatch['take']> {
  const b = new DatagramBatch(1 << 16, 8)
  b.add(Buffer.from(datagram), parseAddress(EXPORTER), 2055, Date.now())
  return b.take()
}

const data = (): ReturnType<DatagramBatch['take']> =>
  batchOf(
    buildV9(header, [
      {
        template: TEMPLATE,
        records: [
          ['10.0.0.1', '198.51.100.1', 6, 1500, 3],
          ['10.0.0.2', '198.51.100.2', 17, 800, 2],
        ],
      },
    ]),
  )

void test('a decoder made after a template was learned elsewhere is seeded with it', () => {
  const store = createTemplateStore(null, createLogger('error'))
  const learner = new BatchDecoder(new TemplateSeed(store.buffer))
  const learned = learner.decode(batchOf(buildV9(header, [{ templates: [TEMPLATE] }])))
  assert.equal(learned.rows, 0, 'a template alone makes no rows')
  store.apply(learned.events)
  assert.equal(store.stats().entries, 1, 'the registry holds the template')

  const seeded = new BatchDecoder(new TemplateSeed(store.buffer))
  assert.equal(seeded.decode(data()).rows, 2, 'the seeded decoder decodes data-only datagrams')

  const unseeded = new BatchDecoder()
  assert.equal(unseeded.decode(data()).rows, 0, 'without the seed the data waits for its template')
})
