// What a bench's JSON says of the machine it ran on, and where it writes that JSON.
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'

/** The CPU, cores, memory, Node.js and the load average when the bench started. */
export const machineFacts = (loadAverageAtStart) => ({
  cpu: os.cpus()[0]?.model,
  nproc: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  loadAverageAtStart,
})

/** Writes bench/out/`name` (pretty JSON). */
export function writeResult(name, data) {
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true })
  writeFileSync(new URL(`./out/${name}`, import.meta.url), `${JSON.stringify(data, null, 2)}\n`)
}
