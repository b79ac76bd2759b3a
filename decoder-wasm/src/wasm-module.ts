// The compiled decoder (build/decoder.wasm) and its exports as the host calls them. An
// instance is refused unless it was built from the same contract as this host.
import { readFileSync } from 'node:fs'
import { CONTRACT_HASH, INSERT_COLUMNS } from './generated/contract.js'
import type { EnrichExports } from './enrich-cache.js'
import type { RowExports } from './row-regions.js'
import type { TemplateExports } from './template-state.js'

export interface DecoderExports extends TemplateExports, RowExports, EnrichExports {
  memory: WebAssembly.Memory
  contractHash(): number
  init(inputBytes: number, datagrams: number, records: number, counters: number): void
  setMaxSamplingRate(rate: number): void
  inputRegion(): number
  inputCapacity(): number
  statusRegion(): number
  outputRegion(): number
  begin(count: number): void
  run(): number
  recordCount(): number
  counterRegion(): number
  counterRecordCount(): number
  initText(stringIds: number, arenaBytes: number, tsvBytes: number, rowBinaryBytes: number): void
  stringIndexRegion(): number
  stringArenaRegion(): number
  stringCapacity(): number
  rowColumnCount(): number
  initEnrich(slotsLog2: number, misses: number): void
}

const WASM_URL = new URL('../build/decoder.wasm', import.meta.url)
let compiled: WebAssembly.Module | undefined

/** A new decoder instance (the module is compiled once per process). */
export function instantiateDecoder(): DecoderExports {
  compiled ??= new WebAssembly.Module(readFileSync(WASM_URL))
  const instance = new WebAssembly.Instance(compiled, {
    env: {
      abort(): never {
        throw new Error('decoder-wasm aborted')
      },
    },
  })
  const x = instance.exports as unknown as DecoderExports
  if (x.contractHash() >>> 0 !== CONTRACT_HASH || x.rowColumnCount() !== INSERT_COLUMNS.length) {
    throw new Error(
      'decoder-wasm: build/decoder.wasm was built from another contract than this host; rebuild',
    )
  }
  return x
}
