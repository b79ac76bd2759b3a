// SIGTERM under load: a collector in its own process receives NetFlow v5 at a steady
// rate and is told to stop while datagrams keep coming. It must store every flow it
// accepted. "Accepted" is what the collector itself counted: its last log line states
// the datagrams it read, the flows it decoded and the rows it inserted; the database,
// reopened by another process after the exit, must hold exactly those flows, once each.
// Datagrams the kernel dropped or that came after the socket closed were never accepted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LifetimeTotals } from '../../dist/observability/totals.js'
import { queryDataDir, startChildService } from '../support/child-service.js'
import { v5Now } from '../support/netflow5.js'
import { eventually, metricValue } from '../support/service.js'
import { SteadySender } from '../support/udp-load.js'

const FLOWS_PER_DATAGRAM = 20
const DATAGRAMS_PER_SECOND = 150

/** Datagram i: its flows carry i in src_port and their index in dst_port. */
const datagram = (i: number): Uint8Array =>
  v5Now(
    Array.from({ length: FLOWS_PER_DATAGRAM }, (_, j) => ({
      src: '10.1.0.1',
      dst: '10.2.0.2',
      srcPort: i & 0xffff,
      dstPort: j,
      bytes: 1000 + j,
      packets: 2,
    })),
  )

void test('SIGTERM under load stores every accepted flow', { timeout: 60_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-sigterm-'))
  const svc = await startChildService(dataDir, { 'writer-batch-ms': 500 })
  const sender = new SteadySender(svc.netflowPort, datagram, DATAGRAMS_PER_SECOND)
  t.after(async () => {
    await sender.close()
    await svc.kill()
    rmSync(dataDir, { recursive: true, force: true })
  })

  sender.start()
  // Load for a while: flows are decoded and some are already stored.
  await eventually(async () => {
    const m = await svc.metrics()
    return metricValue(m, 'flowloft_writer_rows_total') >= 3 * DATAGRAMS_PER_SECOND
  }, 20_000)
  await new Promise((r) => setTimeout(r, 1000))
  const decodedBefore = metricValue(await svc.metrics(), 'flowloft_decoder_flows_total')

  svc.process.kill('SIGTERM') // the sender goes on until the process has gone
  const exit = await svc.exited
  sender.stop()
  const sentFlows = sender.made * FLOWS_PER_DATAGRAM
  assert.deepEqual(exit, { code: 0, signal: null })
  const last = svc.logs.at(-1)
  assert.equal(last?.msg, 'stopped')
  const totals = last as unknown as LifetimeTotals

  const [stored] = await queryDataDir<{ rows: number; uniq: number; bytes: number }>(
    dataDir,
    'SELECT count() AS rows, uniqExact(src_port, dst_port) AS uniq, sum(bytes) AS bytes FROM flows',
  )
  console.log(
    `SIGTERM: sent ${sentFlows} flows, accepted ${totals.flows} ` +
      `(${totals.datagrams} datagrams), stored ${stored?.rows}`,
  )
  // Accepted: every datagram read was decoded, none dropped on the way.
  assert.equal(totals.datagramsDropped, 0)
  assert.equal(totals.flows, totals.datagrams * FLOWS_PER_DATAGRAM)
  assert.ok(totals.flows >= decodedBefore, 'counted at least what /metrics showed before')
  assert.ok(totals.flows < sentFlows, 'datagrams kept coming after the socket closed')
  // Stored: exactly the accepted flows, each once, nothing left to the spool.
  assert.equal(totals.rowsInserted, totals.flows)
  assert.equal(totals.rowsSpooled, 0)
  assert.equal(totals.rowsDropped, 0)
  assert.equal(stored?.rows, totals.flows)
  assert.equal(stored?.uniq, totals.flows)
  const perDatagramBytes = Array.from({ length: FLOWS_PER_DATAGRAM }, (_, j) => 1000 + j)
  assert.equal(stored?.bytes, totals.datagrams * perDatagramBytes.reduce((a, b) => a + b))
})
