// `node bench/anonymise.mjs`: the decode worker's cost of anonymise.addresses, on ONE core
// (this thread, no pool): records per second of the worker's whole per-batch work with
// every enricher on (as bench/decoder.mjs (b2)), with anonymisation off and with
// `both`, on the same datagrams in the same run; and the mapping of one new address
// (Crypto-PAn, IPv4 and IPv6), the cost of a cache miss. Writes bench/out/anonymise.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { CryptoPan } from '@flowloft/collector'
import { loadFixtures } from './fixtures.mjs'
import { measure } from './measure.mjs'
import { fullEnricher, offAndOn, workerDecoder } from './worker-path.mjs'

const KEY = 'ab'.repeat(32)
const ROUNDS = 5

const results = []
for (const f of await loadFixtures()) {
  const off = workerDecoder(f, fullEnricher())
  const on = workerDecoder(f, fullEnricher({ anonymise: { key: KEY, local: true, remote: true } }))
  const { off: offRate, on: onRate } = offAndOn(f, off, on, ROUNDS)
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
