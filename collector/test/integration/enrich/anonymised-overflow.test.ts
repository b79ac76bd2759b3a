// A run whose keys overflow the WASM enrichment cache (a tiny one here) leaves records
// unenriched after the answer rounds; with anonymisation on, none of them keeps a clear
// address: each of their addresses is written anonymised (their sides unknown).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DatagramBatch, Decoder, F, formatAddress, parseAddress } from '@flowloft/decoder-wasm'
import { CryptoPan } from '../../../dist/anonymise/crypto-pan.js'
import { createEnrichment, Enricher } from '../../../dist/enrich/index.js'
import { createLogger } from '../../../dist/observability/log.js'
import { Registry } from '../../../dist/observability/metrics.js'
import { loadConfig } from '../../../dist/settings.js'
import { v5Now } from '../../support/netflow5.js'

const KEY = 'fe'.repeat(32)
const cp = new CryptoPan(Buffer.from(KEY, 'hex'))
const anon = (a: string): string => formatAddress(cp.anonymiseStored(parseAddress(a)), 0)
const FLOWS = 30

void test('records the cache cannot hold are stored with every address anonymised', () => {
  const config = loadConfig({ flags: new Map(), env: {} })
  const e = createEnrichment(config.enrich, { log: createLogger('error'), metrics: new Registry() })
  const en = new Enricher({ ...e.workerData, anonymise: { key: KEY, local: false, remote: true } })
  // 2^3 slots: a record needs four (two addresses, two anonymised forms).
  const d = new Decoder({ enrichSlotsLog2: 3 })
  const batch = new DatagramBatch(1 << 16, 4)
  const flows = Array.from({ length: FLOWS }, (_, i) => ({
    src: `192.168.1.${i + 1}`,
    dst: `8.8.${i}.8`,
  }))
  batch.add(v5Now(flows), parseAddress('127.0.0.1'), 2055, Date.now())
  const b = batch.take()
  const stored: Array<[string, string]> = []
  d.decode(new Uint8Array(b.buffer, 0, b.byteLength), b.count, (v, n) => {
    en.enrichRecords(v, n, d)
    for (let i = 0; i < n; i++) stored.push([v.addr(i, F.srcAddr), v.addr(i, F.dstAddr)])
  })
  assert.equal(stored.length, FLOWS)
  let fallback = 0
  for (const [k, [src, dst]] of stored.entries()) {
    const clear = flows[k]
    assert.ok(clear)
    // The remote side is anonymised either way; the local one only by the fallback.
    assert.equal(dst, anon(clear.dst), `flow ${k}`)
    if (src === anon(clear.src)) fallback++
    else assert.equal(src, clear.src, `flow ${k}`)
  }
  console.log(`${fallback} of ${FLOWS} records anonymised whole by the fallback`)
  assert.ok(fallback > 0, 'the cache overflowed: some records took the fallback')
  assert.ok(fallback < FLOWS, 'some records were enriched from the cache')
})
