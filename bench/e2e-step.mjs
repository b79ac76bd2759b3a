// One step of bench/e2e.mjs: fresh exporters send v9 and sFlow at a rate for some
// seconds; then sent against stored (after the settle), the stored rate while sending,
// drops by counter, and where the time went. The sustain test is described at the top
// of bench/e2e.mjs.
import { metricSum, procSample } from './e2e-collector.mjs'
import { createExporters } from './loadgen.mjs'
import { SETTINGS } from '@flowloft/collector'

/** The stored rate must be at least this share of the send rate. */
export const KEEP_UP = 0.95
/** Seconds from the start of sending before the stored-rate fit starts. */
export const FIT_FROM_SECONDS = 2
/**
 * The collector's default writer.batch_rows and writer.batch_ms: the inserted-rows
 * counter moves by one batch at a time (the rows of batch_ms at the send rate, at most
 * batch_rows), so a backlog that grew by less than that is within its resolution.
 */
const writerDefault = (path) => Number(SETTINGS.find((d) => d.path === path)?.default)
export const WRITER_BATCH_ROWS = writerDefault('writer.batch_rows')
export const WRITER_BATCH_MS = writerDefault('writer.batch_ms')
const batchWindow = (sendRate) => Math.min(WRITER_BATCH_ROWS, (sendRate * WRITER_BATCH_MS) / 1000)
export const EXPORTERS = 16
export const SFLOW_SHARE = 0.1
const SAMPLE_MS = 500

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Rows stored for exporters whose address starts 127.<group>. */
async function stored(c, group) {
  const rows = await c.query(
    `SELECT count() AS n FROM flows WHERE startsWith(toString(exporter), '::ffff:127.${group}.')`,
  )
  return Number(rows[0]?.n ?? 0)
}

/**
 * Wait until the stored count reaches `sent`, or until it has stopped moving for 4 s
 * with nothing left in the collector (decode queue and writer empty, spool drained).
 */
async function settle(c, group, sent) {
  let last = -1
  let still = 0
  for (let i = 0; i < 240; i++) {
    const n = await stored(c, group)
    if (n >= sent) return n
    const m = await c.metrics()
    const busy =
      metricSum(m, 'flowloft_decode_queue_batches') +
      metricSum(m, 'flowloft_writer_pending_rows') +
      metricSum(m, 'flowloft_writer_spool_files')
    still = n === last && busy === 0 ? still + 1 : 0
    if (still >= 8) return n
    last = n
    await sleep(500)
  }
  return last
}

/** Least-squares slope of y over t. */
function slope(points) {
  const n = points.length
  const mt = points.reduce((s, p) => s + p.t, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  let num = 0
  let den = 0
  for (const p of points) {
    num += (p.t - mt) * (p.y - my)
    den += (p.t - mt) ** 2
  }
  return den > 0 ? num / den : 0
}

/** Rows the writer inserted since `base`, sampled every SAMPLE_MS until `done()`. */
async function sampleInserted(c, base, t0, done, out) {
  while (!done()) {
    const a = performance.now()
    const m = await c.metrics()
    const t = ((a + performance.now()) / 2 - t0) / 1000
    out.push({ t, y: metricSum(m, 'flowloft_writer_rows_total') - base })
    await sleep(SAMPLE_MS)
  }
}

let group = 0

/** One step: send at `rate` for `seconds` from fresh exporters; sent, stored and costs. */
export async function step(c, fx, rate, seconds) {
  group++
  const v9 = await createExporters({
    fixture: fx.v9,
    records: fx.v9Records,
    port: c.ports.netflow,
    group,
    count: EXPORTERS - 2,
  })
  group++
  const sflow = await createExporters({
    fixture: fx.sflow,
    records: fx.sflowRecords,
    port: c.ports.sflow,
    group,
    count: 2,
  })
  const m0 = await c.metrics()
  const p0 = procSample(c.pid)
  let rssMax = p0.rss
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, procSample(c.pid).rss)
  }, 500)
  const t0 = performance.now()
  const inserted = []
  let sending = true
  const sampling = sampleInserted(
    c,
    metricSum(m0, 'flowloft_writer_rows_total'),
    t0,
    () => !sending,
    inserted,
  )
  const [a, b] = await Promise.all([
    v9.run(rate * (1 - SFLOW_SHARE), seconds),
    sflow.run(rate * SFLOW_SHARE, seconds),
  ])
  sending = false
  // The end of sending: the breakdown's window closes here, the settle starts.
  const p1 = procSample(c.pid)
  const m1 = await c.metrics()
  const elapsed = Math.max(a.seconds, b.seconds)
  await sampling
  const sentV9 = a.flows + v9.primed
  const sentSflow = b.flows + sflow.primed
  const sent = sentV9 + sentSflow
  const settleStart = performance.now()
  const n = (await settle(c, group - 1, sentV9)) + (await settle(c, group, sentSflow))
  const settleSeconds = (performance.now() - settleStart) / 1000
  clearInterval(sampler)
  const m2 = await c.metrics()
  const p2 = procSample(c.pid)
  v9.close()
  sflow.close()
  const d = (to, name) => metricSum(to, name) - metricSum(m0, name)
  const dSettle = (name) => metricSum(m2, name) - metricSum(m1, name)
  const writerBy = metricSum(m2, 'flowloft_writer_dropped_rows_total', 'reason')
  const writerBy0 = metricSum(m0, 'flowloft_writer_dropped_rows_total', 'reason')
  const writerByReason = {}
  for (const [k, v] of Object.entries(writerBy)) {
    if (v - (writerBy0[k] ?? 0) > 0) writerByReason[k] = v - (writerBy0[k] ?? 0)
  }
  const insertedAtEnd = d(m1, 'flowloft_writer_rows_total')
  const fit = inserted.filter((p) => p.t >= FIT_FROM_SECONDS && p.t <= elapsed)
  fit.push({ t: elapsed, y: insertedAtEnd })
  const sendRate = (a.flows + b.flows) / elapsed
  const storedRate = fit.length >= 4 ? slope(fit) : insertedAtEnd / elapsed
  // Rows sent but not stored that piled up over the fit window, at the fitted rate.
  const backlogGrowth = (sendRate - storedRate) * (elapsed - (fit[0]?.t ?? 0))
  return {
    rate,
    seconds: elapsed,
    sent,
    stored: n,
    lost: sent - n,
    achievedRate: sent / elapsed,
    // Flows of the data datagrams per second (the templates' flows were sent before).
    sendRate,
    // Rows the writer inserted while sending: fitted rate, and the count at the end.
    storedRate,
    backlogGrowth,
    keptUp: storedRate >= KEEP_UP * sendRate || backlogGrowth <= batchWindow(sendRate),
    storedWhileSending: insertedAtEnd,
    cpuPercent: ((p1.cpu - p0.cpu) / elapsed) * 100,
    rssMaxBytes: rssMax,
    drops: {
      kernel: d(m2, 'flowloft_listener_kernel_drops_total'),
      queue: d(m2, 'flowloft_decode_dropped_datagrams_total'),
      writer: d(m2, 'flowloft_writer_dropped_rows_total'),
      writerByReason,
    },
    // Where the time goes while sending, in seconds per second of sending (one core = 1).
    time: {
      window: 'send',
      mainThread: d(m1, 'nodejs_eventloop_active_seconds_total') / elapsed,
      decodeWorkers: d(m1, 'flowloft_decode_task_seconds_total') / elapsed,
      insert: d(m1, 'flowloft_writer_insert_duration_seconds_sum') / elapsed,
      collectorCpu: (p1.cpu - p0.cpu) / elapsed,
    },
    // After sending: how long the backlog took to be stored, and its cost.
    settle: {
      seconds: settleSeconds,
      rowsInserted: dSettle('flowloft_writer_rows_total'),
      decodeWorkerSeconds: dSettle('flowloft_decode_task_seconds_total'),
      insertSeconds: dSettle('flowloft_writer_insert_duration_seconds_sum'),
      collectorCpuSeconds: p2.cpu - p1.cpu,
    },
  }
}
