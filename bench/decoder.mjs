// `make bench`: flow records per second on ONE core (this thread, no pool) for NetFlow v5,
// v9, IPFIX and sFlow: the WASM decoder alone, the WASM decoder plus the collector's RowBinary
// rows (what its writer inserts), and node-netflowv9 (the npm JavaScript decoder) on the
// same datagrams. Prints a table and writes bench/out/decoder.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { Decoder } from '@flowloft/decoder-wasm'
import { loadFixtures } from './fixtures.mjs'
import { benchSeconds, measure } from './measure.mjs'
import {
  BATCH_DATAGRAMS,
  EXPORTER_PORT,
  fixtureDatagrams,
  fullEnricher,
  pack,
  task,
  workerDecoder,
} from './worker-path.mjs'

const require = createRequire(import.meta.url)
const NetFlowV9 = require('node-netflowv9')
const PEER_VERSION = require('node-netflowv9/package.json').version

const TARGETS = { ratioV9: 5, perCore: 3e6 }

function wasmDecoder(f) {
  const decoder = new Decoder()
  for (const b of pack(f.prime)) decoder.decode(b.bytes, b.count, () => {})
  return decoder
}

let sharedEnricher
/** The worker's enricher with every enrichment on, made once for every fixture. */
function enricher() {
  sharedEnricher ??= fullEnricher()
  return sharedEnricher
}

function checkOk(decoder, batch) {
  for (let i = 0; i < batch.count; i++) {
    if (decoder.statusOf(i) !== 0) {
      throw new Error(`datagram ${i} of the fixture did not decode (status ${decoder.statusOf(i)})`)
    }
  }
}

function wasmCases(f, datagrams) {
  const batches = pack(datagrams)
  const noop = () => {}
  const decodeOnly = wasmDecoder(f)
  let expected = 0
  for (const b of batches) {
    expected += decodeOnly.decode(b.bytes, b.count, noop)
    checkOk(decodeOnly, b)
  }
  const decode = measure(() => {
    let n = 0
    for (const b of batches) n += decodeOnly.decode(b.bytes, b.count, noop)
    return n
  })

  // The worker's whole per-batch work (collector/src/decode/batch-decoder.ts decode):
  // decode, RowBinary rows formatted in WASM and copied out as the bytes the writer
  // inserts, per-exporter outcomes and template events; (b1) without enrichment,
  // (b2) with every enricher on (bundled GeoIP country and ASN data, local prefixes,
  // host aliases, interface names).
  const plain = workerDecoder(f)
  let rowBytes = 0
  for (const b of batches) {
    for (const c of plain.decode(task(b)).binary) rowBytes += c.byteLength
  }
  const rows = measure(() => {
    let n = 0
    for (const b of batches) n += plain.decode(task(b)).rows
    return n
  })
  const enriched = workerDecoder(f, enricher())
  const buffer = measure(() => {
    let n = 0
    for (const b of batches) n += enriched.decode(task(b)).rows
    return n
  })

  // Listener-side cost (not in the rates above): packing received datagrams into batches.
  const packing = measure(() => {
    pack(datagrams)
    return expected
  })
  return { expected, decode, rows, buffer, packing, rowBytesPerRow: rowBytes / expected }
}

function peerCase(f, datagrams) {
  const nf = new NetFlowV9({ cb: () => {} })
  nf.server.close()
  const rinfo = { address: '127.0.0.1', port: EXPORTER_PORT, size: 0 }
  const buffers = datagrams.map((d) => Buffer.from(d))
  for (const d of f.prime) nf.nfPktDecode(Buffer.from(d), { ...rinfo, size: d.byteLength })
  const pass = () => {
    let n = 0
    for (const b of buffers) {
      rinfo.size = b.byteLength
      n += nf.nfPktDecode(b, rinfo)?.flows.length ?? 0
    }
    return n
  }
  return { expected: pass(), result: measure(pass) }
}

function cpuModel() {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'))
  return line?.split(':')[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown'
}

const fmt = (r) => (r / 1e6).toFixed(2).padStart(7)

async function main() {
  const machine = {
    cpu: cpuModel(),
    nproc: os.availableParallelism(),
    node: process.version,
    benchSeconds,
    batchDatagrams: BATCH_DATAGRAMS,
    // Other work on the machine skews every column: compare within one run only.
    loadAverageAtStart: os.loadavg()[0],
  }
  console.log(
    `flowloft decoder bench: ${machine.cpu}, nproc ${machine.nproc}, node ${machine.node}; ` +
      `one core (main thread), >= ${benchSeconds} s per case after warm-up, ` +
      `batches of ${BATCH_DATAGRAMS} datagrams; load average ${machine.loadAverageAtStart.toFixed(2)}`,
  )
  const results = []
  for (const f of await loadFixtures()) {
    const datagrams = fixtureDatagrams(f)
    const wasm = wasmCases(f, datagrams)
    const peer = f.protocol === 'v5' || f.protocol === 'v9' ? peerCase(f, datagrams) : undefined
    if (peer && peer.expected !== wasm.expected) {
      console.warn(
        `warning: ${f.protocol}: node-netflowv9 decodes ${peer.expected} records per pass, WASM ${wasm.expected}`,
      )
    }
    results.push({
      protocol: f.protocol,
      source: f.source,
      datagramsPerPass: datagrams.length,
      recordsPerPass: wasm.expected,
      recordsPerDatagram: wasm.expected / datagrams.length,
      rowBytesPerRow: wasm.rowBytesPerRow,
      recordsPerSecond: {
        wasmDecode: wasm.decode.recordsPerSecond,
        wasmRows: wasm.rows.recordsPerSecond,
        wasmRowsEnriched: wasm.buffer.recordsPerSecond,
        listenerPacking: wasm.packing.recordsPerSecond,
        nodeNetflowv9: peer?.result.recordsPerSecond ?? null,
      },
    })
  }
  const report = { machine, peer: `node-netflowv9@${PEER_VERSION}`, targets: TARGETS, results }
  report.checks = checks(results)
  machine.loadAverageAtEnd = os.loadavg()[0]
  print(report)
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
  writeFileSync(
    new URL('./out/decoder.json', import.meta.url),
    `${JSON.stringify(report, null, 2)}\n`,
  )
  console.log('\nwritten to bench/out/decoder.json')
}

function checks(results) {
  const out = []
  for (const r of results) {
    const rps = r.recordsPerSecond
    if (r.protocol === 'v9' && rps.nodeNetflowv9) {
      for (const path of ['wasmDecode', 'wasmRows']) {
        const ratio = rps[path] / rps.nodeNetflowv9
        out.push({
          target: `v9 ${path} >= ${TARGETS.ratioV9}x node-netflowv9`,
          value: `${ratio.toFixed(2)}x`,
          met: ratio >= TARGETS.ratioV9,
        })
      }
    }
    const cost = 1 - rps.wasmRowsEnriched / rps.wasmRows
    out.push({
      target: `${r.protocol} enrichment costs <= 25% of throughput`,
      value: `${(cost * 100).toFixed(1)}%`,
      met: cost <= 0.25,
    })
    if (r.protocol === 'v9' || r.protocol === 'ipfix') {
      for (const path of ['wasmDecode', 'wasmRows']) {
        out.push({
          target: `${r.protocol} ${path} >= ${TARGETS.perCore / 1e6} M records/s/core`,
          value: `${(rps[path] / 1e6).toFixed(2)} M/s`,
          met: rps[path] >= TARGETS.perCore,
        })
      }
    }
  }
  return out
}

function print(report) {
  console.log(
    '\nM records/s, one core   (a) WASM decode    (b1) + rows out   (b2) + enrich' +
      '   node-netflowv9   (a)/peer   (b1)/peer   rec/dgram',
  )
  for (const r of report.results) {
    const rps = r.recordsPerSecond
    const peer = rps.nodeNetflowv9
    const ratio = (x) => (peer ? `${(x / peer).toFixed(2)}x` : '-').padStart(8)
    console.log(
      `${r.protocol.padEnd(24)}${fmt(rps.wasmDecode).padStart(18)}${fmt(rps.wasmRows).padStart(17)}` +
        `${fmt(rps.wasmRowsEnriched).padStart(17)}${(peer ? fmt(peer) : '-').padStart(17)}` +
        `${ratio(rps.wasmDecode).padStart(11)}${ratio(rps.wasmRows).padStart(12)}` +
        `${r.recordsPerDatagram.toFixed(1).padStart(12)}`,
    )
  }
  console.log(
    '\n(b1) the worker path: decode, RowBinary rows formatted in WASM, bytes out for the writer;' +
      ' (b2) the same with every enricher on.',
  )
  console.log('Listener-side packing into batches (not included above), M records/s:')
  for (const r of report.results) {
    console.log(`  ${r.protocol.padEnd(6)} ${fmt(r.recordsPerSecond.listenerPacking)}`)
  }
  console.log(`\nLoad average at end: ${report.machine.loadAverageAtEnd.toFixed(2)}`)
  console.log('\nTargets:')
  for (const c of report.checks) {
    console.log(`  ${c.met ? 'MET    ' : 'NOT MET'}  ${c.target.padEnd(48)} ${c.value}`)
  }
}

await main()
