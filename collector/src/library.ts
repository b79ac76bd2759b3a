// The collector's parts as a library: the entry point of `@flowloft/collector` for code
// that drives them outside `flowloft serve`, such as the benches (bench/). main.ts wires
// the same parts into the service; the `flowloft` command is the package's bin.
export { openEngine } from './clickhouse/engine.js'
export { migrate } from './clickhouse/migrate.js'
export { rollDue } from './clickhouse/rollup-schedule.js'
export { createWriter } from './clickhouse/writer.js'
export { BatchDecoder } from './decode/batch-decoder.js'
export { CryptoPan } from './anonymise/crypto-pan.js'
export { prepareClearStorage } from './anonymise/clear.js'
export { Enricher, createEnrichment } from './enrich/index.js'
export { createLogger } from './observability/log.js'
export { Registry } from './observability/metrics.js'
export { SETTINGS, loadConfig } from './settings.js'
