// Writes bench/RESULTS.md from the figures the last `make bench`, `make bench-e2e` and
// `make fuzz` left in bench/out/ (each of those targets runs this at its end).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { enrichmentCost, firstLoss } from './e2e-loss.mjs'
import { historySection } from './history-results.mjs'
import { insertViewsSection } from './insert-views-results.mjs'
import { jobsSection } from './jobs-results.mjs'
import { homeFloorSection } from './home-floor-results.mjs'
import { householdSection } from './household-results.mjs'

const out = (name) => new URL(`./out/${name}`, import.meta.url)
const load = (name) => (existsSync(out(name)) ? JSON.parse(readFileSync(out(name), 'utf8')) : null)
const m = (r) => (r == null ? '-' : (r / 1e6).toFixed(2))
const k = (r) => (r == null ? '-' : `${(r / 1000).toFixed(0)}k`)

function machineLine(mc) {
  if (!mc) return ''
  const load =
    mc.loadAverageAtStart == null
      ? ''
      : `, load average ${mc.loadAverageAtStart.toFixed(2)} at start`
  return `${mc.cpu}, ${mc.nproc} cores${mc.memoryGiB ? `, ${mc.memoryGiB} GiB` : ''}, node ${mc.node}${load}`
}

function decoderSection(d) {
  const lines = [
    '## Decoder (`make bench`, bench/decoder.mjs)',
    '',
    `Machine: ${machineLine(d.machine)}. One core, records per CPU-second, ${d.machine.benchSeconds} s per case; peer ${d.peer} measured in the same run.`,
    '',
    '| protocol | WASM decode | worker path, rows out | rows out, all enrichers | node-netflowv9 | rows out vs peer |',
    '|---|---|---|---|---|---|',
  ]
  for (const r of d.results) {
    const s = r.recordsPerSecond
    const ratio = s.nodeNetflowv9 ? `${(s.wasmRows / s.nodeNetflowv9).toFixed(2)}x` : '-'
    lines.push(
      `| ${r.protocol} | ${m(s.wasmDecode)} M/s | ${m(s.wasmRows)} M/s | ${m(s.wasmRowsEnriched)} M/s | ${m(s.nodeNetflowv9)} M/s | ${ratio} |`,
    )
  }
  return lines.join('\n')
}

function writerSection(w) {
  const r = w.rowsPerSecond
  const lines = [
    '## Writer (`make bench`, bench/writer.mjs)',
    '',
    `Machine: ${machineLine(w.machine)}. Embedded ClickHouse with the rollup views, decoded v9 rows with all ${w.columns} columns (${w.rowBinaryBytesPerRow.toFixed(0)} bytes per row as RowBinary, ${w.tsvBytesPerRow.toFixed(0)} as TSV), ${w.rowsPerPass} rows per pass; writer batch_rows ${w.batchRows}, plain inserts of ${w.plainBatchRows} rows.`,
    '',
    `- RowBinary through Engine.insertRows, a file chdb reads (the ceiling): ${r.plainInsert.map(k).join(', ')} rows/s`,
    `- collector writer (RowBinary): ${r.writer.map(k).join(', ')} rows/s, ${(w.ofCeiling * 100).toFixed(0)}% of the ceiling`,
    `- the same rows as TSV through the same file path: ${r.tsvFileInsert.map(k).join(', ')} rows/s; RowBinary does ${w.binaryOverTsvFile.toFixed(2)}x`,
    `- the TSV rows as inline data (chdb raw insert): ${r.inlineInsert.map(k).join(', ')} rows/s; the TSV file does ${w.tsvFileOverInline.toFixed(2)}x`,
    `- ${w.rawRowsSent} rows sent, ${w.rawRowsStored} stored; ${w.bytesPerFlow.toFixed(1)} bytes per flow on disk (one cycle of the fixture, ${w.bytesPerFlowRows} rows, after OPTIMIZE FINAL)`,
  ]
  return lines.join('\n')
}

const onOff = (r) => (r.enrich ? 'on' : 'off')

/** A step's drops: kernel and decode queue in datagrams, the writer in rows (by reason). */
function dropsText(s) {
  const by = Object.entries(s.drops.writerByReason ?? {})
    .map(([reason, n]) => ` ${reason} ${n}`)
    .join(',')
  const writer =
    s.drops.writer == null ? '' : `, writer ${s.drops.writer} rows${by ? `:${by}` : ''}`
  return `kernel ${s.drops.kernel}, queue ${s.drops.queue} datagrams${writer}`
}

function e2eSection(e, title) {
  const lines = [title, '']
  if (e.complete === false) {
    lines.push(
      '**Incomplete run**: stopped before the end; the figures are those of the steps it finished.',
      '',
    )
  }
  const rule =
    e.keepUp == null
      ? 'a rate counts as sustained when nothing is lost'
      : `a rate counts as sustained when nothing is lost and the stored rate while sending is at least ${e.keepUp * 100}% of the send rate, or the backlog grew by at most one writer batch`
  lines.push(
    `Machine: ${machineLine(e.machine)}. Steps of ${e.stepSeconds} s, hold ${e.holdSeconds} s; ${rule}; the load generator runs on the same machine.`,
    '',
    '| enrichers | sustained | held for | sent = stored | collector CPU | RSS max | CPU-s per M flows |',
    '|---|---|---|---|---|---|---|',
  )
  for (const r of e.runs) {
    const h = r.hold
    const none = e.complete === false && r === e.runs.at(-1) ? 'not reached' : 'none found'
    lines.push(
      h
        ? `| ${onOff(r)} | ${k(h.achievedRate)} flows/s | ${h.seconds.toFixed(0)} s | ${h.sent} = ${h.stored} | ${h.cpuPercent.toFixed(0)}% of ${e.machine.nproc * 100}% | ${(h.rssMaxBytes / 2 ** 20).toFixed(0)} MiB | ${((h.cpuPercent / 100 / h.achievedRate) * 1e6).toFixed(1)} |`
        : `| ${onOff(r)} | ${none} | | | | | |`,
    )
  }
  // Files from before the steps had a kind: a step as long as the hold was a hold.
  const kindOf = (s) =>
    s.kind ??
    (e.holdSeconds !== e.stepSeconds && Math.round(s.seconds) === e.holdSeconds ? 'hold' : 'ramp')
  for (const r of e.runs) for (const s of r.steps) s.kind = kindOf(s)
  const heldOn = e.runs.find((r) => r.enrich)?.hold
  const heldOff = e.runs.find((r) => !r.enrich)?.hold
  if (heldOn && heldOff) {
    const cost = enrichmentCost(heldOn, heldOff)
    lines.push(
      '',
      `Enrichment cost: ${(cost.rate * 100).toFixed(1)}% of sustained throughput, ${(cost.cpu * 100).toFixed(1)}% more collector CPU per flow (line: at most 25%).`,
    )
  }
  const losses = e.runs.filter((r) => r.steps.some((s) => s.lost > 0) || r.firstBehind)
  if (losses.length > 0) {
    lines.push('', 'Where the first loss came from:', '')
    for (const r of losses) {
      const f = firstLoss(r.steps)
      const b = r.firstBehind
      const loss = f ? `${k(f.rate)}/s (${f.kind}): ${f.lost} flows lost, ${f.source}` : 'no loss'
      const behind = b
        ? `; first fell behind at ${k(b.rate)}/s (${b.kind}), ${k(b.storedRate)}/s stored while sending`
        : ''
      lines.push(`- enrichers ${onOff(r)}: ${loss}${behind}`)
    }
  }
  const timed = e.runs.filter((r) => r.hold?.time.window === 'send')
  if (timed.length > 0) {
    lines.push(
      '',
      'Where the time goes at the held rate, in seconds per second of sending (one core = 1):',
      '',
    )
    const perM = (r) => (r.hold.time.decodeWorkers / r.hold.sendRate) * 1e6
    for (const r of timed) {
      const t = r.hold.time
      const main = t.mainThread == null ? 'no metric in this run' : t.mainThread.toFixed(2)
      lines.push(
        `- enrichers ${onOff(r)}, ${k(r.hold.rate)}/s: main thread (receiving, batching, dispatch, the writer) ${main}; decode workers (decoding, enrichment, row formatting; wall time of their tasks, so waiting for a core counts) ${t.decodeWorkers.toFixed(2)}, ${perM(r).toFixed(2)} s per million flows; ClickHouse inserts ${t.insert.toFixed(2)} (wall time, one insert at a time, on ClickHouse's own threads, with its merges running beside); whole collector process ${t.collectorCpu.toFixed(2)}. After sending, the settle took ${r.hold.settle.seconds.toFixed(1)} s and stored ${r.hold.settle.rowsInserted} rows.`,
      )
    }
  }
  const older = e.runs.find((r) => r.hold && r.hold.time.window !== 'send')
  if (older) {
    const t = older.hold.time
    lines.push(
      '',
      `Where the time goes at the held rate (enrichers ${onOff(older)}), seconds per second: decode workers ${t.decodeWorkers.toFixed(2)}, ClickHouse inserts ${t.insert.toFixed(2)}, whole collector process ${t.collectorCpu.toFixed(2)} (an older run: the counters include the settle, the seconds do not).`,
    )
  }
  lines.push('', 'Steps:', '')
  for (const r of e.runs) {
    for (const s of r.steps) {
      const rate =
        s.storedRate == null
          ? ''
          : `; ${k(s.storedRate)}/s stored while sending${s.keptUp ? '' : ' (fell behind)'}`
      lines.push(
        `- enrichers ${onOff(r)}, ${s.kind} ${k(s.rate)}/s for ${s.seconds.toFixed(0)} s: sent ${s.sent}, stored ${s.stored}, lost ${s.lost} (${dropsText(s)})${rate}`,
      )
    }
  }
  return lines.join('\n')
}

const mibText = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`

function homeSection(h) {
  const names = ['flowloft', 'nfcapd', 'nfacctd']
  const warmup = h.collectors.flowloft[0]?.warmupSeconds
  const lines = [
    '## Home rates (`make bench`, bench/home-rate.mjs)',
    '',
    `Machine: ${machineLine(h.machine)}. The same softflowd NetFlow v9 export from one exporter over UDP loopback to each collector in turn; process CPU (user + system of the process tree) from the start of sending to ${h.settleSeconds} s after all is stored, per stored flow. flowloft: \`flowloft serve\`, embedded engine, every enricher on${warmup ? `, each case after ${warmup} s of the same traffic, stored first (warm-up, not counted)` : ''}; nfcapd: binary files; nfacctd: sqlite3 plugin, per-flow keys, 1-min history.`,
    '',
    '| rate | collector | sent | stored | CPU | µs per stored flow | flowloft / this | RSS max |',
    '|---|---|---|---|---|---|---|---|',
  ]
  const cases = h.collectors.flowloft
  for (const [i, f] of cases.entries()) {
    for (const name of names) {
      const s = h.collectors[name]?.[i]
      if (!s) continue
      const ratio =
        name === 'flowloft' || !s.usPerFlow ? '' : `${(f.usPerFlow / s.usPerFlow).toFixed(1)}x`
      lines.push(
        `| ${s.rate.toLocaleString('en')}/s for ${s.seconds.toFixed(0)} s | ${name} | ${s.sent} | ${s.stored} | ${s.cpuSeconds.toFixed(2)} s | ${s.usPerFlow?.toFixed(1) ?? '-'} | ${ratio} | ${mibText(s.rssMaxBytes)} |`,
      )
    }
  }
  lines.push(
    '',
    h.startup &&
      `flowloft start-up: ${h.startup.cpuPercent.toFixed(2)}% of a core over its first ${h.startup.seconds} s.`,
    h.idle &&
      `flowloft idle: ${h.idle.cpuPercent.toFixed(2)}% of a core over ${h.idle.seconds} s, RSS ${mibText(h.idle.rssBytes)} (max ${mibText(h.idle.rssMaxBytes)}).`,
  )
  return lines.join('\n')
}

function fuzzSection(f) {
  return [
    '## Fuzz (`make fuzz`)',
    '',
    `${f.count} mutated datagrams per protocol, seed ${f.seed}: ${f.total} in ${f.seconds.toFixed(1)} s, ${f.failed ? 'FAILED' : 'no trap, no hang, a result for every datagram'}.`,
    '',
    '```',
    ...f.lines,
    '```',
  ].join('\n')
}

const parts = [
  '# Benchmark results',
  '',
  'Written by `node bench/results.mjs` at the end of `make bench`, `make bench-e2e` and `make fuzz` from their output in bench/out/. Other work on the machine skews the figures: compare within one run.',
]
const d = load('decoder.json')
const w = load('writer.json')
const e = load('e2e.json')
const q = load('e2e-quick.json')
const f = load('fuzz.json')
const h = load('home-rate.json')
const hist = load('history.json')
const household = load('household.json')
const clear = load('anonymise-clear.json')
const views = load('insert-views.json')
const jobs = load('jobs.json')
const floor = load('home-floor.json')
if (e) parts.push('', e2eSection(e, '## End to end (`make bench-e2e`, bench/e2e.mjs)'))
if (q)
  parts.push('', e2eSection(q, '## End to end, short run (`make bench`, bench/e2e.mjs --quick)'))
if (h) parts.push('', homeSection(h))
if (floor) parts.push('', homeFloorSection(floor, machineLine))
if (household || clear) parts.push('', householdSection(household, clear, machineLine))
if (d) parts.push('', decoderSection(d))
if (w) parts.push('', writerSection(w))
if (views) parts.push('', insertViewsSection(views, machineLine))
if (jobs) parts.push('', jobsSection(jobs, machineLine))
if (hist) parts.push('', historySection(hist, machineLine))
if (f) parts.push('', fuzzSection(f))
writeFileSync(new URL('./RESULTS.md', import.meta.url), `${parts.join('\n')}\n`)
console.log('bench/RESULTS.md written')
