// Piscina worker: one WASM decoder per thread. No database calls here.
import { BatchDecoder } from './batch-decoder.js'
import type { DecodeResult, DecodeTask } from './task.js'

const decoder = new BatchDecoder()

export default function decode(task: DecodeTask): DecodeResult {
  return decoder.decodeToTsv(task)
}
