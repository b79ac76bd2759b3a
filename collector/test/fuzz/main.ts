#!/usr/bin/env node
// `make fuzz`: every decoder fed FUZZ_COUNT (default 1,000,000) mutated real datagrams,
// reproducibly from FUZZ_SEED. Exits non-zero on a trap, a hang or a datagram left
// without a result; the datagrams of a failing batch are written as a pcap to FUZZ_OUT
// (`flowloft decode FILE` replays them).
import { availableParallelism } from 'node:os'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writePcap } from '@flowloft/decoder-wasm/testing'
import { PROTOCOLS, corpus, type Protocol } from './corpus.js'
import { fuzzDatagram } from './datagrams.js'
import type { ProtocolResult } from './job.js'
import { formatResult, runFuzz } from './run.js'

function envInt(name: string, fallback: number): number {
  const v = process.env[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${v}`)
  return n
}

function protocols(): Protocol[] {
  const v = process.env['FUZZ_PROTOCOLS']
  if (!v) return [...PROTOCOLS]
  const list = v.split(',').map((s) => s.trim())
  for (const p of list) {
    if (!(PROTOCOLS as readonly string[]).includes(p))
      throw new Error(`FUZZ_PROTOCOLS: unknown ${p} (one of ${PROTOCOLS.join(', ')})`)
  }
  return list as Protocol[]
}

/** The datagrams of a failing batch as a pcap, for `flowloft decode`. */
function writeReproducer(
  dir: string,
  seed: number,
  r: ProtocolResult,
  first: number,
  count: number,
): string {
  mkdirSync(dir, { recursive: true })
  const pool = corpus(r.protocol)
  const file = join(dir, `${r.protocol}-seed${seed}-${first}.pcap`)
  writePcap(
    file,
    Array.from({ length: count }, (_, k) => {
      const payload = fuzzDatagram(pool, seed, r.protocol, first + k)
      return {
        timeMs: 1_700_000_000_000 + k,
        src: '192.0.2.1',
        dst: '192.0.2.9',
        proto: 17,
        srcPort: 2055,
        dstPort: 2055,
        payloadBytes: payload.byteLength,
        payload,
      }
    }),
  )
  return file
}

const SUMMARY = process.env['FUZZ_SUMMARY'] ?? 'bench/out/fuzz.json'

async function main(): Promise<number> {
  const seed = envInt('FUZZ_SEED', 1)
  const count = envInt('FUZZ_COUNT', 1_000_000)
  const parallel = envInt('FUZZ_PARALLEL', Math.min(2, availableParallelism()))
  const out = process.env['FUZZ_OUT'] ?? 'bench/out/fuzz'
  const list = protocols()
  process.stdout.write(`fuzz: ${count} datagrams per protocol, seed ${seed}, ${parallel} at once\n`)
  const t0 = performance.now()
  const results = await runFuzz({
    protocols: list,
    count,
    seed,
    parallel,
    callTimeoutMs: envInt('FUZZ_CALL_TIMEOUT_MS', 10_000),
    onResult: (r) => process.stdout.write(`${formatResult(r)}\n`),
  })
  let failed = false
  for (const r of results) {
    for (const t of r.traps) {
      failed = true
      const file = writeReproducer(out, seed, r, t.first, t.count)
      process.stdout.write(
        `TRAP ${r.protocol} datagrams ${t.first}..${t.first + t.count - 1} (alone: ${t.alone.join(', ') || 'none'}): ${t.error}\n  reproducer: ${file}\n`,
      )
    }
    if (r.hang) {
      failed = true
      const file = writeReproducer(out, seed, r, r.hang.first, r.hang.count)
      process.stdout.write(
        `HANG ${r.protocol} in the batch from datagram ${r.hang.first}\n  reproducer: ${file}\n`,
      )
    }
    if (r.unaccounted !== 0 || (!r.hang && r.datagrams !== count)) failed = true
  }
  const total = results.reduce((n, r) => n + r.datagrams, 0)
  const seconds = (performance.now() - t0) / 1000
  process.stdout.write(
    `fuzz: ${total} datagrams in ${seconds.toFixed(1)} s: ${failed ? 'FAILED' : 'no trap, no hang'}\n`,
  )
  // The summary bench/results.mjs puts in bench/RESULTS.md.
  mkdirSync(dirname(SUMMARY), { recursive: true })
  writeFileSync(
    SUMMARY,
    JSON.stringify(
      { seed, count, total, seconds, failed, lines: results.map((r) => formatResult(r)) },
      null,
      2,
    ),
  )
  return failed ? 1 : 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(
      `fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    )
    process.exitCode = 2
  },
)
