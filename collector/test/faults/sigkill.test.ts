// SIGKILL under load, then a restart on the same data dir. A NetFlow v9 exporter sends
// its template once and then data only, at a steady rate, when the collector is killed
// without warning. What is lost may only be what had not been flushed yet: flows in the
// socket buffer (listen.quiet_read_ms at this light traffic), the decode batch (decode.quiet_batch_ms), the writer's open batch and the one
// being inserted (writer.quiet_batch_ms each: this light traffic stretches the window). The restarted collector must know the template
// (data_dir/templates.bin) and decode data-only datagrams from the first one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildV9 } from '@flowloft/decoder-wasm/testing'
import { freeUdpPort, sendUdp } from '../support/exporters.js'
import { FLOW_TEMPLATE } from '../support/v9-flow-template.js'
import { startChildService, type ChildService } from '../support/child-service.js'
import { eventually, metricValue } from '../support/service.js'
import { SteadySender } from '../support/udp-load.js'

const FLOWS_PER_DATAGRAM = 10
const DATAGRAMS_PER_SECOND = 200
const DECODE_BATCH_MS = 20
const DECODE_QUIET_MS = 200
const LISTEN_QUIET_MS = 200
const WRITER_BATCH_MS = 500
const WRITER_QUIET_MS = 1500
/** Room for one insert still running when the kill came (an embedded insert takes ~0.1 s). */
const INSERT_SLACK_MS = 500

const template = FLOW_TEMPLATE
const header = (
  sequence: number,
): { sysUptime: number; unixSecs: number; sequence: number; sourceId: number } => ({
  sysUptime: 100_000,
  unixSecs: Math.floor(Date.now() / 1000),
  sequence,
  sourceId: 3,
})
/** Data only: datagram i's flows carry i in src_port and `dstPort` + their index. */
const data = (i: number, dstPort = 0): Uint8Array =>
  buildV9(header(i), [
    {
      template,
      records: Array.from({ length: FLOWS_PER_DATAGRAM }, (_, j) => [
        '10.3.0.1',
        '10.4.0.2',
        i & 0xffff,
        dstPort + j,
        17,
        500,
        1,
        90_000,
        99_000,
      ]),
    },
  ])

const count = async (svc: ChildService, where = '1'): Promise<number> =>
  Number((await svc.query<{ n: number }>(`SELECT count() AS n FROM flows WHERE ${where}`))[0]?.n)

void test(
  'SIGKILL under load: restart restores templates, loses at most the batch window',
  { timeout: 90_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fl-sigkill-'))
    const flags = {
      'writer-batch-ms': WRITER_BATCH_MS,
      'writer-quiet-batch-ms': WRITER_QUIET_MS,
      'decode-batch-ms': DECODE_BATCH_MS,
      'decode-quiet-batch-ms': DECODE_QUIET_MS,
      'listen-quiet-read-ms': LISTEN_QUIET_MS,
    }
    const services: ChildService[] = []
    const first = await startChildService(dataDir, flags)
    services.push(first)
    // One exporter session: templates, data and the data after the restart share a port.
    const from = { port: await freeUdpPort() }
    const sender = new SteadySender(
      first.netflowPort,
      (i) => data(i),
      DATAGRAMS_PER_SECOND,
      from.port,
    )
    t.after(async () => {
      await sender.close()
      for (const s of services) await s.kill()
      rmSync(dataDir, { recursive: true, force: true })
    })

    await sendUdp(first.netflowPort, [buildV9(header(0), [{ templates: [template] }])], from)
    sender.start()
    // Under load, with the template saved and flows being stored.
    await eventually(() => Promise.resolve(existsSync(join(dataDir, 'templates.bin'))), 10_000)
    await eventually(async () => (await count(first)) >= 2 * DATAGRAMS_PER_SECOND, 20_000)
    await new Promise((r) => setTimeout(r, 1000))

    sender.stop()
    first.process.kill('SIGKILL')
    const sentFlows = sender.made * FLOWS_PER_DATAGRAM
    assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' })

    const second = await startChildService(dataDir, flags)
    services.push(second)
    const restored = second.logs.find((l) => l.msg === 'templates restored')
    assert.ok(restored && Number(restored['entries']) >= 1, 'templates restored from templates.bin')
    const stored = await count(second)
    const lost = sentFlows - stored
    const windowMs = LISTEN_QUIET_MS + DECODE_QUIET_MS + 2 * WRITER_QUIET_MS + INSERT_SLACK_MS
    const allowed = Math.ceil(((DATAGRAMS_PER_SECOND * FLOWS_PER_DATAGRAM) / 1000) * windowMs)
    console.log(
      `SIGKILL: sent ${sentFlows} flows before the kill, stored ${stored}, lost ${lost} ` +
        `(${((lost / (DATAGRAMS_PER_SECOND * FLOWS_PER_DATAGRAM)) * 1000).toFixed(0)} ms of traffic; ` +
        `allowed ${allowed} = ${windowMs} ms)`,
    )
    assert.ok(lost >= 0, 'nothing stored twice or invented')
    assert.ok(lost <= allowed, `lost ${lost} flows, more than the ${windowMs} ms batch window`)
    const [dups] = await second.query<{ n: number }>(
      'SELECT count() - uniqExact(src_port, dst_port) AS n FROM flows',
    )
    assert.equal(Number(dups?.n), 0, 'no flow stored twice')

    // Data only, no template: decoded at once with the restored template.
    const after = Array.from({ length: 20 }, (_, i) => data(60_000 + i, 4000))
    await sendUdp(second.netflowPort, after, from)
    await eventually(
      async () => (await count(second, 'dst_port >= 4000')) === 20 * FLOWS_PER_DATAGRAM,
    )
    const m = await second.metrics()
    const series = (result: string): string =>
      `flowloft_decoder_datagrams_total{exporter="127.0.0.1",protocol="netflow9",result="${result}"}`
    assert.equal(metricValue(m, series('ok')), 20)
    assert.equal(metricValue(m, series('template_missing')), 0)
    assert.equal(metricValue(m, 'flowloft_decoder_held_sets_total'), 0)
  },
)
