// `node bench/anonymise.mjs`: the decode worker's cost of anonymise.addresses, on ONE core
// (this thread, no pool): records per second of the worker's whole per-batch work with
// every enricher on (as bench/decoder.mjs (b2)), with anonymisation off and with
// `both`, on the same datagrams in the same run; and the mapping of one new address
// (Crypto-PAn, IPv4 and IPv6), the cost of a cache miss. Writes bench/out/anonymise.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { DatagramBatch } from '@flowloft/decoder-wasm'
import {
  BatchDecoder,
  CryptoPan,
  createEnrichment,
  createLogger,
  Enricher,
  loadConfig,
  Registry,
} from '@flowloft/collector'
import { loadFixtures } from './fixtures.mjs'
import { measure } from './measure.mjs'

const BATCH_DATAGRAMS = 2048
const BATCH_BYTES = 4 << 20
const EXPORTER = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1])
const KEY = 'ab'.repeat(32)
const ROUNDS = 5
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1]

function pack(datagrams) {
  const out = []
  let batch = new DatagramBatch(BATCH_BYTES, BATCH_DATAGRAMS)
  for (const d of datagrams) {
    if (!batch.add(d, EXPORTER, 40000, 1_700_000_000_000)) {
      out.push(batch.take())
      batch = new DatagramBatch(BATCH_BYTES, BATCH_DATAGRAMS)
      batch.add(d, EXPORTER, 40000, 1_700_000_000_000)
    }
  }
  if (batch.count > 0) out.push(batch.take())
  return out.map((b) => ({ buffer: b.buffer, byteLength: b.byteLength, count: b.count }))
}

/** The worker's enricher with every enrichment on, anonymising `mode` (or not). */
function enricher(anonymise) {
  const config = loadConfig({
    flags: new Map(),
    env: {
      FLOWLOFT_ENRICH_LOCAL_PREFIXES: '192.168.0.0/16,10.0.0.0/8,fd00::/8',
      FLOWLOFT_ENRICH_HOST_ALIASES: JSON.stringify({ '192.168.1.10': 'laptop' }),
      FLOWLOFT_ENRICH_INTERFACES: JSON.stringify({ '127.0.0.1': { 1: 'ether1', 2: 'bridge' } }),
    },
  })
  const e = createEnrichment(config.enrich, { log: createLogger('warn'), metrics: new Registry() })
  return new Enricher(anonymise ? { ...e.workerData, anonymise } : e.workerData)
}

function worker(f, en) {
  const d = new BatchDecoder(undefined, en)
  for (const b of pack(f.prime)) d.decode(b)
  return d
}

const results = []
for (const f of await loadFixtures()) {
  const datagrams = []
  while (datagrams.length < Math.max(BATCH_DATAGRAMS, f.data.length))
    datagrams.push(f.data[datagrams.length % f.data.length])
  const batches = pack(datagrams)
  const run = (d) => () => {
    let n = 0
    for (const b of batches) n += d.decode(b).rows
    return n
  }
  const off = worker(f, enricher(null))
  const on = worker(f, enricher({ key: KEY, local: true, remote: true }))
  // Interleaved rounds, the median of each, so drift on a shared machine hits both alike.
  const offRates = []
  const onRates = []
  for (let round = 0; round < ROUNDS; round++) {
    offRates.push(measure(run(off)).recordsPerSecond)
    onRates.push(measure(run(on)).recordsPerSecond)
  }
  const offRate = median(offRates)
  const onRate = median(onRates)
  results.push({ protocol: f.protocol, off: offRate, both: onRate, cost: 1 - onRate / offRate })
}

const p = new CryptoPan(Buffer.from(KEY, 'hex'))
const v4 = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 10)
const v6 = Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
const mapV4 = measure(() => {
  for (let i = 0; i < 1000; i++) p.anonymiseStored(v4)
  return 1000
})
const mapV6 = measure(() => {
  for (let i = 0; i < 1000; i++) p.anonymiseStored(v6)
  return 1000
})

const m = (x) => (x / 1e6).toFixed(2).padStart(8)
console.log('\nM records/s, one core, every enricher on   anonymise off   both    cost')
for (const r of results)
  console.log(
    `${r.protocol.padEnd(40)} ${m(r.off)}   ${m(r.both)}   ${(r.cost * 100).toFixed(1).padStart(5)}%`,
  )
console.log(
  `\nnew address mapped (cache miss): IPv4 ${(mapV4.recordsPerSecond / 1e3).toFixed(0)} k/s, IPv6 ${(mapV6.recordsPerSecond / 1e3).toFixed(0)} k/s`,
)
mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('./out/anonymise.json', import.meta.url),
  JSON.stringify(
    { results, mapV4: mapV4.recordsPerSecond, mapV6: mapV6.recordsPerSecond },
    null,
    2,
  ),
)
