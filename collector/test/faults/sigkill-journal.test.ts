// SIGKILL while the writer holds every flow in memory (a long writer.quiet_batch_ms, no
// insert yet), then a restart on the same data dir: the journal gives back exactly the
// flows sent, with their bytes, none stored twice.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildV9 } from '@flowloft/decoder-wasm/testing'
import { freeUdpPort, sendUdp } from '../support/exporters.js'
import { FLOW_TEMPLATE } from '../support/v9-flow-template.js'
import { startChildService, type ChildService } from '../support/child-service.js'
import { eventually, metricValue } from '../support/service.js'

const FLOWS_PER_DATAGRAM = 10
const DATAGRAMS = 40
const FLOWS = FLOWS_PER_DATAGRAM * DATAGRAMS

const template = FLOW_TEMPLATE
const header = (sequence: number) => ({
  sysUptime: 100_000,
  unixSecs: Math.floor(Date.now() / 1000),
  sequence,
  sourceId: 7,
})
/** Datagram i's flows: src_port i, dst_port j, bytes 1000 + 10 i + j. */
const bytesOf = (i: number, j: number): number => 1000 + 10 * i + j
const data = (i: number): Uint8Array =>
  buildV9(header(i + 1), [
    {
      template,
      records: Array.from({ length: FLOWS_PER_DATAGRAM }, (_, j) => [
        '10.5.0.1',
        '10.6.0.2',
        i,
        j,
        6,
        bytesOf(i, j),
        1,
        90_000,
        99_000,
      ]),
    },
  ])

void test('SIGKILL with every flow in the writer memory: the restart stores each once', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-sigkill-journal-'))
  // A window far longer than the test: nothing is inserted before the kill.
  const flags = { 'writer-batch-ms': 500, 'writer-quiet-batch-ms': 120_000 }
  const services: ChildService[] = []
  t.after(async () => {
    for (const s of services) await s.kill()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const first = await startChildService(dataDir, flags)
  services.push(first)
  const from = { port: await freeUdpPort() }
  await sendUdp(first.netflowPort, [buildV9(header(0), [{ templates: [template] }])], from)
  await sendUdp(
    first.netflowPort,
    Array.from({ length: DATAGRAMS }, (_, i) => data(i)),
    from,
  )
  const pending = async (): Promise<number> =>
    metricValue(await first.metrics(), 'flowloft_writer_pending_rows')
  await eventually(async () => (await pending()) === FLOWS, 10_000)
  const m = await first.metrics()
  assert.equal(metricValue(m, 'flowloft_writer_rows_total'), 0, 'nothing inserted yet')
  assert.ok(metricValue(m, 'flowloft_writer_journal_bytes') > 0, 'the rows are journaled')
  first.process.kill('SIGKILL')
  assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' })

  const second = await startChildService(dataDir, flags)
  services.push(second)
  const recovered = await second.metrics()
  assert.equal(metricValue(recovered, 'flowloft_writer_journal_recovered_rows_total'), FLOWS)
  // The API's reads insert the rows that have waited: the recovered batch goes first.
  const stats = async (): Promise<{ n: number; uniq: number; bytes: number }> => {
    const [r] = await second.query<{ n: string; uniq: string; bytes: string }>(
      'SELECT count() AS n, uniqExact(src_port, dst_port) AS uniq, sum(bytes) AS bytes FROM flows',
    )
    return { n: Number(r?.n), uniq: Number(r?.uniq), bytes: Number(r?.bytes) }
  }
  await eventually(async () => (await stats()).n >= FLOWS, 20_000)
  let want = 0
  for (let i = 0; i < DATAGRAMS; i++)
    for (let j = 0; j < FLOWS_PER_DATAGRAM; j++) want += bytesOf(i, j)
  assert.deepEqual(await stats(), { n: FLOWS, uniq: FLOWS, bytes: want })
  // /metrics may lag the insert by a refresh.
  await eventually(async () => {
    const after = await second.metrics()
    return (
      metricValue(after, 'flowloft_writer_rows_total') === FLOWS &&
      metricValue(after, 'flowloft_writer_journal_bytes') === 0
    )
  }, 10_000)
})
