// The decode worker's per-batch work driven on this thread, shared by the benches that
// time it (decoder.mjs, anonymise.mjs): listener-style batches of a fixture's datagrams,
// a worker's BatchDecoder primed with the fixture's templates, and the enricher
// `flowloft serve` builds with every enrichment on.
import { DatagramBatch } from '@flowloft/decoder-wasm'
import { measure } from './measure.mjs'
import {
  BatchDecoder,
  createEnrichment,
  createLogger,
  Enricher,
  loadConfig,
  Registry,
} from '@flowloft/collector'

/** The collector's default `decode.batch_datagrams` and its listener's batch size. */
export const BATCH_DATAGRAMS = 2048
const BATCH_BYTES = 4 << 20
/** The exporter the batches come from: 127.0.0.1. */
export const EXPORTER = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1])
export const EXPORTER_PORT = 40000
const RECEIVED_MS = 1_700_000_000_000

/** Pack datagrams into listener-style batches of BATCH_DATAGRAMS (one pass = all batches). */
export function pack(datagrams) {
  const batches = []
  let batch = new DatagramBatch(BATCH_BYTES, BATCH_DATAGRAMS)
  for (const d of datagrams) {
    if (!batch.add(d, EXPORTER, EXPORTER_PORT, RECEIVED_MS)) {
      batches.push(batch.take())
      batch = new DatagramBatch(BATCH_BYTES, BATCH_DATAGRAMS)
      batch.add(d, EXPORTER, EXPORTER_PORT, RECEIVED_MS)
    }
  }
  if (batch.count > 0) batches.push(batch.take())
  return batches.map((b) => ({ bytes: new Uint8Array(b.buffer, 0, b.byteLength), count: b.count }))
}

/** One batch of exactly BATCH_DATAGRAMS, cycling the fixture when it has fewer datagrams. */
export function fixtureDatagrams(f) {
  const out = []
  while (out.length < Math.max(BATCH_DATAGRAMS, f.data.length)) {
    out.push(f.data[out.length % f.data.length])
  }
  return out
}

/** A packed batch as the pool hands it to a worker. */
export function task(b) {
  return { buffer: b.bytes.buffer, byteLength: b.bytes.byteLength, count: b.count }
}

/** A worker's decoder (with `en`, or none) that has seen the fixture's templates. */
export function workerDecoder(f, en) {
  const d = new BatchDecoder(undefined, en)
  for (const b of pack(f.prime)) d.decode(task(b))
  return d
}

/**
 * The worker's enricher with every enrichment on, as `flowloft serve` builds it; `extra`
 * is merged into its worker data (e.g. `{ anonymise }`); `names` (address -> name) are
 * published as the DHCP and Pi-hole followers publish theirs.
 */
export function fullEnricher(extra = {}, names = new Map()) {
  const config = loadConfig({
    flags: new Map(),
    env: {
      FLOWLOFT_ENRICH_LOCAL_PREFIXES: '192.168.0.0/16,10.0.0.0/8,fd00::/8',
      FLOWLOFT_ENRICH_HOST_ALIASES: JSON.stringify({
        '192.168.1.10': 'laptop',
        '127.0.0.1': 'router',
      }),
      FLOWLOFT_ENRICH_INTERFACES: JSON.stringify({ '127.0.0.1': { 1: 'ether1', 2: 'bridge' } }),
    },
  })
  const e = createEnrichment(config.enrich, { log: createLogger('warn'), metrics: new Registry() })
  for (const [addr, name] of names) e.dynamic.setHostName(addr, name)
  return new Enricher({ ...e.workerData, ...extra })
}

/**
 * Records per CPU-second of two decoders on the same fixture's batches, in `rounds`
 * interleaved rounds, the median of each: drift on a shared machine hits both alike.
 */
export function offAndOn(f, off, on, rounds) {
  const batches = pack(fixtureDatagrams(f)).map(task)
  const run = (d) => () => {
    let n = 0
    for (const b of batches) n += d.decode(b).rows
    return n
  }
  const offRates = []
  const onRates = []
  for (let round = 0; round < rounds; round++) {
    offRates.push(measure(run(off)).recordsPerSecond)
    onRates.push(measure(run(on)).recordsPerSecond)
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1]
  return { off: median(offRates), on: median(onRates) }
}
