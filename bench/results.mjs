// Writes bench/RESULTS.md from the figures the last `make bench`, `make bench-e2e` and
// `make fuzz` left in bench/out/ (each of those targets runs this at its end).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

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
    const ratio = s.nodeNetflowv9 ? `${(s.wasmTsvRows / s.nodeNetflowv9).toFixed(2)}x` : '-'
    lines.push(
      `| ${r.protocol} | ${m(s.wasmDecode)} M/s | ${m(s.wasmTsvRows)} M/s | ${m(s.wasmTsvBuffer)} M/s | ${m(s.nodeNetflowv9)} M/s | ${ratio} |`,
    )
  }
  return lines.join('\n')
}

function writerSection(w) {
  return [
    '## Writer (`make bench`, bench/writer.mjs)',
    '',
    `Machine: ${machineLine(w.machine)}. Embedded ClickHouse with the rollup views, ${w.rowsPerPass} rows per pass in batches of ${w.batchRows}.`,
    '',
    `- plain TabSeparated insert (the ceiling): ${w.rowsPerSecond.plainInsert.map(k).join(', ')} rows/s`,
    `- collector writer: ${w.rowsPerSecond.writer.map(k).join(', ')} rows/s, ${(w.ofCeiling * 100).toFixed(0)}% of the ceiling`,
    `- ${w.rawRowsSent} rows sent, ${w.rawRowsStored} stored; ${w.bytesPerFlow.toFixed(1)} bytes per flow on disk`,
  ].join('\n')
}

function e2eSection(e, title) {
  const lines = [
    title,
    '',
    `Machine: ${machineLine(e.machine)}. Steps of ${e.stepSeconds} s, hold ${e.holdSeconds} s; the load generator runs on the same machine.`,
    '',
    '| enrichers | sustained, zero loss | held for | sent = stored | collector CPU | RSS max | CPU-s per M flows |',
    '|---|---|---|---|---|---|---|',
  ]
  for (const r of e.runs) {
    const h = r.hold
    lines.push(
      h
        ? `| ${r.enrich ? 'on' : 'off'} | ${k(h.achievedRate)} flows/s | ${h.seconds.toFixed(0)} s | ${h.sent} = ${h.stored} | ${h.cpuPercent.toFixed(0)}% of ${e.machine.nproc * 100}% | ${(h.rssMaxBytes / 2 ** 20).toFixed(0)} MiB | ${((h.cpuPercent / 100 / h.achievedRate) * 1e6).toFixed(1)} |`
        : `| ${r.enrich ? 'on' : 'off'} | none found | | | | | |`,
    )
  }
  const first = e.runs.find((r) => r.hold)?.hold
  if (first) {
    lines.push(
      '',
      `Where the time goes at the held rate (enrichers ${e.runs[0].enrich ? 'on' : 'off'}), seconds per second: decode workers ${first.time.decodeWorkers.toFixed(2)}, ClickHouse inserts ${first.time.insert.toFixed(2)} (inserts overlap and run on ClickHouse's own threads), whole collector process ${first.time.collectorCpu.toFixed(2)}; receiving is the rest of the main thread.`,
    )
  }
  lines.push('', 'Ramp steps:', '')
  for (const r of e.runs) {
    for (const s of r.steps) {
      lines.push(
        `- enrichers ${r.enrich ? 'on' : 'off'}, ${k(s.rate)}/s for ${s.seconds.toFixed(0)} s: sent ${s.sent}, stored ${s.stored}, lost ${s.lost} (kernel drops ${s.drops.kernel}, queue drops ${s.drops.queue} datagrams)`,
      )
    }
  }
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
if (e) parts.push('', e2eSection(e, '## End to end (`make bench-e2e`, bench/e2e.mjs)'))
if (q)
  parts.push('', e2eSection(q, '## End to end, short run (`make bench`, bench/e2e.mjs --quick)'))
if (d) parts.push('', decoderSection(d))
if (w) parts.push('', writerSection(w))
if (f) parts.push('', fuzzSection(f))
writeFileSync(new URL('./RESULTS.md', import.meta.url), `${parts.join('\n')}\n`)
console.log('bench/RESULTS.md written')
